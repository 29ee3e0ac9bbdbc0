import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { redisNamespace } from '../../test/support/redis-namespace.ts';
import {
  MemoryBidConfirmations,
  RedisBidConfirmations,
  type BidConfirmations,
  type ConfirmationOptions,
  type ConfirmationRequest,
} from './confirmations.ts';

/**
 * The confirmation of texted bids, one contract for both stores (in-process, and Redis with its
 * scripts), on a pinned clock: codes, their window, single use, a number's own codes only, and the
 * bound on guessing.
 */
const ns = redisNamespace('sms-confirm');
afterAll(() => ns.cleanup());

const T0 = 1_800_000_000_000;
const WINDOW = 300_000;
const LOCK = 3_600_000;
const ALICE = '+447700900201';
const MALLORY = '+447700900666';

type Make = (clock: { now: number }, opts?: Partial<ConfirmationOptions>) => BidConfirmations;
let run = 0;
const implementations: [string, Make][] = [
  [
    'memory',
    (clock, opts) => new MemoryBidConfirmations({ windowMs: WINDOW, clock: () => clock.now, ...opts }),
  ],
  [
    'redis',
    (clock, opts) =>
      new RedisBidConfirmations(ns.redis, `${ns.prefix}:${++run}`, {
        windowMs: WINDOW,
        clock: () => clock.now,
        ...opts,
      }),
  ],
];

const bidMessage = (n: number, phone = ALICE): ConfirmationRequest => ({
  phone,
  bidderId: 'alice',
  auctionId: 'lot-102',
  lotNumber: '102',
  currency: 'EUR',
  amount: 2_500_000,
  max: n % 2 === 0 ? undefined : 3_000_000,
  channel: 'sms',
  messageKey: `twilio:SM${n}`,
});

