import { describe, expect, it } from 'vitest';
import type { BidderNotice, PublicAuctionView } from '../../common/contracts/index.ts';
import {
  acceptedText,
  bidButtonText,
  canBid,
  duration,
  isDecimal,
  lotPhase,
  myBadge,
  myState,
  type MyLot,
} from './bidder-state.ts';
import { pageEventOf } from './live.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const view = (over: Partial<PublicAuctionView> = {}): PublicAuctionView => ({
  auctionId: 'lot-1',
  saleId: 'sale-1',
  mode: 'timed',
  status: 'open',
  currency: 'EUR',
  price: '1200.00',
  bidCount: 2,
  leader: 'Bidder AAAAAA',
  leaderKind: 'bid',
  asking: '1300.00',
  endsAt: '2026-12-07T13:00:00Z',
  reserveMet: true,
  message: null,
  seq: 4,
  stateVersion: 0,
  ...over,
});
const me = (over: Partial<MyLot> = {}): MyLot => ({
  mask: 'Bidder BBBBBB',
  ownBids: [],
  notice: undefined,
  answeredByMax: undefined,
  ...over,
});
const outbid: BidderNotice = {
  type: 'outbid',
  auctionId: 'lot-1',
  seq: 4,
  price: '1200.00',
  currency: 'EUR',
  yourPreviousBid: '1100.00',
  asking: '1300.00',
};

