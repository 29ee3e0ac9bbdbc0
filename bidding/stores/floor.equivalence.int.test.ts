import { isDecided } from '../../common/contracts/lot.ts';
import { MAX_MINOR } from '../../common/money.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBiddingStore } from './memory-store.ts';
import { RedisBiddingStore } from './redis-store.ts';
import type {
  AuctionSetup,
  AuctionSnapshot,
  BidDecision,
  BidRequest,
  BiddingStore,
  FloorAction,
  FloorActionRequest,
  FloorActionResult,
} from '../core/types.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { prng } from '../../test/support/random.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';

const ns = redisNamespace('bidding-floor-equivalence');
afterAll(() => ns.cleanup());

const T0 = 1_800_000_000_000;
const SEEDS = (process.env.GAVEL_FLOOR_EQUIVALENCE_SEEDS ?? '1,2,3,4,5,6,7,8').split(',').map(Number);
const LOTS = 10;
const STEPS = 800;
const BIDDERS = Array.from({ length: 8 }, (_, i) => `b${i}`);

type Op =
  | { op: 'bid'; req: BidRequest }
  | { op: 'floor'; req: FloorActionRequest }
  | { op: 'eligibility'; auctionId: string; bidderId: string; limit: number | undefined };

/** What happened, for the coverage check: the comparison proves little if the paths are never taken. */
const covered = new Set<string>();

function coverage(op: Op, out: unknown): string {
  if (op.op === 'bid') {
    const d = out as BidDecision;
    if (d.reason === 'OUTBID' && d.priceChanged) return 'bid:answered by an absentee';
    return `bid:${d.kind ?? d.reason}`;
  }
  if (op.op === 'floor') {
    const r = out as FloorActionResult;
    if (r.action === 'open' && r.leaderKind === 'absentee') return 'floor:open:absentee executed';
    if (r.reason === 'OUTBID' && r.priceChanged) return 'floor:floor_bid:answered by an absentee';
    return `floor:${r.action}:${r.reason ?? 'ok'}${r.replayed ? ':replayed' : ''}`;
  }
  return 'eligibility';
}

/**
 * A reproducible live sale: lots taken in order, absentee maximums left on lots still to come,
 * internet and floor bids racing at (and around) the asking price, and every floor action — the
 * state-dependent arguments (asking price, standing seq) read from the in-process store, so the
 * workload reaches the interesting paths instead of bouncing off validation.
 */
