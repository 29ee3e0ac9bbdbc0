/**
 * Engine-only benchmark: `npm run bench:decisions [-- --seconds S --concurrency C]`.
 *
 * Drives one hot auction's atomic Lua decision directly on Redis (no HTTP, no gateway), from C
 * concurrent callers over 4 connections, with rising amounts from 2,000 bidders. Measures what the
 * decision itself sustains on one auction — the ceiling under the gateway benchmark. Prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisBiddingStore } from '../../bidding/index.ts';
import { deleteByPrefix, seedHotAuction } from './hot-auction.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '64' } },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);

async function main(): Promise<void> {
  const prefix = `bench:${randomUUID().slice(0, 8)}`;
  const conns = Array.from(
    { length: 4 },
    () => new Redis('redis://127.0.0.1:6379', { enableAutoPipelining: true }),
  );
  const stores = conns.map((redis) => new RedisBiddingStore({ redis, prefix }));
  const store = stores[0]!;
  await seedHotAuction(store, conns[0]!, 'hot', 2000);
  let n = 0;
  let amount = 100;
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (performance.now() < end) {
        const i = n++;
        amount += 1 + (i % 3);
        const t = performance.now();
        const d = await stores[w % stores.length]!.placeBid({
          auctionId: 'hot',
          bidderId: `b${i % 2000}`,
          amount,
          idempotencyKey: `k${i}`,
          source: 'api',
        });
        latencies.push(performance.now() - t);
        const k = d.reason ?? d.outcome;
        outcomes[k] = (outcomes[k] ?? 0) + 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (x: number): number =>
    +latencies[Math.min(latencies.length - 1, Math.floor(x * latencies.length))]!.toFixed(2);
  console.log(
    JSON.stringify({
      bench: 'decisions',
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      decisions: latencies.length,
      decisions_per_s: Math.round(latencies.length / SECONDS),
      outcomes,
      latency_ms: { p50: q(0.5), p99: q(0.99), max: q(1) },
      node: process.version,
    }),
  );
  await deleteByPrefix(conns[0]!, prefix);
  for (const c of conns) c.disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