describe('bidder state', () => {
  it('bids on an open timed lot only before its end, on a live lot while it takes bids', () => {
    expect(canBid(view(), NOW)).toBe(true);
    expect(canBid(view({ endsAt: '2026-12-07T11:59:59Z' }), NOW)).toBe(false);
    expect(canBid(view({ mode: 'live', status: 'fair_warning', endsAt: null }), NOW)).toBe(true);
    expect(canBid(view({ mode: 'live', status: 'on_hold', endsAt: null }), NOW)).toBe(false);
  });

  it('says on the button what a tap does, or why not', () => {
    expect(bidButtonText(view(), NOW)).toBe('Bid EUR 1,300.00');
    expect(bidButtonText(view({ mode: 'live', status: 'scheduled' }), NOW)).toBe(
      'Waiting for the auctioneer',
    );
    expect(bidButtonText(view({ status: 'scheduled' }), NOW)).toBe('Not open yet');
    expect(bidButtonText(view({ mode: 'live', status: 'on_hold' }), NOW)).toBe('On hold');
    expect(bidButtonText(view({ status: 'sold' }), NOW)).toBe('Bidding closed');
  });

  it('tells the bidder where they stand', () => {
    expect(myState(view(), me()).state).toBe('none');
    expect(myState(view({ leader: 'Bidder BBBBBB' }), me())).toEqual({
      state: 'leading',
      text: 'You lead at EUR 1,200.00.',
    });
    expect(myState(view(), me({ notice: outbid }))).toEqual({
      state: 'outbid',
      text: 'Outbid. You bid EUR 1,100.00; the price is now EUR 1,200.00 (Bidder AAAAAA).',
    });
    expect(myState(view(), me({ answeredByMax: '1250.00' })).text).toContain('You bid EUR 1,250.00;');
    expect(myState(view({ status: 'sold', leader: 'Bidder BBBBBB' }), me()).state).toBe('won');
    const bid = { seq: 2, amount: '1000.00', at: 'x' };
    expect(myState(view({ status: 'sold' }), me({ ownBids: [bid] })).state).toBe('lost');
    expect(myState(view({ status: 'unsold' }), me({ ownBids: [bid] })).text).toBe(
      'Not sold: the reserve was not met.',
    );
  });

  it('phrases an accepted bid by what it became', () => {
    const bid = {
      seq: 5,
      outcome: 'accepted' as const,
      kind: 'bid' as const,
      amount: '1300.00',
      max: null,
      price: '1300.00',
      asking: '1400.00',
      leading: true,
      endsAt: null,
      extended: false,
      decidedAt: 'x',
      currency: 'EUR',
    };
    expect(acceptedText(bid)).toBe('Your bid of EUR 1,300.00 was accepted.');
    expect(acceptedText({ ...bid, max: '2000.00' })).toContain('up to EUR 2,000.00');
    expect(acceptedText({ ...bid, kind: 'max_raised', max: '2500.00' })).toBe(
      'Your maximum is now EUR 2,500.00; you still lead.',
    );
    expect(acceptedText({ ...bid, kind: 'absentee', max: '900.00' })).toContain(
      'absentee bid up to EUR 900.00',
    );
  });

  it('reads a typed maximum and formats a countdown', () => {
    expect(isDecimal('25000.00')).toBe(true);
    expect(isDecimal('25,000')).toBe(false);
    expect(isDecimal('')).toBe(false);
    expect(duration(3_661_000)).toBe('01:01:01');
    expect(duration(90_061_000)).toBe('1d 01:01:01');
  });

  it('never says "You lead" once a timed lot has closed: closed, then won, lost or unsold', () => {
    const mine = me({ mask: 'Bidder AAAAAA' });
    const other = me({ ownBids: [{ seq: 1, amount: '1100.00', at: 'x' }] });
    expect(myState(view({ status: 'closed', stateVersion: 1 }), mine)).toEqual({
      state: 'closed',
      text: 'Bidding has closed with you the highest bidder at EUR 1,200.00; the result follows.',
    });
    expect(myState(view({ status: 'closed', stateVersion: 1 }), other).state).toBe('closed');
    expect(myState(view({ status: 'closed' }), me())).toEqual({
      state: 'none',
      text: 'You did not bid on this lot.',
    });
    expect(myState(view({ status: 'sold', stateVersion: 2 }), mine)).toEqual({
      state: 'won',
      text: 'You won this lot at EUR 1,200.00.',
    });
    expect(myState(view({ status: 'sold', stateVersion: 2 }), other).state).toBe('lost');
    expect(myState(view({ status: 'unsold', stateVersion: 2 }), mine)).toEqual({
      state: 'unsold',
      text: 'Not sold: the reserve was not met.',
    });
    expect(myState(view({ status: 'withdrawn', stateVersion: 2 }), mine)).toEqual({
      state: 'none',
      text: 'This lot was withdrawn.',
    });
  });

  it('takes the back office’s result for this bidder before the lot’s own update', () => {
    const closed = view({ status: 'closed', stateVersion: 1 });
    const won = {
      type: 'won' as const,
      currency: 'EUR',
      hammer: '1200.00',
      premium: '300.00',
      tax: '0.00',
      total: '1500.00',
    };
    expect(myState(closed, me({ mask: 'Bidder AAAAAA', result: won }))).toEqual({
      state: 'won',
      text: 'You won this lot at EUR 1,200.00. Total due EUR 1,500.00 (premium EUR 300.00, tax EUR 0.00).',
    });
    const lost = { type: 'lost' as const, currency: 'EUR', outcome: 'sold' as const, hammer: '1200.00' };
    expect(myState(closed, me({ result: lost }))).toEqual({
      state: 'lost',
      text: 'Sold to another bidder at EUR 1,200.00.',
    });
    expect(myState(closed, me({ result: { ...lost, outcome: 'unsold', hammer: null } })).state).toBe(
      'unsold',
    );
  });

  it('names an open timed lot closing soon or extended, until its end; other statuses as they are', () => {
    const none = { closingSoon: false, extended: false };
    expect(lotPhase(view(), none, NOW)).toEqual({ phase: 'open', text: 'Open' });
    expect(lotPhase(view(), { ...none, closingSoon: true }, NOW)).toEqual({
      phase: 'closing_soon',
      text: 'Closing soon',
    });
    expect(lotPhase(view(), { closingSoon: true, extended: true }, NOW)).toEqual({
      phase: 'extended',
      text: 'Extended',
    });
    // Past its end, or closed, or a live lot: the status itself.
    const ended = view({ endsAt: '2026-12-07T11:59:59Z' });
    expect(lotPhase(ended, { closingSoon: true, extended: true }, NOW).phase).toBe('open');
    expect(lotPhase(view({ status: 'closed' }), { ...none, extended: true }, NOW)).toEqual({
      phase: 'closed',
      text: 'Closed',
    });
    expect(lotPhase(view({ status: 'scheduled' }), none, NOW).text).toBe('Not open yet');
    expect(lotPhase(view({ mode: 'live', endsAt: null }), { ...none, closingSoon: true }, NOW).phase).toBe(
      'open',
    );
    expect([myBadge('leading'), myBadge('won'), myBadge('lost'), myBadge('unsold'), myBadge('none')]).toEqual(
      ['You lead', 'You won', 'You lost', 'Unsold', undefined],
    );
  });

  it('reads the back office’s events a bidder’s page acts on, and only well-formed ones', () => {
    const won = {
      type: 'lot.won',
      notificationId: 7,
      at: '2026-12-07T12:00:00Z',
      lotId: 'lot-1',
      saleId: 'sale-1',
      lotNumber: 1,
      title: 'Clock',
      currency: 'EUR',
      bidderId: 'b-1',
      hammer: '1200.00',
      premium: '300.00',
      tax: '0.00',
      total: '1500.00',
    };
    expect(pageEventOf('lot.won', won)).toMatchObject({ type: 'lot.won', lotId: 'lot-1', total: '1500.00' });
    expect(pageEventOf('lot.won', { ...won, total: 1500 })).toBeUndefined();
    expect(pageEventOf('lot.withdrawn', { lotId: 'lot-1', saleId: 'sale-1' })).toEqual({
      type: 'lot.withdrawn',
      lotId: 'lot-1',
      saleId: 'sale-1',
    });
  });
});
