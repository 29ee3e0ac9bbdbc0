import { describe, expect, it } from 'vitest';
import type {
  AuctionStatus,
  CatalogueLot,
  FloorLot,
  PublicAuctionView,
} from '../../common/contracts/index.ts';
import {
  floorControls,
  floorRefusalText,
  commissionLines,
  hammerLabel,
  incrementText,
  lotOnTheBlock,
  openLabel,
  reserveText,
  saleProgress,
  undoLabel,
  viewOfFloorLot,
} from './floor-lot.ts';

const lot = (id: string): CatalogueLot => ({
  id,
  lotNumber: id,
  title: id,
  description: '',
  estimateLow: '',
  estimateHigh: '',
});

describe('floor console state', () => {
  it('shows a floor lot as the public view, the leader by their display name', () => {
    const l: FloorLot = {
      auctionId: 'l1',
      saleId: 's',
      currency: 'EUR',
      seq: 9,
      stateVersion: 0,
      status: 'open',
      price: '500.00',
      asking: '550.00',
      step: null,
      bidCount: 1,
      leader: { kind: 'floor', display: 'Paddle 112', paddle: '112', bidderId: null },
      standingSeq: 9,
      message: null,
      reserveMet: true,
      undoAvailable: true,
      undoAction: 'floor_bid',
      commission: null,
    };
    expect(viewOfFloorLot(l)).toMatchObject({
      mode: 'live',
      leader: 'Paddle 112',
      leaderKind: 'floor',
      endsAt: null,
      seq: 9,
    });
    expect(viewOfFloorLot({ ...l, leader: null })).toMatchObject({ leader: null, leaderKind: null });
  });

  it('enables the buttons the lot allows', () => {
    const on = (s: AuctionStatus, next = true, facts?: Parameters<typeof floorControls>[2]): string[] =>
      Object.entries(floorControls(s, next, facts))
        .filter(([, v]) => v)
        .map(([k]) => k);
    expect(on('scheduled')).toEqual(['open-lot', 'set-asking', 'set-increment', 'withdraw']);
    expect(on('open')).toEqual([
      'floor-bid',
      'fair-warning',
      'hammer',
      'pass',
      'set-asking',
      'set-increment',
      'hold',
      'withdraw',
    ]);
    // An internet bid leads: the room may overrule it, the clerk reject it; the hammer can be undone.
    expect(on('fair_warning', true, { undoAction: 'fair_warning', leaderKind: 'bid' })).toEqual([
      'floor-bid',
      'overrule',
      'resume',
      'hammer',
      'pass',
      'set-asking',
      'set-increment',
      'reject',
      'hold',
      'withdraw',
      'undo',
    ]);
    expect(on('open', true, { undoAction: null, leaderKind: 'floor' })).toContain('reject');
    expect(on('open', true, { undoAction: null, leaderKind: 'floor' })).not.toContain('overrule');
    expect(on('on_hold')).toEqual(['set-increment', 'resume-from-hold', 'withdraw']);
    expect(on('sold', true, { undoAction: 'hammer', leaderKind: 'floor' })).toEqual(['next-lot', 'undo']);
    expect(on('sold', false)).toEqual([]);
  });

  it('names what Undo, Open and the hammer will do', () => {
    expect(undoLabel('hammer')).toBe('Undo hammer');
    expect(undoLabel('floor_bid')).toBe('Undo floor bid');
    expect(undoLabel(null)).toBe('Nothing to undo');
    const v = {
      price: '18000.00',
      asking: '2500.00',
      currency: 'EUR',
      leader: 'Paddle 1001',
      reserveMet: true,
    } as PublicAuctionView;
    expect(openLabel(v, '')).toBe('Open at EUR 2,500.00');
    expect(openLabel(v, ' 3000 ')).toBe('Open at EUR 3,000');
    expect(openLabel(v, '3,000')).toBe('Open lot');
    expect(hammerLabel(v)).toBe('Hammer — sold to Paddle 1001 for EUR 18,000.00');
    expect(hammerLabel({ ...v, reserveMet: false })).toBe('Hammer — below reserve (unsold)');
    expect(hammerLabel({ ...v, leader: null })).toBe('Hammer — no bids (unsold)');
    expect(reserveText(v)).toBe('Met');
    expect(reserveText({ ...v, reserveMet: false })).toBe('Not met');
  });

  it('writes refusals for people, the code last', () => {
    expect(floorRefusalText('NOTHING_TO_UNDO', 'no floor action to undo')).toBe(
      'Nothing to undo. No floor action to undo. (NOTHING_TO_UNDO)',
    );
    expect(floorRefusalText('SOMETHING_NEW', 'it broke')).toBe(
      'The action was not accepted. It broke. (SOMETHING_NEW)',
    );
    expect(floorRefusalText('NETWORK', 'fetch failed')).toMatch(/^No connection.*\(NETWORK\)$/);
  });

  it('puts on the block the lot being sold, else the first to offer, else the last', () => {
    const lots = [lot('a'), lot('b'), lot('c')];
    const by =
      (m: Record<string, AuctionStatus>) =>
      (id: string): AuctionStatus | undefined =>
        m[id];
    expect(lotOnTheBlock(lots, by({ a: 'sold', b: 'on_hold', c: 'scheduled' }))).toBe('b');
    expect(lotOnTheBlock(lots, by({ a: 'sold', b: 'scheduled', c: 'scheduled' }))).toBe('b');
    expect(lotOnTheBlock(lots, by({ a: 'sold', b: 'passed', c: 'sold' }))).toBe('c');
    expect(lotOnTheBlock([], by({}))).toBe('');
  });

  it('shows the increment to the asking price, or the clerk step, or the table', () => {
    const v = { price: '500.00', asking: '550.00', currency: 'EUR', leader: 'Paddle 1' } as PublicAuctionView;
    expect(incrementText(v, null)).toBe('+EUR 50.00');
    expect(incrementText({ ...v, leader: null }, '25.00')).toBe('+EUR 25.00');
    expect(incrementText({ ...v, leader: null }, null)).toBe('table');
  });

  it('counts the sale so far and lists the waiting maximums highest first', () => {
    const views: Record<string, Pick<PublicAuctionView, 'status' | 'price' | 'currency'>> = {
      a: { status: 'sold', price: '18000.00', currency: 'EUR' },
      b: { status: 'passed', price: '900.00', currency: 'EUR' },
      c: { status: 'sold', price: '0.10', currency: 'EUR' },
      d: { status: 'withdrawn', price: '0.00', currency: 'EUR' },
      e: { status: 'open', price: '100.00', currency: 'EUR' },
    };
    const lots = ['a', 'b', 'c', 'd', 'e', 'f'].map(lot);
    expect(saleProgress(lots, (id) => views[id])).toEqual({
      sold: 2,
      offered: 3,
      total: 6,
      hammerTotal: '18000.10',
      currency: 'EUR',
    });
    expect(
      commissionLines(
        [
          { bidderId: 'b1', display: 'Bidder 3F2A9C', max: '16000.00' },
          { bidderId: 'b2', display: '', max: '12000.00' },
        ],
        'EUR',
      ),
    ).toEqual(['Bidder 3F2A9C — max EUR 16,000.00', 'b2 — max EUR 12,000.00']);
    expect(commissionLines(null, 'EUR')).toEqual([]);
  });
});
