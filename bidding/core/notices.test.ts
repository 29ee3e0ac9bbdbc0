import { describe, expect, it } from 'vitest';
import { TEST_MASK_KEY } from '../../test/support/tokens.ts';
import { bidNotices, floorNotices, hasPrivateTopic, underbidderNotice } from './notices.ts';
import type { BidDecision, FloorActionResult } from './types.ts';
import { BidderMasks } from './masks.ts';
import type { AuctionMeta } from './view.ts';

const timed: AuctionMeta = { saleId: 'sale-1', currency: 'EUR', mode: 'timed' };
const live: AuctionMeta = { ...timed, mode: 'live' };
const masks = new BidderMasks(TEST_MASK_KEY);

function decision(over: Partial<BidDecision>): BidDecision {
  return {
    seq: 7,
    auctionId: 'a1',
    bidderId: 'b2',
    outcome: 'accepted',
    reason: undefined,
    kind: 'bid',
    amount: 12_000,
    price: 12_000,
    leaderId: 'b2',
    previousPrice: 10_000,
    previousLeaderId: 'b1',
    priceChanged: true,
    bidCount: 2,
    endsAt: 0,
    extended: false,
    asking: 17_000,
    reserveMet: true,
    decidedAt: 0,
    replayed: false,
    ...over,
  };
}

function floor(over: Partial<FloorActionResult>): FloorActionResult {
  return {
    seq: 9,
    auctionId: 'a1',
    action: 'floor_bid',
    outcome: 'accepted',
    reason: undefined,
    status: 'open',
    previousStatus: 'open',
    price: 20_000,
    previousPrice: 15_000,
    leaderId: 'paddle:12',
    previousLeaderId: 'b1',
    leaderKind: 'floor',
    priceChanged: true,
    asking: 25_000,
    step: 0,
    bidCount: 3,
    standingSeq: 9,
    message: undefined,
    reserveMet: true,
    undone: undefined,
    decidedAt: 0,
    replayed: false,
    ...over,
  };
}

const base = { auctionId: 'a1', currency: 'EUR' };

describe('bid notices', () => {
  it('tells the new leader their maximum and the displaced leader their previous bid and the asking price', () => {
    const out = bidNotices(decision({}), { amount: 12_000, max: 30_000 }, timed);
    expect(out).toEqual([
      {
        bidderId: 'b2',
        notice: { type: 'leading', ...base, seq: 7, price: '120.00', yourMaximum: '300.00' },
      },
      {
        bidderId: 'b1',
        notice: {
          type: 'outbid',
          ...base,
          seq: 7,
          price: '120.00',
          yourPreviousBid: '100.00',
          asking: '170.00',
        },
      },
    ]);
  });

  it('gives a leader without a maximum a null maximum, and tells nobody else on the first bid', () => {
    const out = bidNotices(decision({ previousLeaderId: undefined }), { amount: 12_000 }, timed);
    expect(out).toEqual([
      { bidderId: 'b2', notice: { type: 'leading', ...base, seq: 7, price: '120.00', yourMaximum: null } },
    ]);
  });

  it('does not notify a floor bidder displaced on a live lot (no private topic)', () => {
    const out = bidNotices(decision({ previousLeaderId: 'paddle:4' }), { amount: 12_000 }, live);
    expect(out.map((n) => n.bidderId)).toEqual(['b2']);
  });

  it('confirms a raised maximum to its bidder only', () => {
    const d = decision({ kind: 'max_raised', leaderId: 'b2', previousLeaderId: 'b2', priceChanged: false });
    expect(bidNotices(d, { amount: 12_000, max: 50_000 }, timed)).toEqual([
      {
        bidderId: 'b2',
        notice: { type: 'max_raised', ...base, seq: 7, price: '120.00', yourMaximum: '500.00' },
      },
    ]);
  });

  it('tells the leader their proxy maximum answered a challenge, and the refused challenger nothing', () => {
    const d = decision({
      outcome: 'rejected',
      reason: 'OUTBID',
      kind: undefined,
      bidderId: 'b3',
      leaderId: 'b1',
      previousLeaderId: 'b1',
    });
    expect(bidNotices(d, { amount: 12_000 }, timed)).toEqual([
      { bidderId: 'b1', notice: { type: 'proxy_bid', ...base, seq: 7, price: '120.00' } },
    ]);
  });

  it('tells nobody about a refusal that moved nothing', () => {
    const d = decision({ outcome: 'rejected', reason: 'TOO_LOW', kind: undefined, priceChanged: false });
    expect(bidNotices(d, { amount: 100 }, timed)).toEqual([]);
  });
});

