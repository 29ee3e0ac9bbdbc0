import { describe, expect, it } from 'vitest';
import type {
  AuctionStatus,
  CatalogueLot,
  FloorLot,
  PublicAuctionView,
} from '../../common/contracts/index.ts';
import { floorControls, incrementText, lotOnTheBlock, viewOfFloorLot } from './floor-lot.ts';

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

  it('enables the buttons the status allows', () => {
    const on = (s: AuctionStatus, next = true): string[] =>
      Object.entries(floorControls(s, next))
        .filter(([, v]) => v)
        .map(([k]) => k);
    expect(on('scheduled')).toEqual(['open-lot', 'set-asking', 'undo']);
    expect(on('open')).toEqual(['floor-bid', 'fair-warning', 'hammer', 'pass', 'set-asking', 'undo']);
    expect(on('fair_warning')).toEqual(['floor-bid', 'resume', 'hammer', 'pass', 'set-asking', 'undo']);
    expect(on('sold')).toEqual(['next-lot', 'undo']);
    expect(on('sold', false)).toEqual(['undo']);
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
});
