/**
 * `npm run cluster [-- flags]`: the deployed topology (docker-compose.yml's services) as separate
 * processes on this machine, against the local Redis and PostgreSQL, behind HAProxy when it is
 * installed: two hubs, two engines, two gateways, the orchestrator. It seeds a timed sale through
 * the admin API, prints the one URL to open and tokens to sign in with, and runs until Ctrl-C (then
 * stops everything and drops its database).
 *
 * Flags: --port N (8080; 0: any free) --redis-url URL (REDIS_URL or redis://127.0.0.1:6379)
 *        --postgres-url URL (POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)
 *        --engines N (2) --no-proxy --log-level L (info) --no-seed
 */
import { parseArgs } from 'node:util';
import { AdminClient } from '../chaos/sale.ts';
import { TokenMint } from '../chaos/tokens.ts';
import { startCluster } from './cluster.ts';
import { CLUSTER_BIDDERS, seedClusterSale } from './demo.ts';

const { values: f } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'postgres-url': {
      type: 'string',
      default: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    engines: { type: 'string', default: '2' },
    'no-proxy': { type: 'boolean', default: false },
    'no-seed': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const port = Number(f.port);
  const engines = Number(f.engines);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: 0–65535, got "${f.port}"`);
  if (!Number.isInteger(engines) || engines < 1) throw new Error(`--engines: 1 or more, got "${f.engines}"`);
  const cluster = await startCluster({
    redisUrl: f['redis-url'],
    postgresUrl: f['postgres-url'],
    port,
    engines,
    logLevel: f['log-level'],
    ...(f['no-proxy'] ? { proxy: false } : {}),
    log,
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    cluster.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const mint = new TokenMint(cluster.topo.secrets);
  const lines = ['', `Gavel cluster is running: open ${cluster.origin}/bid`];
  if (!cluster.proxied)
    lines.push(
      '  (no HAProxy: each gateway and hub on its own port; apt-get install haproxy for one origin)',
    );
  if (!f['no-seed']) {
    const admin = new AdminClient(cluster.topo.orchestrator.url, () => mint.user('ops', 'admin'));
    const sale = await seedClusterSale(admin, Date.now());
    lines.push(`  Sale:      ${cluster.origin}/bid?sale=${sale}`);
  }
  for (const b of CLUSTER_BIDDERS)
    lines.push(`  ${b.name} (bidder token, paste at /bid): ${await mint.user(b.id, 'bidder')}`);
  lines.push(`  Auctioneer token (paste at /floor): ${await mint.user('clerk', 'auctioneer')}`);
  lines.push(
    `  Admin API: ${cluster.topo.orchestrator.url}/admin/v1, token (20 minutes): ${await mint.user('ops', 'admin')}`,
  );
  lines.push(
    `  Services:  ${cluster.topo.all.map((s) => `${s.name} ${s.url}`).join(', ')}`,
    `  Logs:      ${cluster.procs.logDir}`,
    'Stop with Ctrl-C (stops every process, drops the database).',
  );
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  log(`npm run cluster failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
