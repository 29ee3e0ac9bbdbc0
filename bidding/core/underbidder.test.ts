import { describe, expect, it } from 'vitest';
import type { BidDecision, FloorAction, FloorActionResult, RecordedEvent } from './types.ts';
import { UnderbidderSearch } from './underbidder.ts';

let streamMs = 0;

function bid(seq: number, over: Partial<BidDecision>, max?: number): RecordedEvent {
  return {
    type: 'bid',
    streamId: `${++streamMs}-0`,
    decision: {
      seq,
      auctionId: 'a1',
      bidderId: 'b1',
      outcome: 'accepted',
      reason: undefined,
      kind: 'bid',
      amount: 100,
      price: 100,
      leaderId: 'b1',
      previousPrice: 0,
      previousLeaderId: undefined,
      priceChanged: true,
      bidCount: 1,
      endsAt: 0,
      extended: false,
      asking: 150,
      reserveMet: true,
      decidedAt: 0,
      replayed: false,
      ...over,
    },
    max,
    source: 'api',
    idempotencyKey: `k${seq}`,
    correlationId: undefined,
    paddle: undefined,
    assurance: 'session',
  };
}

function floorEvent(seq: number, action: FloorAction, over: Partial<FloorActionResult>): RecordedEvent {
  return {
    type: 'floor',
    streamId: `${++streamMs}-0`,
    action,
    result: {
      seq,
      auctionId: 'a1',
      action: action.action,
      outcome: 'accepted',
      reason: undefined,
      status: 'open',
      previousStatus: 'scheduled',
      price: 100,
      previousPrice: 0,
      leaderId: undefined,
      previousLeaderId: undefined,
      leaderKind: undefined,
      priceChanged: false,
      asking: 150,
      step: 0,
      bidCount: 0,
      standingSeq: 0,
      message: undefined,
      reserveMet: true,
      undone: undefined,
      decidedAt: 0,
      replayed: false,
      ...over,
    },
    idempotencyKey: `f${seq}`,
    correlationId: undefined,
  };
}

/** Feeds the events in order; the first answer, or 'none' when no event decided it. */
function search(
  sale: { standingSeq: number; leaderId: string },
  events: RecordedEvent[],
): string | undefined {
  const s = new UnderbidderSearch(sale);
  for (const e of events) {
    const found = s.see(e);
    if (found !== undefined) return found.underbidder ?? 'nobody';
  }
  return 'none';
}

describe('the underbidder of a sold live lot', () => {
  it('is the leader the winning internet bid displaced', () => {
    const events = [
      bid(1, { bidderId: 'b1', leaderId: 'b1' }),
      bid(2, { bidderId: 'b2', leaderId: 'b2', previousLeaderId: 'b1' }),
      bid(3, { bidderId: 'b3', leaderId: 'b3', previousLeaderId: 'b2' }),
    ];
    expect(search({ standingSeq: 2, leaderId: 'b2' }, events)).toBe('b1');
    expect(search({ standingSeq: 3, leaderId: 'b3' }, events)).toBe('b2');
  });

  it('is the challenger when the winning standing was an absentee answering an internet bid', () => {
    const events = [bid(4, { bidderId: 'b7', kind: undefined, outcome: 'rejected', leaderId: 'b5' })];
    expect(search({ standingSeq: 4, leaderId: 'b5' }, events)).toBe('b7');
  });

  it('is the paddle whose floor bid the winning absentee answered', () => {
    const events = [
      floorEvent(
        5,
        { action: 'floor_bid', paddle: '12', amount: 200 },
        { outcome: 'rejected', reason: 'OUTBID', leaderId: 'b5' },
      ),
    ];
    expect(search({ standingSeq: 5, leaderId: 'b5' }, events)).toBe('paddle:12');
  });

  it('is the leader a winning floor bid displaced', () => {
    const events = [
      floorEvent(
        6,
        { action: 'floor_bid', paddle: '3', amount: 300 },
        { leaderId: 'paddle:3', previousLeaderId: 'b1' },
      ),
    ];
    expect(search({ standingSeq: 6, leaderId: 'paddle:3' }, events)).toBe('b1');
  });

  it('is the second-best absentee maximum (the earlier on a tie) when an absentee took the lot at the opening', () => {
    const absentee = (seq: number, bidderId: string, max: number): RecordedEvent =>
      bid(seq, { bidderId, kind: 'absentee', amount: 100, priceChanged: false, leaderId: undefined }, max);
    const events = [
      absentee(1, 'b1', 500),
      absentee(2, 'b2', 400),
      absentee(3, 'b3', 400),
      absentee(4, 'b1', 600),
      floorEvent(5, { action: 'open' }, { leaderId: 'b1', leaderKind: 'absentee' }),
    ];
    expect(search({ standingSeq: 5, leaderId: 'b1' }, events)).toBe('b2');
    expect(search({ standingSeq: 5, leaderId: 'b1' }, events.slice(3))).toBe('nobody');
  });

  it('is not found before the event that set the winning bid', () => {
    expect(search({ standingSeq: 9, leaderId: 'b1' }, [bid(1, {}), bid(2, {})])).toBe('none');
  });
});
