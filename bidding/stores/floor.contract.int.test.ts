import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  AuctionSetup,
  AuctionSnapshot,
  BidDecision,
  BidRequest,
  FloorAction,
  FloorActionResult,
  RecordedFloorAction,
} from '../core/types.ts';
import { seqOfRecord } from '../core/types.ts';
import { storeImplementations, timedSetup, type StoreHarness } from '../../test/support/bidding.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';

const T0 = 1_800_000_000_000;
const ns = redisNamespace('bidding-floor-contract');
afterAll(() => ns.cleanup());

type Harness = StoreHarness;

const implementations = storeImplementations(ns, T0);

/** A live lot, scheduled, opening at 1,000.00; steps 50.00 below 1,000.00, 100.00 to 5,000.00, then 250.00. */
function liveLot(id: string, overrides: Partial<AuctionSetup> = {}): AuctionSetup {
  return timedSetup(id, T0, { mode: 'live', status: 'scheduled', opening: 100_000, ...overrides });
}

describe.each(implementations)('floor actions on a live lot (%s)', (_name, make) => {
  let h: Harness;
  let lot: string;
  let n = 0;

  const act = (a: FloorAction, opts: { lot?: string; key?: string } = {}): Promise<FloorActionResult> =>
    h.store.floorAction({ ...a, auctionId: opts.lot ?? lot, idempotencyKey: opts.key ?? `f${++n}` });
  const bid = (bidderId: string, amount: number, extra: Partial<BidRequest> = {}): Promise<BidDecision> =>
    h.store.placeBid({
      auctionId: lot,
      bidderId,
      amount,
      idempotencyKey: `b${++n}`,
      source: 'api',
      ...extra,
    });
  const snap = async (id = lot): Promise<AuctionSnapshot> => (await h.store.snapshot(id))!;
  const floorEvents = async (id = lot): Promise<RecordedFloorAction[]> =>
    (await h.store.decisions(id)).filter((e): e is RecordedFloorAction => e.type === 'floor');
  /** The lot's state without the fields every event moves (seq). */
  const stateOf = async (id = lot): Promise<Omit<AuctionSnapshot, 'lastSeq'>> => {
    const { lastSeq: _seq, ...rest } = await snap(id);
    return rest;
  };
  const newLot = async (overrides: Partial<AuctionSetup> = {}): Promise<string> => {
    const id = randomUUID();
    await h.store.configure(liveLot(id, overrides));
    for (const b of ['alice', 'bob', 'carol']) await h.store.setEligibility(id, b, 100_000_000);
    return id;
  };

  beforeEach(async () => {
    h = make();
    lot = await newLot();
  });

  describe('open', () => {
    it('opens a scheduled lot at the opening asking price', async () => {
      expect((await snap()).status).toBe('scheduled');
      const r = await act({ action: 'open' });
      expect(r).toMatchObject({
        seq: 1,
        action: 'open',
        outcome: 'accepted',
        reason: undefined,
        status: 'open',
        previousStatus: 'scheduled',
        price: 0,
        leaderId: undefined,
        asking: 100_000,
        bidCount: 0,
        priceChanged: false,
        decidedAt: T0,
        replayed: false,
      });
      expect(await snap()).toMatchObject({
        status: 'open',
        asking: 100_000,
        nextMinimum: 100_000,
        lastSeq: 1,
      });
    });

    it('opens at a given asking price, or at one the clerk set before opening', async () => {
      expect(await act({ action: 'open', asking: 80_000 })).toMatchObject({
        outcome: 'accepted',
        asking: 80_000,
      });
      const other = await newLot();
      expect(await act({ action: 'set_asking', amount: 70_000 }, { lot: other })).toMatchObject({
        outcome: 'accepted',
        status: 'scheduled',
        asking: 70_000,
      });
      expect(await act({ action: 'open' }, { lot: other })).toMatchObject({ asking: 70_000 });
      expect((await bid('alice', 70_000, { auctionId: other })).outcome).toBe('accepted');
    });
  });

  describe('floor bids', () => {
    beforeEach(async () => {
      await act({ action: 'open' });
    });

    it('takes a floor bid at the asking price for a paddle and steps the asking price up', async () => {
      const r = await act({ action: 'floor_bid', paddle: '12', amount: 100_000 });
      expect(r).toMatchObject({
        outcome: 'accepted',
        status: 'open',
        price: 100_000,
        leaderId: 'paddle:12',
        leaderKind: 'floor',
        previousLeaderId: undefined,
        priceChanged: true,
        asking: 110_000,
        bidCount: 1,
        standingSeq: r.seq,
      });
      expect(await snap()).toMatchObject({
        price: 100_000,
        leaderId: 'paddle:12',
        leaderKind: 'floor',
        leaderPaddle: '12',
        asking: 110_000,
        standingSeq: r.seq,
      });
    });

    it('refuses a floor bid below the asking price, at the standing price, or from the leading paddle', async () => {
      expect((await act({ action: 'floor_bid', paddle: '7', amount: 95_000 })).reason).toBe('TOO_LOW');
      await act({ action: 'floor_bid', paddle: '12', amount: 100_000 });
      expect((await act({ action: 'floor_bid', paddle: '12', amount: 110_000 })).reason).toBe(
        'ALREADY_LEADING',
      );
      expect((await act({ action: 'floor_bid', paddle: '7', amount: 100_000 })).reason).toBe('OUTBID');
      expect((await act({ action: 'floor_bid', paddle: '7', amount: 105_000 })).reason).toBe('TOO_LOW');
      expect(await bid('alice', 110_000)).toMatchObject({ outcome: 'accepted', leaderId: 'alice' });
      expect(await act({ action: 'floor_bid', paddle: '7', amount: 120_000 })).toMatchObject({
        outcome: 'accepted',
        leaderId: 'paddle:7',
        previousLeaderId: 'alice',
        asking: 130_000,
      });
    });

    it('refuses malformed floor bids', async () => {
      for (const a of [
        { action: 'floor_bid', paddle: '', amount: 100_000 },
        { action: 'floor_bid', paddle: '3', amount: 0 },
        { action: 'floor_bid', paddle: '3', amount: -100_000 },
        { action: 'floor_bid', paddle: '3', amount: 100_000.5 },
        { action: 'floor_bid', paddle: '3', amount: Number.NaN },
      ] as const)
        expect(await act(a)).toMatchObject({
          outcome: 'rejected',
          reason: 'INVALID_REQUEST',
          priceChanged: false,
        });
      expect((await snap()).bidCount).toBe(0);
    });

    it('gives an internet bid and a floor bid at the same asking price to the first decided', async () => {
      expect((await bid('alice', 100_000)).outcome).toBe('accepted');
      expect(await act({ action: 'floor_bid', paddle: '4', amount: 100_000 })).toMatchObject({
        outcome: 'rejected',
        reason: 'OUTBID',
        leaderId: 'alice',
        price: 100_000,
        priceChanged: false,
      });
      expect((await act({ action: 'floor_bid', paddle: '4', amount: 110_000 })).outcome).toBe('accepted');
      expect(await bid('bob', 110_000)).toMatchObject({
        outcome: 'rejected',
        reason: 'OUTBID',
        leaderId: 'paddle:4',
      });
    });
  });

  describe('asking price and increment', () => {
    beforeEach(async () => {
      await act({ action: 'open' });
    });

    it('sets the asking price: anywhere before the first bid, above the standing bid after', async () => {
      expect(await act({ action: 'set_asking', amount: 90_000 })).toMatchObject({
        outcome: 'accepted',
        asking: 90_000,
      });
      expect(await bid('alice', 90_000)).toMatchObject({ outcome: 'accepted', asking: 95_000 });
      expect(await act({ action: 'set_asking', amount: 90_000 })).toMatchObject({
        reason: 'TOO_LOW',
        asking: 95_000,
      });
      expect((await act({ action: 'set_asking', amount: 0 })).reason).toBe('INVALID_REQUEST');
      expect(await act({ action: 'set_asking', amount: 97_000 })).toMatchObject({
        outcome: 'accepted',
        asking: 97_000,
      });
      expect((await bid('bob', 95_000)).reason).toBe('TOO_LOW');
      expect(await act({ action: 'floor_bid', paddle: '1', amount: 97_000 })).toMatchObject({
        outcome: 'accepted',
        asking: 102_000,
      });
    });

    it("steps by the clerk's increment until it is cleared with 0", async () => {
      await bid('alice', 100_000);
      const r = await act({ action: 'set_increment', step: 2_000 });
      expect(r).toMatchObject({ outcome: 'accepted', step: 2_000, asking: 102_000 });
      expect((await snap()).incrementOverride).toBe(2_000);
      expect(await act({ action: 'floor_bid', paddle: '9', amount: 102_000 })).toMatchObject({
        asking: 104_000,
      });
      expect(await act({ action: 'set_increment', step: 0 })).toMatchObject({ step: 0, asking: 112_000 });
      expect((await snap()).incrementOverride).toBe(0);
      expect((await act({ action: 'set_increment', step: -5 })).reason).toBe('INVALID_REQUEST');
    });

    it('never lets the asking price pass the largest amount a bid may have', async () => {
      const MAX = 9_999_999_999_999;
      const before = await stateOf();
      expect(await act({ action: 'set_asking', amount: MAX + 1 })).toMatchObject({
        outcome: 'rejected',
        reason: 'TOO_HIGH',
        asking: 100_000,
      });
      expect(await act({ action: 'set_increment', step: MAX - 100_000 + 1 })).toMatchObject({
        reason: 'TOO_HIGH',
        step: 0,
        asking: 100_000,
      });
      expect((await act({ action: 'floor_bid', paddle: '3', amount: MAX + 1 })).reason).toBe('TOO_HIGH');
      // Refused, recorded, and nothing changed.
      expect(await stateOf()).toEqual(before);
      expect((await floorEvents()).map((e) => e.result.reason)).toEqual([
        undefined,
        'TOO_HIGH',
        'TOO_HIGH',
        'TOO_HIGH',
      ]);
      // Up to the largest amount itself.
      expect(await act({ action: 'set_increment', step: MAX - 100_000 })).toMatchObject({
        outcome: 'accepted',
        step: MAX - 100_000,
      });
      await act({ action: 'set_increment', step: 0 });
      await bid('alice', 100_000);
      expect((await act({ action: 'set_increment', step: MAX - 100_000 + 1 })).reason).toBe('TOO_HIGH');
      expect(await act({ action: 'set_increment', step: MAX - 100_000 })).toMatchObject({
        outcome: 'accepted',
        asking: MAX,
      });
      expect(await act({ action: 'set_asking', amount: MAX })).toMatchObject({
        outcome: 'accepted',
        asking: MAX,
      });
      const other = await newLot();
      expect(await act({ action: 'open', asking: MAX + 1 }, { lot: other })).toMatchObject({
        reason: 'TOO_HIGH',
        status: 'scheduled',
      });
    });

    it('takes an increment set before the lot opens', async () => {
      const other = await newLot();
      expect((await act({ action: 'set_increment', step: 1_000 }, { lot: other })).outcome).toBe('accepted');
      await act({ action: 'open' }, { lot: other });
      expect(await act({ action: 'floor_bid', paddle: '2', amount: 100_000 }, { lot: other })).toMatchObject({
        asking: 101_000,
      });
    });
  });

  describe('overrule', () => {
    beforeEach(async () => {
      await act({ action: 'open' });
    });

    it('gives the last internet bid to a floor paddle at the same amount, keeping the internet bid on record', async () => {
      const internet = await bid('alice', 100_000);
      const r = await act({ action: 'overrule', paddle: '5' });
      expect(r).toMatchObject({
        outcome: 'accepted',
        price: 100_000,
        leaderId: 'paddle:5',
        leaderKind: 'floor',
        previousLeaderId: 'alice',
        previousPrice: 100_000,
        priceChanged: true,
        asking: 110_000,
        standingSeq: r.seq,
      });
      const events = await h.store.decisions(lot);
      expect(events.map((e) => e.type)).toEqual(['floor', 'bid', 'floor']);
      expect(events[1]).toMatchObject({ type: 'bid', decision: { ...internet, replayed: false } });
      expect(events[2]).toMatchObject({ type: 'floor', action: { action: 'overrule', paddle: '5' } });
      // Rejecting the floor bid that replaced the internet bid goes back past both.
      expect(await act({ action: 'reject_bid', seq: r.seq })).toMatchObject({
        outcome: 'accepted',
        price: 0,
        leaderId: undefined,
        bidCount: 0,
        asking: 100_000,
      });
    });

    it('refuses when the standing bid is not an internet bid', async () => {
      expect((await act({ action: 'overrule', paddle: '5' })).reason).toBe('NOTHING_TO_OVERRULE');
      await act({ action: 'floor_bid', paddle: '3', amount: 100_000 });
      expect((await act({ action: 'overrule', paddle: '5' })).reason).toBe('NOTHING_TO_OVERRULE');
      await bid('alice', 110_000);
      expect((await act({ action: 'overrule', paddle: '' })).reason).toBe('INVALID_REQUEST');
    });
  });

  describe('reject_bid', () => {
    beforeEach(async () => {
      await act({ action: 'open' });
    });

    it('reverts the standing bid to the one before, one at a time, named by seq', async () => {
      const a = await bid('alice', 100_000);
      const f = await act({ action: 'floor_bid', paddle: '3', amount: 110_000 });
      await act({ action: 'set_asking', amount: 125_000 });
      const b = await bid('bob', 125_000);
      expect((await snap()).standingSeq).toBe(b.seq);
      expect(await act({ action: 'reject_bid', seq: f.seq })).toMatchObject({
        reason: 'NOT_LATEST_BID',
        price: 125_000,
      });
      // Back to paddle 3, asking what was asked when bob's bid came.
      expect(await act({ action: 'reject_bid', seq: b.seq })).toMatchObject({
        outcome: 'accepted',
        price: 110_000,
        leaderId: 'paddle:3',
        previousLeaderId: 'bob',
        priceChanged: true,
        asking: 125_000,
        bidCount: 2,
        standingSeq: f.seq,
      });
      expect(await act({ action: 'reject_bid', seq: f.seq })).toMatchObject({
        price: 100_000,
        leaderId: 'alice',
        asking: 110_000,
        bidCount: 1,
        standingSeq: a.seq,
      });
      expect(await act({ action: 'reject_bid', seq: a.seq })).toMatchObject({
        price: 0,
        leaderId: undefined,
        asking: 100_000,
        bidCount: 0,
        standingSeq: 0,
      });
      expect((await act({ action: 'reject_bid', seq: a.seq })).reason).toBe('NOTHING_TO_REJECT');
      expect((await act({ action: 'reject_bid', seq: 0 })).reason).toBe('INVALID_REQUEST');
      // The rejected bids stay on record as accepted decisions; the rejections are their own events.
      const events = await h.store.decisions(lot);
      expect(events.filter((e) => e.type === 'bid').map((e) => e.decision.outcome)).toEqual([
        'accepted',
        'accepted',
      ]);
      expect(await bid('bob', 100_000)).toMatchObject({ outcome: 'accepted', price: 100_000, bidCount: 1 });
    });

    it('works while the lot is on hold', async () => {
      const a = await bid('alice', 100_000);
      await act({ action: 'hold', message: 'Checking the bid' });
      expect(await act({ action: 'reject_bid', seq: a.seq })).toMatchObject({
        outcome: 'accepted',
        status: 'on_hold',
        leaderId: undefined,
      });
    });
  });

  describe('fair warning and hold', () => {
    beforeEach(async () => {
      await act({ action: 'open' });
    });

    it('gives fair warning, resumes, and reopens on a bid', async () => {
      await bid('alice', 100_000);
      expect(await act({ action: 'fair_warning' })).toMatchObject({
        status: 'fair_warning',
        previousStatus: 'open',
      });
      expect(await act({ action: 'resume' })).toMatchObject({
        status: 'open',
        previousStatus: 'fair_warning',
      });
      await act({ action: 'fair_warning' });
      expect(await bid('bob', 110_000)).toMatchObject({ outcome: 'accepted' });
      expect((await snap()).status).toBe('open');
      await act({ action: 'fair_warning' });
      await act({ action: 'floor_bid', paddle: '8', amount: 120_000 });
      expect((await snap()).status).toBe('open');
    });

    it('holds with a message and resumes to the status it was held from', async () => {
      await bid('alice', 100_000);
      await act({ action: 'fair_warning' });
      const held = await act({ action: 'hold', message: 'Telephone line down' });
      expect(held).toMatchObject({ outcome: 'accepted', status: 'on_hold', message: 'Telephone line down' });
      expect(await snap()).toMatchObject({ status: 'on_hold', message: 'Telephone line down' });
      expect((await bid('bob', 110_000)).reason).toBe('ON_HOLD');
      expect((await act({ action: 'floor_bid', paddle: '1', amount: 110_000 })).reason).toBe('ON_HOLD');
      const resumed = await act({ action: 'resume_from_hold' });
      expect(resumed).toMatchObject({ status: 'fair_warning', message: undefined });
      expect((await snap()).message).toBeUndefined();

      const other = await newLot();
      await act({ action: 'hold', message: '' }, { lot: other });
      expect((await snap(other)).message).toBeUndefined();
      expect(await act({ action: 'resume_from_hold' }, { lot: other })).toMatchObject({
        status: 'scheduled',
      });
    });
  });

  describe('hammer, pass, withdraw', () => {
    it('sells to the leader when the price meets the reserve', async () => {
      const other = await newLot({ reserve: 100_000 });
      await act({ action: 'open' }, { lot: other });
      await bid('alice', 100_000, { auctionId: other });
      await act({ action: 'fair_warning' }, { lot: other });
      expect(await act({ action: 'hammer' }, { lot: other })).toMatchObject({
        outcome: 'accepted',
        status: 'sold',
        previousStatus: 'fair_warning',
        leaderId: 'alice',
        price: 100_000,
        reserveMet: true,
      });
      expect((await bid('bob', 110_000, { auctionId: other })).reason).toBe('CLOSED');
      expect((await act({ action: 'floor_bid', paddle: '2', amount: 110_000 }, { lot: other })).reason).toBe(
        'CLOSED',
      );
    });

    it('leaves the lot unsold below the reserve or without bids', async () => {
      const reserved = await newLot({ reserve: 150_000 });
      await act({ action: 'open' }, { lot: reserved });
      await act({ action: 'floor_bid', paddle: '6', amount: 100_000 }, { lot: reserved });
      expect(await act({ action: 'hammer' }, { lot: reserved })).toMatchObject({
        status: 'unsold',
        reserveMet: false,
      });
      await act({ action: 'open' });
      expect(await act({ action: 'hammer' })).toMatchObject({ outcome: 'accepted', status: 'unsold' });
    });

    it('passes an open lot and withdraws a lot before the hammer', async () => {
      await act({ action: 'open' });
      expect(await act({ action: 'pass' })).toMatchObject({ outcome: 'accepted', status: 'passed' });
      const scheduled = await newLot();
      expect(await act({ action: 'withdraw' }, { lot: scheduled })).toMatchObject({ status: 'withdrawn' });
      const held = await newLot();
      await act({ action: 'open' }, { lot: held });
      await act({ action: 'hold', message: 'Provenance query' }, { lot: held });
      expect(await act({ action: 'withdraw' }, { lot: held })).toMatchObject({ status: 'withdrawn' });
    });
  });

  describe('invalid transitions', () => {
    const refuse = async (a: FloorAction, reason: string, id = lot): Promise<void> => {
      const before = await stateOf(id);
      expect(await act(a, { lot: id }), `${a.action} from ${before.status}`).toMatchObject({
        outcome: 'rejected',
        reason,
        status: before.status,
        priceChanged: false,
      });
      expect(await stateOf(id)).toEqual(before);
    };

    it('refuses actions a scheduled lot cannot take', async () => {
      for (const a of [
        { action: 'hammer' },
        { action: 'floor_bid', paddle: '1', amount: 100_000 },
        { action: 'overrule', paddle: '1' },
        { action: 'reject_bid', seq: 1 },
        { action: 'fair_warning' },
        { action: 'resume' },
        { action: 'resume_from_hold' },
        { action: 'pass' },
      ] as const)
        await refuse(a, 'NOT_STARTED');
      await refuse({ action: 'undo' }, 'NOTHING_TO_UNDO');
    });

    it('refuses actions an open, warned or held lot cannot take', async () => {
      await act({ action: 'open' });
      await refuse({ action: 'open' }, 'INVALID_TRANSITION');
      await refuse({ action: 'resume' }, 'INVALID_TRANSITION');
      await refuse({ action: 'resume_from_hold' }, 'INVALID_TRANSITION');
      await act({ action: 'fair_warning' });
      await refuse({ action: 'fair_warning' }, 'INVALID_TRANSITION');
      await refuse({ action: 'open' }, 'INVALID_TRANSITION');
      await act({ action: 'hold', message: 'Hold' });
      for (const a of [
        { action: 'hold', message: 'again' },
        { action: 'open' },
        { action: 'hammer' },
        { action: 'pass' },
        { action: 'fair_warning' },
        { action: 'set_asking', amount: 200_000 },
        { action: 'floor_bid', paddle: '1', amount: 100_000 },
      ] as const)
        await refuse(a, 'ON_HOLD');
    });

    it('refuses everything but undo on a finished lot', async () => {
      await act({ action: 'open' });
      await act({ action: 'pass' });
      for (const a of [
        { action: 'open' },
        { action: 'hammer' },
        { action: 'pass' },
        { action: 'withdraw' },
        { action: 'hold', message: 'x' },
        { action: 'floor_bid', paddle: '1', amount: 100_000 },
        { action: 'set_increment', step: 1 },
        { action: 'reject_bid', seq: 1 },
        { action: 'resume_from_hold' },
      ] as const)
        await refuse(a, 'CLOSED');
    });

    it('records refused actions as rejected events that take a seq', async () => {
      const r = await act({ action: 'hammer' });
      expect(r).toMatchObject({ seq: 1, outcome: 'rejected', reason: 'NOT_STARTED' });
      const [e] = await floorEvents();
      expect(e).toMatchObject({ type: 'floor', action: { action: 'hammer' }, result: r });
      expect((await snap()).lastSeq).toBe(1);
    });

    it('refuses floor actions on a timed auction, and on an unknown one without effect', async () => {
      const timed = randomUUID();
      await h.store.configure(timedSetup(timed, T0));
      expect(await act({ action: 'open' }, { lot: timed })).toMatchObject({
        seq: 1,
        outcome: 'rejected',
        reason: 'NOT_LIVE',
        status: 'open',
      });
      const unknown = await act({ action: 'open' }, { lot: `nope-${randomUUID()}` });
      expect(unknown).toMatchObject({
        seq: 0,
        outcome: 'rejected',
        reason: 'UNKNOWN_AUCTION',
        status: undefined,
      });
    });
  });

  describe('undo', () => {
    beforeEach(async () => {
      await act({ action: 'open' });
    });

    it('undoes a hammer, once, and not after the next lot has opened', async () => {
      await bid('alice', 100_000);
      await act({ action: 'fair_warning' });
      const before = await stateOf();
      const hammer = await act({ action: 'hammer' });
      expect(hammer.status).toBe('sold');
      expect(await snap()).toMatchObject({ undoAvailable: true, undoAction: 'hammer' });
      const u = await act({ action: 'undo' });
      expect(u).toMatchObject({
        outcome: 'accepted',
        status: 'fair_warning',
        previousStatus: 'sold',
        price: 100_000,
        leaderId: 'alice',
        undone: { action: 'hammer', seq: hammer.seq },
      });
      expect(await stateOf()).toEqual({ ...before, undoAvailable: false, undoAction: undefined });
      expect((await act({ action: 'undo' })).reason).toBe('NOTHING_TO_UNDO');
      expect((await act({ action: 'hammer' })).status).toBe('sold');
      expect(await act({ action: 'superseded' })).toMatchObject({ outcome: 'accepted', status: 'sold' });
      expect((await snap()).undoAvailable).toBe(false);
      expect(await act({ action: 'undo' })).toMatchObject({ reason: 'UNDO_WINDOW_CLOSED', status: 'sold' });
    });

    it('undoes a floor bid, a rejection and an asking price exactly', async () => {
      await bid('alice', 100_000);
      const s0 = await stateOf();
      await act({ action: 'floor_bid', paddle: '2', amount: 110_000 });
      expect(await act({ action: 'undo' })).toMatchObject({
        price: 100_000,
        leaderId: 'alice',
        asking: 110_000,
      });
      expect(await stateOf()).toEqual(s0);
      const f = await act({ action: 'floor_bid', paddle: '2', amount: 110_000 });
      const s1 = await stateOf();
      await act({ action: 'reject_bid', seq: f.seq });
      await act({ action: 'undo' });
      expect(await stateOf()).toEqual({ ...s1, undoAvailable: false, undoAction: undefined });
      await act({ action: 'set_asking', amount: 150_000 });
      expect(await act({ action: 'undo' })).toMatchObject({
        asking: 120_000,
        undone: { action: 'set_asking' },
      });
    });

    it('is not available once a bid has changed the lot', async () => {
      await act({ action: 'fair_warning' });
      await bid('bob', 100_000);
      expect((await snap()).undoAvailable).toBe(false);
      expect((await act({ action: 'undo' })).reason).toBe('NOTHING_TO_UNDO');
      // A refused bid changes nothing, so it does not end the undo window.
      await act({ action: 'set_asking', amount: 130_000 });
      expect((await bid('carol', 100_000)).outcome).toBe('rejected');
      expect((await act({ action: 'undo' })).outcome).toBe('accepted');
    });

    it('reopens the undo window for a later action after superseded', async () => {
      await act({ action: 'superseded' });
      expect((await act({ action: 'undo' })).reason).toBe('UNDO_WINDOW_CLOSED');
      await act({ action: 'fair_warning' });
      expect((await act({ action: 'undo' })).outcome).toBe('accepted');
    });
  });

  describe('absentee maximums', () => {
    const absentee = (bidderId: string, max: number, id = lot): Promise<BidDecision> =>
      bid(bidderId, max, { auctionId: id, max });

    it('records a maximum on a scheduled live lot without a price', async () => {
      const d = await absentee('alice', 150_000);
      expect(d).toMatchObject({
        outcome: 'accepted',
        kind: 'absentee',
        price: 0,
        leaderId: undefined,
        priceChanged: false,
        bidCount: 0,
        asking: 100_000,
      });
      expect(await snap()).toMatchObject({ status: 'scheduled', price: 0, leaderId: undefined, bidCount: 0 });
      // Confidential: neither the snapshot nor the public fields show it.
      expect(JSON.stringify(await snap())).not.toContain('150000');
      // The clerk's commission bar asks for it apart: the best two, highest first, earlier first on ties.
      expect(await h.store.waitingAbsentees(lot)).toEqual([{ bidderId: 'alice', max: 150_000 }]);
      await absentee('bob', 170_000);
      await absentee('carol', 150_000);
      expect(await h.store.waitingAbsentees(lot)).toEqual([
        { bidderId: 'bob', max: 170_000 },
        { bidderId: 'alice', max: 150_000 },
      ]);
      expect(await h.store.waitingAbsentees('no-such-lot')).toEqual([]);
    });

    it('refuses what cannot be an absentee bid', async () => {
      expect((await bid('alice', 100_000)).reason).toBe('NOT_STARTED');
      expect((await absentee('alice', 90_000)).reason).toBe('TOO_LOW');
      expect((await absentee('mallory', 150_000)).reason).toBe('NOT_ELIGIBLE');
      await h.store.setEligibility(lot, 'dave', 120_000);
      expect((await absentee('dave', 130_000)).reason).toBe('OVER_LIMIT');
      expect((await absentee('alice', 150_000)).outcome).toBe('accepted');
      expect((await absentee('alice', 140_000)).reason).toBe('TOO_LOW');
      expect((await absentee('alice', 150_000)).reason).toBe('TOO_LOW');
      expect((await absentee('alice', 160_000)).kind).toBe('absentee');
    });

    it('opens at the asking price for a single absentee, then answers bids one step up to its maximum', async () => {
      await absentee('alice', 200_000);
      const open = await act({ action: 'open' });
      expect(open).toMatchObject({
        outcome: 'accepted',
        status: 'open',
        price: 100_000,
        leaderId: 'alice',
        leaderKind: 'absentee',
        priceChanged: true,
        asking: 110_000,
        bidCount: 1,
        standingSeq: open.seq,
      });
      expect((await snap()).leaderKind).toBe('absentee');
      expect(await bid('bob', 110_000)).toMatchObject({
        outcome: 'rejected',
        reason: 'OUTBID',
        priceChanged: true,
        price: 120_000,
        leaderId: 'alice',
        asking: 130_000,
      });
      expect(await act({ action: 'floor_bid', paddle: '4', amount: 190_000 })).toMatchObject({
        outcome: 'rejected',
        reason: 'OUTBID',
        priceChanged: true,
        price: 200_000,
        leaderId: 'alice',
        asking: 210_000,
      });
      expect(await act({ action: 'floor_bid', paddle: '4', amount: 210_000 })).toMatchObject({
        outcome: 'accepted',
        leaderId: 'paddle:4',
        previousLeaderId: 'alice',
      });
    });

    it('stands at its maximum when a bid reaches it exactly (the earlier bid wins the tie)', async () => {
      await absentee('alice', 150_000);
      await act({ action: 'open' });
      expect(await bid('bob', 150_000)).toMatchObject({
        reason: 'OUTBID',
        price: 150_000,
        leaderId: 'alice',
      });
    });

    it('opens one step above the second-best maximum, capped at the best', async () => {
      await absentee('alice', 150_000);
      await absentee('bob', 130_000);
      await absentee('carol', 120_000);
      expect(await act({ action: 'open' })).toMatchObject({
        price: 140_000,
        leaderId: 'alice',
        asking: 150_000,
      });

      const capped = await newLot();
      await absentee('alice', 135_000, capped);
      await absentee('bob', 130_000, capped);
      expect(await act({ action: 'open' }, { lot: capped })).toMatchObject({
        price: 135_000,
        leaderId: 'alice',
      });

      const tie = await newLot();
      await absentee('bob', 150_000, tie);
      await absentee('alice', 150_000, tie);
      expect(await act({ action: 'open' }, { lot: tie })).toMatchObject({ price: 150_000, leaderId: 'bob' });

      const raised = await newLot();
      await absentee('bob', 150_000, raised);
      await absentee('alice', 140_000, raised);
      await absentee('alice', 160_000, raised);
      expect(await act({ action: 'open' }, { lot: raised })).toMatchObject({
        price: 160_000,
        leaderId: 'alice',
      });
    });

    it('does not execute a maximum below the opening asking price', async () => {
      await absentee('alice', 150_000);
      expect(await act({ action: 'open', asking: 200_000 })).toMatchObject({
        price: 0,
        leaderId: undefined,
        priceChanged: false,
        asking: 200_000,
      });
    });

    it('lets the clerk reject or undo an executed absentee', async () => {
      await absentee('alice', 150_000);
      const open = await act({ action: 'open' });
      expect(await act({ action: 'reject_bid', seq: open.seq })).toMatchObject({
        price: 0,
        leaderId: undefined,
        asking: 100_000,
      });
      await act({ action: 'undo' });
      expect((await snap()).leaderId).toBe('alice');
      // Undoing the open puts the lot back, maximums and all.
      expect(await act({ action: 'undo' })).toMatchObject({ reason: 'NOTHING_TO_UNDO' });
      const other = await newLot();
      await absentee('bob', 150_000, other);
      await act({ action: 'open' }, { lot: other });
      expect(await act({ action: 'undo' }, { lot: other })).toMatchObject({
        status: 'scheduled',
        leaderId: undefined,
      });
      expect(await act({ action: 'open' }, { lot: other })).toMatchObject({
        leaderId: 'bob',
        price: 100_000,
      });
    });
  });

  describe('idempotency and the decision stream', () => {
    it('answers a retried key with the same result and no second effect', async () => {
      const first = await act({ action: 'open' }, { key: 'open-1' });
      const again = await act({ action: 'open' }, { key: 'open-1' });
      expect(again).toEqual({ ...first, replayed: true });
      const fb = await act({ action: 'floor_bid', paddle: '3', amount: 100_000 }, { key: 'fb-1' });
      await bid('alice', 110_000);
      expect(await act({ action: 'floor_bid', paddle: '3', amount: 100_000 }, { key: 'fb-1' })).toEqual({
        ...fb,
        replayed: true,
      });
      expect(await floorEvents()).toHaveLength(2);
      expect((await snap()).lastSeq).toBe(3);
      expect(await act({ action: 'floor_bid', paddle: '4', amount: 100_000 }, { key: 'fb-1' })).toMatchObject(
        {
          seq: 0,
          outcome: 'rejected',
          reason: 'IDEMPOTENCY_KEY_REUSED',
          replayed: true,
        },
      );
      expect((await act({ action: 'hammer' }, { key: 'fb-1' })).reason).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await floorEvents()).toHaveLength(2);
    });

    it('keeps floor keys apart from bid keys', async () => {
      await act({ action: 'open' }, { key: 'same' });
      const d = await bid('alice', 100_000, { idempotencyKey: 'same' });
      expect(d).toMatchObject({ outcome: 'accepted', replayed: false });
    });

    it('records every action as its own event, numbered with the bids, never editing one', async () => {
      await act({ action: 'open', asking: 90_000 });
      await bid('alice', 90_000);
      h.clock.now = T0 + 5_000;
      await h.store.floorAction({
        action: 'floor_bid',
        paddle: '9',
        amount: 95_000,
        auctionId: lot,
        idempotencyKey: 'fb',
        correlationId: 'corr-1',
      });
      await act({ action: 'hold', message: 'Wait' });
      await act({ action: 'hammer' });
      const events = await h.store.decisions(lot);
      expect(events.map((e) => e.type)).toEqual(['floor', 'bid', 'floor', 'floor', 'floor']);
      expect(events.map(seqOfRecord)).toEqual([1, 2, 3, 4, 5]);
      expect(
        events.map((e) => (e.type === 'floor' ? e.action : e.type === 'bid' ? e.decision.kind : e.type)),
      ).toEqual([
        { action: 'open', asking: 90_000 },
        'bid',
        { action: 'floor_bid', paddle: '9', amount: 95_000 },
        { action: 'hold', message: 'Wait' },
        { action: 'hammer' },
      ]);
      expect(events[2]).toMatchObject({
        idempotencyKey: 'fb',
        correlationId: 'corr-1',
        result: { outcome: 'accepted', leaderId: 'paddle:9', decidedAt: T0 + 5_000 },
      });
      expect(events[4]).toMatchObject({ result: { outcome: 'rejected', reason: 'ON_HOLD' } });
      const tail = await h.store.decisions(lot, events[2]!.streamId);
      expect(tail).toEqual(events.slice(3));
    });
  });
});