describe.each(implementations)('texted-bid confirmations (%s)', (_name, make) => {
  let clock: { now: number };
  let c: BidConfirmations;
  beforeEach(() => {
    clock = { now: T0 };
    c = make(clock);
  });

  it('opens one confirmation per bid message, with a random six-digit code and a window', async () => {
    const first = await c.request(bidMessage(1));
    expect(first).toMatchObject({ kind: 'pending', bid: { ...bidMessage(1), expiresAt: T0 + WINDOW } });
    if (first.kind !== 'pending') throw new Error('unreachable');
    expect(first.bid.code).toMatch(/^\d{6}$/);
    expect(first.bid.max).toBe(3_000_000);
    // The provider delivers the same message again: the same confirmation, the same code.
    clock.now += 10_000;
    expect(await c.request(bidMessage(1))).toEqual(first);
    // Another message is another confirmation, with its own code.
    const second = await c.request(bidMessage(2));
    expect(second.kind === 'pending' && second.bid.code !== first.bid.code).toBe(true);
    expect(second).toMatchObject({ bid: { max: undefined } });
  });

  it('places the bid on its code, once: a repeat finds it confirmed', async () => {
    const r = await c.request(bidMessage(1));
    const code = r.kind === 'pending' ? r.bid.code : '';
    clock.now += WINDOW;
    expect(await c.reply(ALICE, code)).toEqual({
      kind: 'confirmed',
      bid: (r as { bid: unknown }).bid,
      repeat: false,
    });
    expect(await c.reply(ALICE, code)).toMatchObject({ kind: 'confirmed', repeat: true });
    // A late redelivery of the bid message finds it confirmed (the caller answers with the bid's decision).
    expect(await c.request(bidMessage(1))).toMatchObject({ kind: 'confirmed', bid: { code } });
  });

  it("takes a code only from the number it was sent to, and only that number's", async () => {
    const r = await c.request(bidMessage(1));
    const code = r.kind === 'pending' ? r.bid.code : '';
    // Mallory has nothing waiting: her guess confirms nothing and costs Alice nothing.
    expect(await c.reply(MALLORY, code)).toEqual({ kind: 'none' });
    const wrong = code === '000000' ? '000001' : '000000';
    expect(await c.reply(ALICE, wrong)).toEqual({ kind: 'wrong_code', attemptsLeft: 4 });
    expect(await c.reply(ALICE, code)).toMatchObject({ kind: 'confirmed', repeat: false });
  });

  it('refuses a code after its window, and the bid message then finds it expired', async () => {
    const r = await c.request(bidMessage(1));
    const code = r.kind === 'pending' ? r.bid.code : '';
    clock.now += WINDOW + 1;
    expect(await c.reply(ALICE, code)).toEqual({ kind: 'expired' });
    expect(await c.reply(ALICE, code)).toEqual({ kind: 'expired' });
    expect(await c.request(bidMessage(1))).toMatchObject({ kind: 'expired', bid: { code } });
    // Nothing waits any more.
    expect(await c.reply(ALICE, '123456')).toEqual({ kind: 'none' });
  });

  it('cancels the waiting bids and locks the number after five wrong codes', async () => {
    const r = await c.request(bidMessage(1));
    const code = r.kind === 'pending' ? r.bid.code : '';
    const wrong = Array.from({ length: 5 }, (_, i) =>
      String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    for (const [i, w] of wrong.slice(0, 4).entries())
      expect(await c.reply(ALICE, w)).toEqual({ kind: 'wrong_code', attemptsLeft: 4 - i });
    expect(await c.reply(ALICE, wrong[4]!)).toEqual({ kind: 'locked' });
    // Even the right code: locked, and no new confirmation opens.
    expect(await c.reply(ALICE, code)).toEqual({ kind: 'locked' });
    expect(await c.request(bidMessage(2))).toEqual({ kind: 'locked' });
    // Other numbers are not affected.
    expect((await c.request(bidMessage(3, MALLORY))).kind).toBe('pending');
    // After the lock the cancelled bid stays cancelled; new bids can be confirmed again.
    clock.now += LOCK;
    expect(await c.reply(ALICE, code)).toEqual({ kind: 'expired' });
    const again = await c.request(bidMessage(4));
    expect(again.kind).toBe('pending');
    if (again.kind === 'pending')
      expect(await c.reply(ALICE, again.bid.code)).toMatchObject({ kind: 'confirmed' });
  });

  it('counts wrong codes for an hour, and a right one clears them', async () => {
    await c.request(bidMessage(1));
    const r = await c.request(bidMessage(2));
    const code = r.kind === 'pending' ? r.bid.code : '';
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 3; i++) await c.reply(ALICE, wrong);
    expect(await c.reply(ALICE, code)).toMatchObject({ kind: 'confirmed' });
    // Cleared: five more are needed to lock.
    expect(await c.reply(ALICE, wrong)).toEqual({ kind: 'wrong_code', attemptsLeft: 4 });
    clock.now += LOCK;
    const fresh = await c.request(bidMessage(3));
    expect(fresh.kind).toBe('pending');
    // The hour passed: the count starts again.
    expect(await c.reply(ALICE, wrong)).toEqual({ kind: 'wrong_code', attemptsLeft: 4 });
  });

  it('never gives one number the same code twice at once', async () => {
    const few = make(clock, { codeDigits: 1 });
    const codes = [];
    for (let i = 0; i < 10; i++) {
      const r = await few.request(bidMessage(i));
      codes.push(r.kind === 'pending' ? r.bid.code : 'x');
    }
    expect(new Set(codes).size).toBe(10);
  });

  it('forgets a code an hour after its window', async () => {
    const r = await c.request(bidMessage(1));
    const code = r.kind === 'pending' ? r.bid.code : '';
    clock.now += WINDOW + 3_600_001;
    // A very late redelivery opens a new confirmation (placing it again would be the same bid: one effect).
    const late = await c.request(bidMessage(1));
    expect(late.kind).toBe('pending');
    expect(await c.reply(ALICE, code === (late as { bid: { code: string } }).bid.code ? 'x' : code)).toEqual({
      kind: 'wrong_code',
      attemptsLeft: 4,
    });
  });
});
