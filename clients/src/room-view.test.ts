import { describe, expect, it } from 'vitest';
import type { AuctionStatus, HouseRates } from '../../common/contracts/index.ts';
import { conversions, convert, roomLot } from './room-view.ts';

const rates: HouseRates = {
  base: 'EUR',
  rates: { EUR: '1', USD: '1.08', GBP: '0.85', JPY: '162' },
  note: 'test',
};

describe('the room screen in other currencies', () => {
  it('converts exactly, rounding half up to whole units, through the base', () => {
    expect(convert('20000.00', 'EUR', 'USD', rates)).toBe('21600');
    expect(convert('20000.00', 'EUR', 'JPY', rates)).toBe('3240000');
    // GBP → USD through EUR: 1000 / 0.85 × 1.08 = 1270.588… → 1271.
    expect(convert('1000.00', 'GBP', 'USD', rates)).toBe('1271');
    // Beyond what a double holds exactly: 9,999,999,999.99 × 1.08 = 10,799,999,999.9892.
    expect(convert('9999999999.99', 'EUR', 'USD', rates)).toBe('10800000000'); // 10,799,999,999.9892;
    expect(convert('0.46', 'EUR', 'EUR', rates)).toBeUndefined();
    expect(convert('10.00', 'EUR', 'CHF', rates)).toBeUndefined();
  });

  it('lists every other currency of the house, in its order', () => {
    expect(conversions('20000.00', 'EUR', rates)).toEqual(['USD 21,600', 'GBP 17,000', 'JPY 3,240,000']);
    expect(conversions('100', 'JPY', rates)).toEqual(['EUR 1', 'USD 1', 'GBP 1']);
  });

  it('follows the block, keeping a result up until the next lot opens', () => {
    const lots = ['a', 'b', 'c'].map((id) => ({
      id,
      lotNumber: id,
      title: id,
      description: '',
      estimateLow: '',
      estimateHigh: '',
    }));
    const by =
      (m: Record<string, AuctionStatus>) =>
      (id: string): AuctionStatus | undefined =>
        m[id];
    expect(roomLot(lots, by({ a: 'open', b: 'scheduled', c: 'scheduled' }), '')).toBe('a');
    expect(roomLot(lots, by({ a: 'sold', b: 'scheduled', c: 'scheduled' }), 'a')).toBe('a');
    expect(roomLot(lots, by({ a: 'sold', b: 'open', c: 'scheduled' }), 'a')).toBe('b');
    expect(roomLot(lots, by({ a: 'sold', b: 'scheduled', c: 'scheduled' }), '')).toBe('b');
  });
});
