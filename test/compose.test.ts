import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENTRY_POINTS, namesRead, type Process } from './support/config-readers.ts';

/**
 * docker-compose.yml and the Dockerfile, checked by reading (no Docker engine runs here): compose
 * runs the image, each app service sets only variables its role's configuration reads, with values
 * it accepts; every app service has a health check; only the public origin is published; no secret
 * has a default in the file.
 */

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  healthcheck?: { test?: string[] };
  networks?: string[];
  volumes?: string[];
}
interface Compose {
  services: Record<string, Service>;
  networks?: Record<string, { internal?: boolean } | null>;
}

const read = (file: string): string => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const dockerfile = read('Dockerfile');

/** The compiled entry a command runs → the process whose configuration it reads. */
const ROLE_OF: Record<string, Process> = {
  'dist/main.js': 'gateway',
  'dist/hub/main.js': 'hub',
  'dist/bidding/main.js': 'bidding',
  'dist/orchestrator/main.js': 'orchestrator',
};

const apps = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
const roleOf = (s: Service): Process | undefined =>
  ROLE_OF[s.command?.find((a) => a.startsWith('dist/')) ?? ''];

/** Secret-looking names: their values come from the environment, never from this file. */
const SECRET = /(KEY|TOKEN|SECRET|PASSWORD)(_ID)?$/;
const INTERPOLATION = /\$\{([A-Z_][A-Z0-9_]*)(?::?([?-])([^}]*))?\}/g;

/** A value as compose would make it, with every required variable given a plausible strong value. */
function interpolate(value: string): string {
  return value.replace(INTERPOLATION, (_m, name: string, op: string | undefined, rest: string) => {
    if (op === '-') return rest;
    if (name === 'GAVEL_PUBLIC_ORIGIN') return 'https://bids.example.com';
    return 'a1'.repeat(32);
  });
}

/** The compose service a proxy variable (`host:port`) points at, on the port it listens on. */
function upstream(name: string): Service {
  const [host, port] = String(compose.services.proxy?.environment?.[name]).split(':');
  const target = compose.services[host!];
  expect(target, `${name} → ${host}`).toBeDefined();
  expect(String(target!.environment?.PORT), `${name} → ${host}'s PORT`).toBe(port);
  return target!;
}

