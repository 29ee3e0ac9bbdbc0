import type { Redis } from 'ioredis';
import type { RedisBiddingStore } from '../../bidding/index.ts';

/**
 * The benchmarks' hot auction: a timed lot open for an hour with a one-cent step (every higher
 * amount is valid) and `bidders` eligible bidders `b0…` with no practical limit.
 */
export async function seedHotAuction(
  store: RedisBiddingStore,
  redis: Redis,
  auctionId: string,
  bidders: number,
): Promise<void> {
  const t0 = Date.now();
  await store.configure({
    id: auctionId,
    saleId: 'bench',
    mode: 'timed',
    currency: 'EUR',
    status: 'open',
    startsAt: t0 - 1000,
    endsAt: t0 + 3_600_000,
    graceMs: 0,
    softCloseMs: 0,
    softCloseCapMs: 0,
    increments: [{ from: 0, step: 1 }],
    opening: 100,
    reserve: 0,
  });
  const pipeline = redis.pipeline();
  for (let i = 0; i < bidders; i++) pipeline.hset(store.keys(auctionId).eligibility, `b${i}`, '999999999999');
  await pipeline.exec();
}

/** Deletes every key under a benchmark's prefix. */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
