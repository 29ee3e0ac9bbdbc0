/**
 * The distributed topology of docker-compose.yml as processes on this machine, behind the public
 * origin's proxy when HAProxy is installed: `npm run cluster`, and the tests that need the whole
 * deployment. Shares its process runner with `npm run chaos` (tools/topology/).
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  gavelTopology,
  ownDatabase,
  ProcessRunner,
  type GavelTopology,
} from '../topology/index.ts';
import { haproxyInstalled, haproxySpec } from '../topology/haproxy.ts';

export interface ClusterOptions {
  /** The Redis server every service shares (keys under a prefix of this run's). */
  redisUrl: string;
  /** A PostgreSQL server where the run gets a database of its own (created, dropped at stop). */
  postgresUrl: string;
  /** The proxy's port (0: any free one). */
  port: number;
  /** Front the topology with HAProxy (default: when it is installed). */
  proxy?: boolean;
  /** Engine processes: 2 by default, one per gateway, so either can restart while the other decides. */
  engines?: number;
  logDir?: string;
  logLevel?: string;
  /** Extra environment per role. */
  env?: Parameters<typeof gavelTopology>[0]['env'];
  onLine?: (name: string, line: string) => void;
  log?: (line: string) => void;
}

export interface RunningCluster {
  /** The one URL to open: the proxy's origin, or the first gateway's without a proxy. */
  origin: string;
  proxied: boolean;
  topo: GavelTopology;
  procs: ProcessRunner;
  /** The run's names: Redis key prefix and database. */
  redisPrefix: string;
  databaseUrl: string;
  /** Stops every process (SIGTERM, then SIGKILL) and drops the run's database. */
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const log = opts.log ?? (() => undefined);
  const id = randomBytes(4).toString('hex');
  const db = ownDatabase(opts.postgresUrl, `gavel_cluster_${id}`);
  const proxied = opts.proxy ?? haproxyInstalled();
  const port = opts.port === 0 ? await freePort() : opts.port;
  const origin = `http://127.0.0.1:${port}`;
  const redisPrefix = `gavel-cluster-${id}`;
  const topo = await gavelTopology({
    redisUrl: opts.redisUrl,
    redisPrefix,
    hubPrefix: `${redisPrefix}:{hub}`,
    databaseUrl: db.url,
    engines: opts.engines ?? 2,
    ...(proxied ? { publicOrigin: origin } : {}),
    ...(opts.logLevel === undefined ? {} : { logLevel: opts.logLevel }),
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
  const procs = new ProcessRunner({
    logDir: opts.logDir ?? join(tmpdir(), `gavel-cluster-${id}`),
    ...(opts.onLine === undefined ? {} : { onLine: (name, line) => opts.onLine?.(name, line) }),
  });
  for (const s of topo.all) procs.add(s.spec);
  const [g1, g2] = topo.gateways;
  const [h1, h2] = topo.hubs;
  if (proxied) {
    if (g1 === undefined || g2 === undefined || h1 === undefined || h2 === undefined)
      throw new Error('the proxy fronts two gateways and two hubs');
    procs.add(
      haproxySpec({
        name: 'proxy',
        port,
        gateways: [g1.url, g2.url],
        hubs: [h1.url, h2.url],
        orchestrator: topo.orchestrator.url,
      }),
    );
  }
  await db.create();
  const stop = async (): Promise<void> => {
    await procs.shutdown();
    await db.drop().catch(() => undefined);
  };
  try {
    log(`starting ${topo.all.length} services${proxied ? ' and the proxy' : ''}; logs in ${procs.logDir}`);
    for (const wave of topo.waves) {
      log(`  starting ${wave.join(', ')}…`);
      await procs.start(...wave);
    }
    if (proxied) await procs.start('proxy');
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    origin: proxied ? origin : g1!.url,
    proxied,
    topo,
    procs,
    redisPrefix,
    databaseUrl: db.url,
    stop,
  };
}
