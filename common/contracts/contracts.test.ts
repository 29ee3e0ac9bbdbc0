import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  bidderNoticeSchema,
  bidListResponseSchema,
  floorActionResponseSchema,
  NOTICE_TYPES,
  publicAuctionUpdateSchema,
  snapshotResponseSchema,
  type BidderNotice,
  type NoticeType,
  type PublicAuctionUpdate,
} from './index.ts';

const update: PublicAuctionUpdate = {
  auctionId: 'lot-1',
  saleId: 'sale-1',
  mode: 'timed',
  status: 'open',
  currency: 'EUR',
  price: '120.00',
  bidCount: 3,
  leader: 'Bidder 3F2A9C',
  leaderKind: 'bid',
  asking: '130.00',
  endsAt: '2026-12-07T12:00:00.000Z',
  reserveMet: false,
  message: null,
  seq: 7,
  stateVersion: 0,
  lastAction: 'bid',
  extended: false,
  undone: null,
  decidedAt: '2026-12-07T11:00:00.000Z',
};

describe('wire contracts', () => {
  it('derive the notice type union from the one list', () => {
    expectTypeOf<BidderNotice['type']>().toEqualTypeOf<NoticeType>();
    const fromSchema = bidderNoticeSchema._zod.def.options.map((o) => o.shape.type._zod.def.values[0]);
    expect([...fromSchema].sort()).toEqual([...NOTICE_TYPES].sort());
  });

  it('take a public update as published, and refuse minor units for money', () => {
    expect(publicAuctionUpdateSchema.parse(update)).toEqual(update);
    expect(publicAuctionUpdateSchema.safeParse({ ...update, price: 12000 }).success).toBe(false);
    expect(publicAuctionUpdateSchema.safeParse({ ...update, lastAction: 'superseded' }).success).toBe(false);
  });

  it('take a result update with its hammer price', () => {
    const result = { ...update, lastAction: 'result', status: 'sold', hammer: '120.00', stateVersion: 2 };
    expect(publicAuctionUpdateSchema.parse(result)).toMatchObject({ hammer: '120.00' });
  });

  it('check a notice by its type', () => {
    const outbid = { type: 'outbid', auctionId: 'lot-1', seq: 8, price: '130.00', currency: 'EUR' };
    expect(
      bidderNoticeSchema.safeParse({ ...outbid, yourPreviousBid: '120.00', asking: '140.00' }).success,
    ).toBe(true);
    expect(bidderNoticeSchema.safeParse(outbid).success).toBe(false);
    // The back office's own `leading` message after a cancelled bid is not an engine notice.
    const officeLeading = {
      lotId: 'lot-1',
      saleId: 's',
      bidderId: 'b',
      price: '1.00',
      currency: 'EUR',
      title: 't',
    };
    expect(bidderNoticeSchema.safeParse({ type: 'leading', ...officeLeading }).success).toBe(false);
  });

  it('take a snapshot with its resume point, a bid list and a floor answer', () => {
    const snap = { auction: update, hub: { url: 'http://h/', topics: ['a', 'b'], lastEventId: 'earliest' } };
    expect(snapshotResponseSchema.parse(snap).hub.lastEventId).toBe('earliest');
    const list = {
      bids: [{ seq: 1, amount: '10.00', price: '10.00', bidder: null, source: 'api', at: 'x' }],
      currency: 'EUR',
      nextCursor: '0',
    };
    expect(bidListResponseSchema.parse(list).bids).toHaveLength(1);
    expect(
      bidListResponseSchema.safeParse({ ...list, bids: [{ ...list.bids[0], source: 'fax' }] }).success,
    ).toBe(false);
    const lot = {
      auctionId: 'l',
      saleId: 's',
      currency: 'EUR',
      seq: 2,
      stateVersion: 0,
      status: 'open',
      price: '0',
      asking: '100.00',
      step: null,
      bidCount: 0,
      leader: null,
      standingSeq: 0,
      message: null,
      reserveMet: false,
      undoAvailable: true,
      undoAction: 'open',
      commission: null,
    };
    const action = { name: 'open', seq: 2, previousStatus: 'scheduled', undone: null, decidedAt: 'x' };
    expect(floorActionResponseSchema.parse({ action, lot }).lot.asking).toBe('100.00');
  });
});