async function nextOp(
  r: ReturnType<typeof prng>,
  step: number,
  lots: AuctionSetup[],
  current: { index: number },
  memory: BiddingStore,
  history: Op[],
): Promise<Op[]> {
  const lot = lots[current.index]!;
  const s = (await memory.snapshot(lot.id))!;
  const key = `k${step}`;
  const floor = (a: FloorAction, auctionId = lot.id): Op => ({
    op: 'floor',
    req: { ...a, auctionId, idempotencyKey: key, correlationId: r.next() < 0.3 ? `c${step}` : undefined },
  });
  const around = (base: number): number =>
    r.pick([base, base, base, base, base + 5_000, base - 5_000, s.price, base + 20_000]);

  // The lot is finished: the next one opens, and the previous one hears that its undo window closed.
  if (isDecided(s.status) && current.index < lots.length - 1 && r.next() < 0.3) {
    current.index += 1;
    return [floor({ action: 'superseded' }), floor({ action: 'open' }, lots[current.index]!.id)];
  }
  const roll = r.next();
  if (roll < 0.05 && history.length > 0) {
    // A retry: the same request (or a changed one under the same key).
    const prior = r.pick(history);
    if (r.next() < 0.7) return [prior];
    if (prior.op === 'bid') return [{ op: 'bid', req: { ...prior.req, amount: prior.req.amount + 5_000 } }];
    if (prior.op === 'floor') return [{ op: 'floor', req: { ...prior.req, action: 'hammer' } }];
    return [prior];
  }
  if (roll < 0.08) {
    return [
      {
        op: 'eligibility',
        auctionId: r.pick(lots).id,
        bidderId: r.pick(BIDDERS),
        limit: r.next() < 0.3 ? undefined : r.int(10, 60) * 10_000,
      },
    ];
  }
  if (roll < 0.2) {
    // An absentee maximum on this lot or one to come (refused on lots already taken).
    const target = lots[Math.min(lots.length - 1, current.index + r.int(0, 3))]!;
    const max = target.opening + r.int(-2, 14) * 10_000;
    return [
      {
        op: 'bid',
        req: {
          auctionId: target.id,
          bidderId: r.pick(BIDDERS),
          amount: Math.min(max, target.opening),
          max,
          idempotencyKey: key,
          source: 'api',
        },
      },
    ];
  }
  if (s.status === 'scheduled' && r.next() < 0.5) {
    return [
      floor(
        r.next() < 0.3 ? { action: 'open', asking: lot.opening + r.int(-2, 2) * 5_000 } : { action: 'open' },
      ),
    ];
  }
  if (roll < 0.45) {
    const amount = around(s.asking);
    return [
      {
        op: 'bid',
        req: {
          auctionId: lot.id,
          bidderId: r.pick(BIDDERS),
          amount,
          max: r.next() < 0.1 ? amount + 50_000 : undefined,
          idempotencyKey: key,
          source: r.pick(['api', 'sms', 'floor'] as const),
        },
      },
    ];
  }
  if (roll < 0.65)
    return [floor({ action: 'floor_bid', paddle: String(r.int(1, 4)), amount: around(s.asking) })];

  // Any floor action, mostly on the lot on the block, sometimes on another (invalid transitions).
  const on = r.next() < 0.9 ? lot.id : r.pick(lots).id;
  const paddle = String(r.int(1, 4));
  const choices: [number, () => FloorAction][] = [
    [2, () => ({ action: 'open', asking: r.next() < 0.5 ? undefined : lot.opening })],
    [
      2,
      () => ({
        action: 'set_asking',
        amount: r.pick([0, s.price, s.price + 5_000, s.asking + 10_000, 70_000, MAX_MINOR + 1]),
      }),
    ],
    [1, () => ({ action: 'set_increment', step: r.pick([0, 0, 2_000, 5_000, 20_000, -1, MAX_MINOR]) })],
    // At the largest amount a bid may have, and one past it.
    [
      0.3,
      () => ({
        action: 'set_increment',
        step: MAX_MINOR - (s.bidCount > 0 ? s.price : s.asking) + r.pick([0, 1]),
      }),
    ],
    [3, () => ({ action: 'overrule', paddle: r.next() < 0.95 ? paddle : '' })],
    [3, () => ({ action: 'reject_bid', seq: r.next() < 0.75 ? s.standingSeq : r.int(0, s.lastSeq + 1) })],
    [3, () => ({ action: 'fair_warning' })],
    [2, () => ({ action: 'resume' })],
    [
      1,
      () => ({
        action: 'hold',
        message: r.pick(['Telephone line down', '', 'Provenance query — ünïcode ok']),
      }),
    ],
    [2, () => ({ action: 'resume_from_hold' })],
    [2, () => ({ action: 'hammer' })],
    [0.4, () => ({ action: 'pass' })],
    [0.3, () => ({ action: 'withdraw' })],
    [3, () => ({ action: 'undo' })],
    [0.3, () => ({ action: 'superseded' })],
  ];
  let w = r.next() * choices.reduce((sum, [weight]) => sum + weight, 0);
  for (const [weight, make] of choices) {
    w -= weight;
    if (w <= 0) return [floor(make(), on)];
  }
  return [floor({ action: 'undo' }, on)];
}

async function apply(store: BiddingStore, op: Op): Promise<unknown> {
  if (op.op === 'bid') return store.placeBid(op.req);
  if (op.op === 'floor') return store.floorAction(op.req);
  await store.setEligibility(op.auctionId, op.bidderId, op.limit);
  return undefined;
}

