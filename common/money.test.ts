import { describe, expect, it } from 'vitest';
import { displayAmount, formatAmount, parseAmount } from './money.ts';

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
});
