/**
 * Gavel's distributed topology (docker-compose.yml's services) as process specs for the runner:
 * hubs on the Redis Streams transport, the bidding engine publishing into the hubs' stream, the
 * orchestrator on PostgreSQL, and gateways in distributed mode routing to the engine. Ports are
 * allocated here; secrets are random per run unless given.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './net.ts';
import { httpReady } from './ready.ts';
import type { ProcessSpec } from './managed-process.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type GavelRole = 'hub' | 'bidding' | 'orchestrator' | 'gateway';

export interface GavelSecrets {
  /** GATEWAY_JWT_KEY: user tokens of bidders and staff (audiences gavel-bidder and gavel-staff). */
  userJwtKey: string;
  /** ADMIN_JWT_KEY: admin-API tokens (audience gavel-admin). */
  adminJwtKey: string;
  /** GAVEL_MASK_KEY: the bidder masks, the same in the engine, the gateways and the orchestrator. */
  maskKey: string;
  publisherKey: string;
  subscriberKey: string;
  /** BIDDING_SERVICE_TOKEN, shared by the gateways and the engine. */
  serviceToken: string;
}

export function randomSecrets(): GavelSecrets {
  const s = (): string => randomBytes(32).toString('hex');
  return {
    userJwtKey: s(),
    adminJwtKey: s(),
    maskKey: s(),
    publisherKey: s(),
    subscriberKey: s(),
    serviceToken: s(),
  };
}

export interface GavelTopologyOptions {
  /** The engine's Redis (state, decision streams, rate limits) — also the hubs' transport, as in compose. */
  redisUrl: string;
  /** REDIS_PREFIX of the engine, the gateways and the orchestrator. Default `gavel`. */
  redisPrefix?: string;
  /** Key prefix of the hubs' stream. Default `gavel:{hub}` (the hubs' own default). */
  hubPrefix?: string;
  databaseUrl: string;
  secrets?: GavelSecrets;
  hubs?: number;
  gateways?: number;
  /** The hub URL the gateways hand to clients; default: on `publicOrigin` when set, else the first hub's. */
  publicHubUrl?: string;
  /**
   * The one origin people reach (a proxy in front: tools/topology/haproxy.ts): the gateways'
   * PUBLIC_ORIGIN, and the hub under it, so the gateways set the hub cookie.
   */
  publicOrigin?: string;
  /**
   * Engine processes (default 1). Decisions are atomic in Redis and each engine publishes the newest
   * state it reads, so several may run side by side; gateway i routes to engine i mod n.
   */
  engines?: number;
  logLevel?: string;
  /** Extra environment per role (e.g. LIFECYCLE_TICK_MS for the orchestrator). */
  env?: Partial<Record<GavelRole, Record<string, string>>>;
  /** Start a crashed service again, as compose's `restart: unless-stopped`. Default true. */
  restartOnCrash?: boolean;
  /**
   * Run the compiled tree `npm run build` wrote in this folder (`node <dir>/main.js`…, as the image
   * does) instead of the TypeScript sources under tsx. It must lie inside the repository (its
   * node_modules). Default: the sources.
   */
  compiled?: string;
}

export interface GavelService {
  name: string;
  role: GavelRole;
  /** `http://127.0.0.1:<port>` */
  url: string;
  spec: ProcessSpec;
}

export interface GavelTopology {
  secrets: GavelSecrets;
  /** Each hub with its Mercure URL and its metrics listener's origin (`/metrics` is not on the public port). */
  hubs: (GavelService & { mercureUrl: string; metricsUrl: string })[];
  /** The first engine (the only one unless `engines` says more). */
  bidding: GavelService & { metricsUrl: string };
  /** Each engine with its metrics listener's origin (BIDDING_METRICS_PORT). */
  engines: (GavelService & { metricsUrl: string })[];
  orchestrator: GavelService;
  /** Each gateway with its metrics listener's origin (GATEWAY_METRICS_PORT). */
  gateways: (GavelService & { metricsUrl: string })[];
  /** Every service, in start order: hubs, then engine and orchestrator, then gateways. */
  all: GavelService[];
  /** Start waves: each wave starts together once the one before is ready. */
  waves: string[][];
  /** The transport URL of the hubs (MERCURE_TRANSPORT_URL; the engine's HUB_PUBLISH_URL). */
  hubStreamUrl: string;
}

const letter = (i: number): string => String.fromCharCode('a'.charCodeAt(0) + i);

/** Node flags per role: the hub's 2 MiB young generation keeps idle subscribers small (see the README). */
const NODE_FLAGS: Record<GavelRole, string[]> = {
  hub: ['--max-semi-space-size=2'],
  bidding: [],
  orchestrator: [],
  gateway: [],
};
const ENTRY: Record<GavelRole, string> = {
  hub: 'hub/main.ts',
  bidding: 'bidding/main.ts',
  orchestrator: 'orchestrator/main.ts',
  gateway: 'main.ts',
};

/** The command line of a role: its TypeScript entry under tsx, or its compiled entry under node. */
function entryArgs(role: GavelRole, compiled: string | undefined): string[] {
  if (compiled === undefined) return ['--import', 'tsx', ...NODE_FLAGS[role], ENTRY[role]];
  return [...NODE_FLAGS[role], join(compiled, ENTRY[role].replace(/\.ts$/, '.js'))];
}

