import { describe, expect, it } from 'vitest';
import { parseBidMessage } from './parse-bid.ts';

const bid = (lot: string, decimal: string, currency?: string, symbol?: string) => ({
  ok: true,
  lot,
  amount: { decimal, currency, symbol },
  max: undefined,
});

describe('parseBidMessage', () => {
  it.each([
    ['#102 2500', bid('102', '2500')],
    ['#A123 250.00', bid('A123', '250.00')],
    ['102 2500', bid('102', '2500')],
    ['  bid   102   2500  ', bid('102', '2500')],
    ['BID 102 2,500.50', bid('102', '2500.50')],
    ['Lot 102 1,250,000', bid('102', '1250000')],
    ['bid 2500 for 102', bid('102', '2500')],
    ['BID €2500 on lot #102', bid('102', '2500', undefined, '€')],
    ['102 EUR 2500', bid('102', '2500', 'EUR')],
    ['#102 2500 eur', bid('102', '2500', 'EUR')],
    ['#timed-1 5100', bid('TIMED-1', '5100')],
    ['＃１０２　２５００', bid('102', '2500')],
  ])('reads %j', (text, expected) => {
    expect(parseBidMessage(text)).toEqual(expected);
  });

  it('reads a confidential maximum', () => {
    expect(parseBidMessage('#102 2500 max 4,000')).toEqual({
      ok: true,
      lot: '102',
      amount: { decimal: '2500', currency: undefined, symbol: undefined },
      max: { decimal: '4000', currency: undefined, symbol: undefined },
    });
    expect(parseBidMessage('BID 2500 FOR 102 UP TO 4000')).toMatchObject({
      ok: true,
      lot: '102',
      max: { decimal: '4000' },
    });
  });

  it.each([
    'hello',
    'BID 2500',
    '2500',
    '#102',
    '#102 two thousand',
    '#102 250,50',
    '#102 1.250,50',
    '#102 2500 max',
    '102 FOR 2500',
    '#102 -2500',
    '#102 2500 please',
    '#102 25e3',
  ])('refuses %j as unreadable rather than guessing', (text) => {
    expect(parseBidMessage(text)).toEqual({ ok: false, problem: 'UNREADABLE' });
  });

  it('refuses an amount naming two currencies', () => {
    expect(parseBidMessage('#102 EUR 2500 GBP')).toEqual({ ok: false, problem: 'AMBIGUOUS_CURRENCY' });
    expect(parseBidMessage('#102 EUR 2500 MAX GBP 3000')).toEqual({
      ok: false,
      problem: 'AMBIGUOUS_CURRENCY',
    });
    expect(parseBidMessage('#102 €2500 MAX £3000')).toEqual({ ok: false, problem: 'AMBIGUOUS_CURRENCY' });
  });
});