describe('docker-compose.yml', () => {
  it('runs the built image for every app service, each in a known role', () => {
    expect(apps.map(([n]) => n).sort()).toEqual(
      ['bidding', 'gateway-a', 'gateway-admin', 'gateway-b', 'hub-a', 'hub-b', 'orchestrator'].sort(),
    );
    for (const [name, s] of apps) {
      expect(s.build, name).toBe('.');
      expect(roleOf(s), `${name}: ${s.command?.join(' ')}`).toBeDefined();
      expect(s.command?.[0], name).toBe('node');
      // No host tree mounted over the image, no tsx at run time.
      expect(s.volumes?.filter((v) => v.startsWith('.')) ?? [], name).toEqual([]);
      expect(s.command?.join(' '), name).not.toMatch(/tsx|\.ts\b/);
    }
  });

  it("sets for each app service only variables its role's configuration reads", () => {
    for (const [name, s] of apps) {
      const role = roleOf(s)!;
      const known = new Set(Object.values(ENTRY_POINTS[role].readers).flatMap((r) => [...namesRead(r)]));
      const unknown = Object.keys(s.environment ?? {}).filter((k) => !known.has(k));
      expect(unknown, `${name} (${role}) sets variables it does not read`).toEqual([]);
    }
  });

  it("sets values each role's configuration accepts, once the required secrets are given", () => {
    for (const [name, s] of apps) {
      const role = roleOf(s)!;
      const env = Object.fromEntries(
        Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
      );
      for (const [reader, load] of Object.entries(ENTRY_POINTS[role].readers))
        expect(() => load(env), `${name}: ${reader}`).not.toThrow();
    }
  });

  it('gives every app service a health check through the image (node, no curl)', () => {
    for (const [name, s] of apps) {
      expect(s.healthcheck?.test, name).toEqual(['CMD', 'node', 'dist/healthcheck.js', 'ready']);
    }
    for (const name of ['redis', 'postgres']) expect(compose.services[name]?.healthcheck, name).toBeDefined();
  });

  it('publishes only the public origin: one gateway (or the proxy) port, nothing else', () => {
    const published = Object.entries(compose.services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => ({ name, p })),
    );
    expect(published).toHaveLength(1);
    expect(published[0]!.name).toMatch(/^(gateway|proxy)/);
    // Everything else talks on a network with no way in from the host.
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const [name, s] of Object.entries(compose.services)) expect(s.networks, name).toContain('backend');
  });

  it("fronts the gateways and the hubs with the repository's HAProxy configuration", () => {
    const proxy = compose.services.proxy!;
    expect(proxy.ports).toHaveLength(1);
    expect(proxy.volumes).toContain('./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    const cfg = readFileSync(new URL('../deploy/haproxy/haproxy.cfg', import.meta.url), 'utf8');
    // Every variable the configuration expands without a default of its own is set.
    const env = proxy.environment ?? {};
    const settings = cfg
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    const required = [...settings.matchAll(/"\$\{([A-Z_0-9]+)(-[^}]*)?\}"/g)].filter(
      (m) => m[2] === undefined,
    );
    expect(required.length).toBeGreaterThan(0);
    for (const m of required) expect(env[m[1]!], m[1]).toBeDefined();
    for (const name of ['GATEWAY_1', 'GATEWAY_2', 'HUB_1', 'HUB_2']) upstream(name);
  });

  it("sends /admin to the back-office gateway alone, and the vendors' callbacks to the orchestrator", () => {
    const cfg = readFileSync(new URL('../deploy/haproxy/haproxy.cfg', import.meta.url), 'utf8');
    const panel = upstream('PANEL');
    expect(roleOf(panel)).toBe('gateway');
    // The panel's gateway mints admin tokens; the public ones cannot.
    expect(panel.environment?.ADMIN_JWT_KEY).toMatch(/^\$\{ADMIN_JWT_KEY:\?/);
    for (const name of ['GATEWAY_1', 'GATEWAY_2'])
      expect(upstream(name).environment?.ADMIN_JWT_KEY).toBeUndefined();
    expect(roleOf(upstream('ORCHESTRATOR'))).toBe('orchestrator');
    expect(cfg).toMatch(/^\s+acl panel path \/admin path_beg \/admin\/$/m);
    expect(cfg).toMatch(/^\s+use_backend panel if panel$/m);
    expect(cfg).toMatch(/^\s+server panel "\$\{PANEL-\$\{GATEWAY_1\}\}" check$/m);
    expect(cfg).toMatch(/^\s+acl vendor_callback path \/kyc\/webhook \/notify\/twilio\/status$/m);
    expect(cfg).toMatch(/^\s+use_backend backoffice if vendor_callback$/m);
    expect(cfg).toMatch(/^\s+server orchestrator "\$\{ORCHESTRATOR-\$\{GATEWAY_1\}\}" check$/m);
  });

  it('keeps no secret in the file: each comes from the environment, refused when missing', () => {
    for (const [name, s] of Object.entries(compose.services))
      for (const [key, raw] of Object.entries(s.environment ?? {})) {
        const value = String(raw);
        if (SECRET.test(key)) {
          // `${VAR:?message}` (required), or `${VAR:-}` (an optional feature, off when unset).
          expect(value, `${name} ${key}`).toMatch(/^\$\{[A-Z_][A-Z0-9_]*(:\?[^}]*|:-)\}$/);
        }
        // A password inside a URL too.
        expect(value.replace(INTERPOLATION, ''), `${name} ${key}`).not.toMatch(/:\/\/[^/@\s]*:[^/@\s]+@/);
      }
    // Required secrets (every signing key, the service tokens, the database password) are refused when missing.
    const required = [...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
    for (const v of [
      'GATEWAY_JWT_KEY',
      'ADMIN_JWT_KEY',
      'GAVEL_MASK_KEY',
      'MERCURE_PUBLISHER_JWT_KEY',
      'MERCURE_SUBSCRIBER_JWT_KEY',
      'BIDDING_SERVICE_TOKEN',
      'ACCOUNTS_SERVICE_TOKEN',
      'POSTGRES_PASSWORD',
    ])
      expect(required, v).toContain(v);
  });
});

describe('Dockerfile', () => {
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => m[2]);

  it('builds in one stage and runs production dependencies and the compiled tree in another', () => {
    expect(stages).toEqual(['build', 'runtime']);
    const [build = '', runtime = ''] = dockerfile.split(/^FROM .* AS runtime$/m);
    expect(build).toMatch(/RUN npm ci\b/);
    expect(build).toMatch(/RUN npm run build\b/);
    expect(runtime).toMatch(/RUN npm ci --omit=dev\b/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).not.toMatch(/tsx/);
  });

  it('runs as a user other than root, with a health check through node', () => {
    const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(user.at(-1)).toBeDefined();
    expect(user.at(-1)).not.toMatch(/^(root|0)$/);
    expect(dockerfile).toMatch(/^HEALTHCHECK\b[\s\S]*?CMD \["node", "dist\/healthcheck\.js"/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]/m);
  });

  it('leaves what the build does not need out of the context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', '.git', '.env', '.data']) expect(ignored, p).toContain(p);
  });
});