describe('floor notices', () => {
  it('tells the internet leader a floor bid outbid them; the paddle has no topic', () => {
    expect(floorNotices(floor({}), live, masks)).toEqual([
      {
        bidderId: 'b1',
        notice: {
          type: 'outbid',
          ...base,
          seq: 9,
          price: '200.00',
          yourPreviousBid: '150.00',
          asking: '250.00',
        },
      },
    ]);
  });

  it('names the paddle that took an overruled bid', () => {
    const r = floor({ action: 'overrule', price: 15_000, previousPrice: 15_000 });
    const [n] = floorNotices(r, live, masks);
    expect(n?.notice).toMatchObject({ type: 'overruled', yourBid: '150.00', leader: 'Paddle 12' });
  });

  it('tells a rejected bidder, and reinstates the bidder whose bid stands again', () => {
    const r = floor({ action: 'reject_bid', leaderId: 'b0', leaderKind: 'bid', previousLeaderId: 'b1' });
    expect(floorNotices(r, live, masks).map((n) => [n.bidderId, n.notice.type])).toEqual([
      ['b1', 'bid_rejected'],
      ['b0', 'reinstated'],
    ]);
  });

  it('tells an absentee whose maximum took the lead at the opening', () => {
    const r = floor({ action: 'open', leaderId: 'b5', leaderKind: 'absentee', previousLeaderId: undefined });
    expect(floorNotices(r, live, masks).map((n) => [n.bidderId, n.notice.type])).toEqual([
      ['b5', 'absentee_executed'],
    ]);
  });

  it('tells the winner on a sale, and the leader on an unsold hammer', () => {
    const sold = floor({ action: 'hammer', status: 'sold', leaderId: 'b1', previousLeaderId: 'b1' });
    expect(floorNotices(sold, live, masks)).toEqual([
      { bidderId: 'b1', notice: { type: 'won', ...base, seq: 9, price: '200.00', hammerPrice: '200.00' } },
    ]);
    const unsold = floor({ action: 'hammer', status: 'unsold', leaderId: 'b1', previousLeaderId: 'b1' });
    expect(floorNotices(unsold, live, masks)[0]?.notice).toMatchObject({
      type: 'lost',
      lotStatus: 'unsold',
      hammerPrice: null,
    });
    expect(floorNotices(floor({ action: 'hammer', status: 'sold' }), live, masks)).toEqual([]);
  });

  it('tells the leading absentee it answered a floor bid', () => {
    const r = floor({ outcome: 'rejected', reason: 'OUTBID', leaderId: 'b5', previousLeaderId: 'b5' });
    expect(floorNotices(r, live, masks)).toEqual([
      { bidderId: 'b5', notice: { type: 'proxy_bid', ...base, seq: 9, price: '200.00' } },
    ]);
  });

  it('reinstates the leader when a hammer is undone, not when a hold is', () => {
    const undoSale = floor({
      action: 'undo',
      previousStatus: 'sold',
      leaderId: 'b1',
      previousLeaderId: 'b1',
    });
    expect(floorNotices(undoSale, live, masks).map((n) => n.notice.type)).toEqual(['reinstated']);
    const undoHold = floor({
      action: 'undo',
      previousStatus: 'on_hold',
      leaderId: 'b1',
      previousLeaderId: 'b1',
    });
    expect(floorNotices(undoHold, live, masks)).toEqual([]);
  });
});

describe('the underbidder on a sale', () => {
  const sold = floor({ action: 'hammer', status: 'sold', leaderId: 'b1' });

  it('is told the lot was sold at the hammer price', () => {
    expect(underbidderNotice(sold, live, 'b2')).toEqual({
      bidderId: 'b2',
      notice: { type: 'lost', ...base, seq: 9, price: '200.00', lotStatus: 'sold', hammerPrice: '200.00' },
    });
  });

  it('is not told when nobody was below, when it is a paddle, or when it is the winner', () => {
    expect(underbidderNotice(sold, live, undefined)).toBeUndefined();
    expect(underbidderNotice(sold, live, 'paddle:3')).toBeUndefined();
    expect(underbidderNotice(sold, live, 'b1')).toBeUndefined();
  });
});

it('only bidders who are not floor paddles have a private topic', () => {
  expect(hasPrivateTopic('b1')).toBe(true);
  expect(hasPrivateTopic('paddle:1')).toBe(false);
  expect(hasPrivateTopic(undefined)).toBe(false);
});