describe('floor actions: the Redis script and the in-process store decide identically', () => {
  it.each(SEEDS)(
    'seed %i',
    async (seed) => {
      const r = prng(seed);
      const lots = Array.from({ length: LOTS }, (_, i) =>
        timedSetup(`floor-eq-${seed}-${i}`, T0, {
          mode: 'live',
          status: 'scheduled',
          opening: r.pick([50_000, 100_000, 120_000]),
          reserve: r.pick([0, 0, 150_000, 300_000]),
        }),
      );
      const memClock = { now: T0 };
      const redisClock = { now: T0 };
      const memory = new MemoryBiddingStore({ clock: () => memClock.now });
      const redis = new RedisBiddingStore({
        redis: ns.redis,
        prefix: `${ns.prefix}:${seed}`,
        clock: () => redisClock.now,
      });
      for (const store of [memory, redis]) {
        for (const lot of lots) {
          await store.configure(lot);
          for (const b of BIDDERS) await store.setEligibility(lot.id, b, 600_000);
        }
      }
      const current = { index: 0 };
      const history: Op[] = [];
      for (let step = 0; step < STEPS; step++) {
        const advance = r.int(0, 2_000);
        memClock.now += advance;
        redisClock.now += advance;
        for (const op of await nextOp(r, step, lots, current, memory, history)) {
          const expected = await apply(memory, op);
          const actual = await apply(redis, op);
          expect(actual, `seed ${seed}, step ${step}: ${JSON.stringify(op)}`).toEqual(expected);
          covered.add(coverage(op, expected));
          if (op.op !== 'eligibility') history.push(op);
        }
      }
      for (const lot of lots) {
        const snapshots: (AuctionSnapshot | undefined)[] = [
          await memory.snapshot(lot.id),
          await redis.snapshot(lot.id),
        ];
        expect(snapshots[1]).toEqual(snapshots[0]);
        const streams = await Promise.all(
          [memory, redis].map(async (store) =>
            (await store.decisions(lot.id, '0', 10_000)).map(({ streamId: _s, ...rest }) => rest),
          ),
        );
        expect(streams[1]).toEqual(streams[0]);
      }
      // The sale got somewhere: several lots were taken.
      expect(current.index).toBeGreaterThanOrEqual(3);
    },
    60_000,
  );

  it('the workload took every interesting path', () => {
    const needed = [
      'bid:bid',
      'bid:absentee',
      'bid:OUTBID',
      'bid:TOO_LOW',
      'bid:NOT_STARTED',
      'bid:CLOSED',
      'bid:ON_HOLD',
      'bid:answered by an absentee',
      'floor:open:ok',
      'floor:open:absentee executed',
      'floor:floor_bid:ok',
      'floor:floor_bid:OUTBID',
      'floor:floor_bid:answered by an absentee',
      'floor:set_asking:ok',
      'floor:set_asking:TOO_LOW',
      'floor:set_increment:ok',
      'floor:set_increment:TOO_HIGH',
      'floor:set_asking:TOO_HIGH',
      'floor:overrule:ok',
      'floor:overrule:NOTHING_TO_OVERRULE',
      'floor:reject_bid:ok',
      'floor:reject_bid:NOT_LATEST_BID',
      'floor:fair_warning:ok',
      'floor:resume:ok',
      'floor:hold:ok',
      'floor:resume_from_hold:ok',
      'floor:hammer:ok',
      'floor:pass:ok',
      'floor:withdraw:ok',
      'floor:undo:ok',
      'floor:undo:NOTHING_TO_UNDO',
      'floor:undo:UNDO_WINDOW_CLOSED',
      'floor:superseded:ok',
      'floor:hammer:IDEMPOTENCY_KEY_REUSED:replayed',
      'floor:hammer:CLOSED',
      'floor:fair_warning:INVALID_TRANSITION',
    ];
    expect(needed.filter((k) => !covered.has(k))).toEqual([]);
  });
});
