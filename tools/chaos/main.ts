/**
 * `npm run chaos [-- flags]`: proves on this machine that no acknowledged bid is lost or doubled,
 * and that every screen converges on the truth, while any process of the distributed topology is
 * SIGKILLed mid-sale.
 *
 * It starts its own redis-server (append-only file, `--appendfsync always` by default) on a free
 * port, its own PostgreSQL database (created on POSTGRES_URL's server, dropped at the end), and the
 * topology of docker-compose.yml as separate processes — two hubs on the Redis Streams transport,
 * the bidding engine, the orchestrator, two gateways. It creates a timed sale through the admin API,
 * opens SSE screens on every hub (reconnecting with Last-Event-ID), bids from many bidders across
 * both gateways with unique Idempotency-Keys (the same key again on any error, until a definite
 * answer), and meanwhile SIGKILLs and restarts, one at a time, a gateway, the engine, a hub, the
 * orchestrator and redis-server. It ends with a burst on every lot, the engine SIGKILLed in it and
 * no further bid; then compares: every bid a client saw accepted is in the ledger exactly once;
 * nothing accepted that no client sent; seqs contiguous; the back office's winner is the highest
 * accepted bid (earliest on ties); every screen equals the snapshot.
 *
 * One JSON line of figures on stdout, progress on stderr; exit 0 when every check passed, 1 when
 * one failed (the report's `failures` and `evidence` say which and show examples; the logs of
 * every process are kept and their folder named in `logDir`).
 *
 * Flags: --duration S (60) --bids N (0: as the rate gives) --kills N (10) --rate R (40 bids/s)
 *        --bidders N (24) --lots N (3) --subscribers N per hub (2) --burst N per lot (12)
 *        --converge-within S (10) --appendfsync always|everysec --seed N --keep (keep logs)
 * `--appendfsync everysec` measures the loss window instead of failing on it: acknowledged bids
 * missing after redis-server kills are reported in `lossWindow`, with the bids acknowledged in the
 * second before each kill (what a host crash could take with them).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_APPENDFSYNC, runChaos } from './run.ts';

const { values: f } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    bids: { type: 'string', default: '0' },
    kills: { type: 'string', default: '10' },
    rate: { type: 'string', default: '40' },
    bidders: { type: 'string', default: '24' },
    lots: { type: 'string', default: '3' },
    subscribers: { type: 'string', default: '2' },
    burst: { type: 'string', default: '12' },
    'converge-within': { type: 'string', default: '10' },
    appendfsync: { type: 'string', default: DEFAULT_APPENDFSYNC },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    keep: { type: 'boolean', default: false },
  },
});

function int(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name}: an integer ≥ ${min}, got "${v}"`);
    process.exit(2);
  }
  return n;
}
if (f.appendfsync !== 'always' && f.appendfsync !== 'everysec') {
  console.error('--appendfsync: always or everysec');
  process.exit(2);
}

const report = await runChaos({
  durationS: int('duration', f.duration, 5),
  bids: int('bids', f.bids, 0),
  kills: int('kills', f.kills, 0),
  rate: int('rate', f.rate, 1),
  bidders: int('bidders', f.bidders, 2),
  lots: int('lots', f.lots, 1),
  subscribersPerHub: int('subscribers', f.subscribers, 1),
  burst: int('burst', f.burst, 2),
  convergeWithinS: int('converge-within', f['converge-within'], 1),
  appendfsync: f.appendfsync,
  seed: int('seed', f.seed, 0),
  postgresUrl: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  keep: f.keep,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(report)}\n`);
if (!report.ok)
  process.stderr.write(
    `[chaos] FAILED:\n  ${report.failures.join('\n  ')}\n[chaos] logs: ${report.logDir}\n`,
  );
process.exit(report.ok ? 0 : 1);
