import { describe, expect, it } from 'vitest';
import {
  CURRENCIES,
  currencyExponent,
  displayAmount,
  formatAmount,
  isCurrency,
  parseAmount,
} from './money.ts';

describe('money', () => {
  it('shows amounts for people with the currency and grouped thousands, in the currency’s own scale', () => {
    expect(displayAmount(0, 'EUR')).toBe('EUR 0.00');
    expect(displayAmount(5, 'EUR')).toBe('EUR 0.05');
    expect(displayAmount(99_999, 'EUR')).toBe('EUR 999.99');
    expect(displayAmount(100_000, 'EUR')).toBe('EUR 1,000.00');
    expect(displayAmount(125_000_050, 'GBP')).toBe('GBP 1,250,000.50');
    expect(displayAmount(1_250_000, 'JPY')).toBe('JPY 1,250,000');
    expect(displayAmount(1_234_567, 'KWD')).toBe('KWD 1,234.567');
    expect(displayAmount(9_999_999_999_999, 'EUR')).toBe('EUR 99,999,999,999.99');
  });

  it('round-trips the wire format', () => {
    for (const [text, currency] of [
      ['250.00', 'EUR'],
      ['1250000', 'JPY'],
      ['0.001', 'KWD'],
    ] as const)
      expect(formatAmount(parseAmount(text, currency, 'amount'), currency)).toBe(text);
  });

  it('knows the active ISO 4217 codes with their own exponents and refuses any other code', () => {
    expect(['EUR', 'GBP', 'USD', 'JPY', 'CLF', 'XCG', 'ZWG'].every(isCurrency)).toBe(true);
    for (const code of ['ZZZ', 'eur', 'EURO', 'XAU', 'XDR', 'XTS', 'XXX', 'HRK', ''])
      expect(isCurrency(code), code).toBe(false);
    // ISO's exponents, not CLDR's display digits (which show HUF and IQD without decimals).
    expect(['EUR', 'HUF', 'IQD', 'JPY', 'CLF', 'UYI'].map(currencyExponent)).toEqual([2, 2, 3, 0, 4, 0]);
    expect(() => currencyExponent('ZZZ')).toThrow(/not an active ISO 4217 currency code/);
    expect(() => formatAmount(100, 'ZZZ')).toThrow(/ZZZ/);
    for (const currency of ['ZZZ', 'XAU'])
      expect(() => parseAmount('1.00', currency, 'opening')).toThrow(
        expect.objectContaining({ code: 'BAD_CURRENCY', details: { field: 'opening' } }),
      );
  });

  it('agrees with the ICU list of Node: only fund codes are ours alone, only withdrawn or unitless codes are its alone', () => {
    const icu = new Set(Intl.supportedValuesOf('currency'));
    const fundOrNewer = ['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW', 'VED'];
    const withdrawnOrUnitless = ['ANG', 'BGN', 'CUC', 'HRK', 'SLL', 'VEF', 'ZWL', 'XDR', 'XSU'];
    expect(CURRENCIES.filter((c) => !icu.has(c) && !fundOrNewer.includes(c))).toEqual([]);
    expect([...icu].filter((c) => !isCurrency(c) && !withdrawnOrUnitless.includes(c))).toEqual([]);
  });
});
