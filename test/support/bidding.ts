import type { Redis } from 'ioredis';
import {
  MemoryBiddingStore,
  RedisBiddingStore,
  type AuctionSetup,
  type BiddingStore,
} from '../../bidding/index.ts';

/** A timed auction in EUR minor units: opening 100.00, increments 0–1,000 by 50, 1,000–5,000 by 100, then 250. */
export function timedSetup(id: string, now: number, overrides: Partial<AuctionSetup> = {}): AuctionSetup {
  return {
    id,
    saleId: 'sale-1',
    mode: 'timed',
    currency: 'EUR',
    status: 'open',
    startsAt: now - 60_000,
    endsAt: now + 3_600_000,
    graceMs: 2_000,
    softCloseMs: 0,
    softCloseCapMs: 0,
    increments: [
      { from: 0, step: 5_000 },
      { from: 100_000, step: 10_000 },
      { from: 500_000, step: 25_000 },
    ],
    opening: 10_000,
    reserve: 0,
    ...overrides,
  };
}

/** A store with a pinned clock, for the contract suites that run against both implementations. */
export interface StoreHarness {
  store: BiddingStore;
  clock: { now: number };
}

/** `describe.each` rows: the in-process store and the Redis store (under `prefix`), each with its own clock starting at `t0`. */
export function storeImplementations(
  ns: { redis: Redis; prefix: string },
  t0: number,
): [string, () => StoreHarness][] {
  return [
    [
      'memory',
      () => {
        const clock = { now: t0 };
        return { clock, store: new MemoryBiddingStore({ clock: () => clock.now }) };
      },
    ],
    [
      'redis',
      () => {
        const clock = { now: t0 };
        return {
          clock,
          store: new RedisBiddingStore({ redis: ns.redis, prefix: ns.prefix, clock: () => clock.now }),
        };
      },
    ],
  ];
}
