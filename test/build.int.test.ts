import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { build } from '../tools/build.ts';
import {
  gavelTopology,
  ownDatabase,
  ProcessRunner,
  REPO_ROOT,
  type GavelTopology,
} from '../tools/topology/index.ts';
import { DATABASE_URL } from './support/postgres.ts';
import { deleteKeys, uniquePrefix } from './support/hub-redis.ts';
import { REDIS_URL } from './support/redis-namespace.ts';

/**
 * `npm run build`'s tree runs as the image runs it: every service with `node <out>/….js`, no tsx,
 * against the local Redis and PostgreSQL. The Lua scripts (engine, hub, gateway), the SQL
 * migrations (orchestrator) and the clients' pages must all be found beside the compiled code, and
 * the gateway serves the bundle the build wrote instead of bundling at start.
 */
describe('the compiled services', () => {
  const label = `build_${process.pid}_${Date.now() % 100_000}`;
  // Inside the repository, so the compiled code finds node_modules as it does in the image.
  const dir = join(REPO_ROOT, 'test', 'artifacts', label);
  const out = join(dir, 'dist');
  const runner = new ProcessRunner({ logDir: join(dir, 'logs') });
  const db = ownDatabase(DATABASE_URL, `gavel_${label}`);
  const hubPrefix = uniquePrefix();
  const prefix = `test:${label}`;
  let topo: GavelTopology;
  let manifest: Record<string, string>;
  let keep = false;

  beforeAll(async () => {
    await build(out);
    manifest = JSON.parse(readFileSync(join(out, 'clients/assets/manifest.json'), 'utf8')) as Record<
      string,
      string
    >;
    // A mark only the files on disk carry: the gateway must serve them, not a bundle of its own.
    appendFileSync(join(out, 'clients/assets', manifest['bid.js']!), '\n/* prebuilt */\n');
    await db.create();
    topo = await gavelTopology({
      redisUrl: REDIS_URL,
      redisPrefix: prefix,
      hubPrefix,
      databaseUrl: db.url,
      hubs: 1,
      gateways: 1,
      restartOnCrash: false,
      compiled: out,
    });
    for (const s of topo.all) runner.add(s.spec);
    for (const wave of topo.waves) await runner.start(...wave);
  }, 600_000);

  afterAll(async () => {
    await runner.shutdown();
    await db.drop();
    await deleteKeys(hubPrefix);
    await deleteKeys(prefix);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs every service from JavaScript, healthy', async () => {
    onTestFailed(() => {
      keep = true;
      console.error(`the build and the services' logs: ${dir}`);
    });
    for (const s of topo.all) {
      expect(s.spec.args.join(' '), s.name).not.toMatch(/tsx|\.ts\b/);
      const res = await fetch(`${s.url}/health/ready`);
      expect(res.status, s.name).toBe(200);
      expect(((await res.json()) as { status: string }).status, s.name).toBe('ready');
    }
  });

  it('serves the pages with the prebuilt, content-hashed bundle', async () => {
    onTestFailed(() => {
      keep = true;
    });
    const gateway = topo.gateways[0]!.url;
    const page = await fetch(`${gateway}/bid`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`/assets/${manifest['bid.js']!}`);
    expect(html).toContain(`/assets/${manifest['styles.css']!}`);
    const script = await fetch(`${gateway}/assets/${manifest['bid.js']!}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('/* prebuilt */');
  });
});
