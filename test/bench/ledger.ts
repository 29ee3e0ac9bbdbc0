/**
 * Ledger benchmark: `npm run bench:ledger [-- --backlog N --rate R --seconds S]`.
 *
 * Real Redis and real PostgreSQL (a throw-away schema). Phase 1: N decisions already in one hot
 * auction's stream (the engine's Lua decision), then the ledger writer drains them: decisions/s
 * written. Phase 2: bids keep arriving at R/s for S seconds while the writer polls: its lag
 * (entries decided but not yet in PostgreSQL) sampled every 50 ms. Prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisBiddingStore } from '../../bidding/index.ts';
import { LedgerWriter, migrate, RedisDecisionSource } from '../../orchestrator/ledger.ts';
import { postgresSchema } from '../support/postgres.ts';
import { deleteByPrefix, seedHotAuction } from './hot-auction.ts';

const { values } = parseArgs({
  options: {
    backlog: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '5' },
  },
});
const BACKLOG = Number(values.backlog);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const log = (m: string): void => void process.stderr.write(`[bench:ledger] ${m}\n`);

async function main(): Promise<void> {
  const prefix = `bench:${randomUUID().slice(0, 8)}`;
  const redis = new Redis('redis://127.0.0.1:6379', { enableAutoPipelining: true });
  const store = new RedisBiddingStore({ redis, prefix });
  const pg = postgresSchema('bench_ledger');
  await pg.create();
  const db = pg.open(4);
  try {
    await migrate(db);
    await seedHotAuction(store, redis, 'hot', 2000);
    let n = 0;
    const bid = (): Promise<unknown> => {
      const i = n++;
      return store.placeBid({
        auctionId: 'hot',
        bidderId: `b${i % 2000}`,
        amount: 100 + i,
        idempotencyKey: `k${i}`,
        source: 'api',
      });
    };
    log(`deciding a backlog of ${BACKLOG}`);
    for (let i = 0; i < BACKLOG; i += 500)
      await Promise.all(Array.from({ length: Math.min(500, BACKLOG - i) }, bid));

    const writer = new LedgerWriter({
      db,
      source: new RedisDecisionSource({ redis, prefix }),
      batchSize: 1000,
      pollIntervalMs: 20,
    });
    let start = performance.now();
    let drained = 0;
    while (drained < BACKLOG) drained += (await writer.runOnce()).applied;
    const drainSeconds = (performance.now() - start) / 1000;
    log(`drained ${drained} in ${drainSeconds.toFixed(2)} s; now ${RATE} bids/s for ${SECONDS} s`);

    writer.start();
    const lags: number[] = [];
    start = performance.now();
    const sampler = setInterval(() => {
      writer.lag().then(
        (l) => lags.push(l.total),
        () => undefined,
      );
    }, 50);
    let sent = 0;
    while (performance.now() - start < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * RATE) - sent;
      if (due > 0) {
        sent += due;
        await Promise.all(Array.from({ length: due }, bid));
      } else await new Promise((r) => setTimeout(r, 5));
    }
    clearInterval(sampler);
    const settleStart = performance.now();
    while ((await writer.lag()).total > 0 && performance.now() - settleStart < 10_000)
      await new Promise((r) => setTimeout(r, 20));
    const settleMs = performance.now() - settleStart;
    await writer.stop();
    const rows = Number((await db.query('SELECT count(*)::int AS n FROM bids'))[0]?.n ?? 0);
    lags.sort((a, b) => a - b);
    const q = (x: number): number => lags[Math.min(lags.length - 1, Math.floor(x * lags.length))] ?? NaN;
    console.log(
      JSON.stringify({
        bench: 'ledger',
        backlog: BACKLOG,
        drain_decisions_per_s: Math.round(BACKLOG / drainSeconds),
        steady_rate: RATE,
        steady_seconds: SECONDS,
        lag_entries: { p50: q(0.5), p99: q(0.99), max: lags[lags.length - 1] ?? NaN },
        lag_ms_at_rate: { p50: Math.round((q(0.5) / RATE) * 1000), p99: Math.round((q(0.99) / RATE) * 1000) },
        caught_up_after_ms: Math.round(settleMs),
        ledger_rows: rows,
        decided: n,
        database: 'postgresql',
        node: process.version,
      }),
    );
  } finally {
    await pg.cleanup();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
