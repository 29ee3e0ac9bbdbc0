import { describe, expect, it } from 'vitest';
import { formatMoney, sum, withCurrency } from './money.ts';

describe('money on the pages', () => {
  it('formats six and seven figures exactly, with the currency code, in English', () => {
    expect(withCurrency('1250000.00', 'EUR', 'en-US')).toBe('EUR 1,250,000.00');
    expect(withCurrency('320000.00', 'EUR', 'en-GB')).toBe('EUR 320,000.00');
    expect(withCurrency('10500.00', 'EUR', 'en-US')).toBe('EUR 10,500.00');
    expect(withCurrency('0.00', 'EUR', 'en-US')).toBe('EUR 0.00');
  });

  it('keeps every digit of amounts a float cannot hold', () => {
    // 2^53 + 1 minor units: Number() would print …992.
    expect(withCurrency('90071992547409.93', 'EUR', 'en-US')).toBe('EUR 90,071,992,547,409.93');
    expect(withCurrency('9999999999999.99', 'USD', 'en-US')).toBe('USD 9,999,999,999,999.99');
    // Fraction digits are the wire's own, never rounded through a number.
    expect(withCurrency('0.10', 'EUR', 'en-US')).toBe('EUR 0.10');
    expect(withCurrency('1.005', 'BHD', 'en-US')).toBe('BHD 1.005');
  });

  it("follows the bidder's locale: grouping, decimal mark and where the code goes", () => {
    const fr = withCurrency('1250000.00', 'EUR', 'fr-FR');
    // French groups with a narrow no-break space, marks decimals with a comma, puts the code after.
    expect(fr.replace(/\s/g, ' ')).toBe('1 250 000,00 EUR');
    expect(withCurrency('1250000.00', 'EUR', 'de-DE').replace(/\s/g, ' ')).toBe('1.250.000,00 EUR');
  });

  it('shows currencies without minor units as whole amounts', () => {
    expect(withCurrency('125000', 'JPY', 'en-US')).toBe('JPY 125,000');
    expect(withCurrency('1250000', 'JPY', 'ja-JP').replace(/\s/g, ' ')).toBe('JPY 1,250,000');
    expect(withCurrency('5000', 'KRW', 'en-US')).toBe('KRW 5,000');
  });

  it('falls back to the plain form for what Intl does not take', () => {
    expect(withCurrency('1250000.00', 'EURO', 'en-US')).toBe('EURO 1,250,000.00');
    expect(withCurrency('12a', 'EUR', 'en-US')).toBe('EUR 12a');
    expect(withCurrency('-5.00', 'EUR', 'en-US')).toBe('-EUR 5.00');
  });

  it('groups and sums without floats', () => {
    expect(formatMoney('1250000.00')).toBe('1,250,000.00');
    expect(sum(['1250000.10', '0.20'], 2)).toBe('1250000.30');
  });
});