export async function gavelTopology(opts: GavelTopologyOptions): Promise<GavelTopology> {
  const hubCount = opts.hubs ?? 2;
  const gatewayCount = opts.gateways ?? 2;
  const secrets = opts.secrets ?? randomSecrets();
  const prefix = opts.redisPrefix ?? 'gavel';
  const stream = new URL(opts.redisUrl);
  stream.searchParams.set('prefix', opts.hubPrefix ?? 'gavel:{hub}');
  const hubStreamUrl = stream.toString();
  // Two per hub, engine and gateway (its port and its metrics listener's), one for the orchestrator.
  const engineCount = opts.engines ?? 1;
  const ports = await freePorts(2 * (hubCount + gatewayCount + engineCount) + 1);
  const take = (): number => ports.shift()!;
  const logLevel = opts.logLevel ?? 'info';

  const service = (
    name: string,
    role: GavelRole,
    port: number,
    env: Record<string, string>,
  ): GavelService => {
    const url = `http://127.0.0.1:${port}`;
    return {
      name,
      role,
      url,
      spec: {
        name,
        command: process.execPath,
        args: entryArgs(role, opts.compiled),
        cwd: REPO_ROOT,
        env: { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: logLevel, ...env, ...opts.env?.[role] },
        ready: httpReady(`${url}/healthz`),
        restartOnCrash: opts.restartOnCrash ?? true,
      },
    };
  };

  const hubs = Array.from({ length: hubCount }, (_, i) => {
    const metricsPort = take();
    const s = service(`hub-${letter(i)}`, 'hub', take(), {
      MERCURE_TRANSPORT_URL: hubStreamUrl,
      MERCURE_PUBLISHER_JWT_KEY: secrets.publisherKey,
      MERCURE_SUBSCRIBER_JWT_KEY: secrets.subscriberKey,
      // Every client of a topology on one machine comes from 127.0.0.1: no per-address cap.
      MERCURE_MAX_CONNECTIONS_PER_IP: '0',
      MERCURE_METRICS_PORT: String(metricsPort),
    });
    return {
      ...s,
      mercureUrl: `${s.url}/.well-known/mercure`,
      metricsUrl: `http://127.0.0.1:${metricsPort}`,
    };
  });
  const engines = Array.from({ length: engineCount }, (_, i) => {
    const metricsPort = take();
    const s = service(i === 0 ? 'bidding' : `bidding-${letter(i)}`, 'bidding', take(), {
      REDIS_URL: opts.redisUrl,
      REDIS_PREFIX: prefix,
      HUB_PUBLISH_URL: hubStreamUrl,
      BIDDING_SERVICE_TOKEN: secrets.serviceToken,
      GAVEL_MASK_KEY: secrets.maskKey,
      BIDDING_METRICS_PORT: String(metricsPort),
    });
    return { ...s, metricsUrl: `http://127.0.0.1:${metricsPort}` };
  });
  const bidding = engines[0]!;
  const orchestrator = service('orchestrator', 'orchestrator', take(), {
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: prefix,
    GATEWAY_JWT_KEY: secrets.userJwtKey,
    ADMIN_JWT_KEY: secrets.adminJwtKey,
    GAVEL_MASK_KEY: secrets.maskKey,
    HUB_PUBLISH_URL: hubStreamUrl,
  });
  const publicHubUrl =
    opts.publicHubUrl ??
    (opts.publicOrigin === undefined ? hubs[0]!.mercureUrl : `${opts.publicOrigin}/.well-known/mercure`);
  const gateways = Array.from({ length: gatewayCount }, (_, i) => {
    const metricsPort = take();
    const s = service(`gateway-${letter(i)}`, 'gateway', take(), {
      GAVEL_MODE: 'distributed',
      GAVEL_DEMO: 'false',
      REDIS_URL: opts.redisUrl,
      REDIS_PREFIX: prefix,
      HUB_URL: publicHubUrl,
      // The console's room publishes and counts the audience through the hubs' stream and registry.
      HUB_PUBLISH_URL: hubStreamUrl,
      BIDDING_URL: engines[i % engineCount]!.url,
      BIDDING_SERVICE_TOKEN: secrets.serviceToken,
      GATEWAY_JWT_KEY: secrets.userJwtKey,
      GAVEL_MASK_KEY: secrets.maskKey,
      MERCURE_PUBLISHER_JWT_KEY: secrets.publisherKey,
      MERCURE_SUBSCRIBER_JWT_KEY: secrets.subscriberKey,
      ORCHESTRATOR_URL: orchestrator.url,
      GATEWAY_METRICS_PORT: String(metricsPort),
      ...(opts.publicOrigin === undefined ? {} : { PUBLIC_ORIGIN: opts.publicOrigin }),
    });
    return { ...s, metricsUrl: `http://127.0.0.1:${metricsPort}` };
  });
  const all = [...hubs, ...engines, orchestrator, ...gateways];
  return {
    secrets,
    hubs,
    bidding,
    engines,
    orchestrator,
    gateways,
    all,
    // Hubs first: a publish into their stream is refused until a hub has recorded its limits there.
    waves: [
      hubs.map((h) => h.name),
      [...engines.map((e) => e.name), orchestrator.name],
      gateways.map((g) => g.name),
    ],
    hubStreamUrl,
  };
}
