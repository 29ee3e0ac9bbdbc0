import { describe, expect, it } from 'vitest';
import { gatewayConfigFromEnv } from '../config.ts';
import { needsConfirmation, parseConfirmAbove } from './confirm-policy.ts';

describe('SMS_CONFIRM_ABOVE', () => {
  it('reads per-currency thresholds, "never", and unset (every texted bid)', () => {
    expect(
      gatewayConfigFromEnv({ SMS_CONFIRM_ABOVE: 'EUR 5000.00, GBP 4000,JPY 700000' }).smsConfirmAbove,
    ).toEqual(
      new Map([
        ['EUR', 500_000],
        ['GBP', 400_000],
        ['JPY', 700_000],
      ]),
    );
    expect(gatewayConfigFromEnv({ SMS_CONFIRM_ABOVE: 'never' }).smsConfirmAbove).toBe('never');
    expect(gatewayConfigFromEnv({}).smsConfirmAbove).toBeUndefined();
    expect(gatewayConfigFromEnv({ SMS_CONFIRM_ABOVE: ' ' }).smsConfirmAbove).toBeUndefined();
    expect(gatewayConfigFromEnv({}).smsConfirmWindowMs).toBe(300_000);
    expect(gatewayConfigFromEnv({ SMS_CONFIRM_WINDOW: '120' }).smsConfirmWindowMs).toBe(120_000);
  });

  it.each([
    ['EUR 50.001', /SMS_CONFIRM_ABOVE.*3 decimal places/],
    ['EURO 5000', /SMS_CONFIRM_ABOVE.*"EURO 5000" is not a currency and an amount/],
    ['5000', /SMS_CONFIRM_ABOVE/],
    ['EUR 5000, EUR 6000', /EUR is given twice/],
    ['EUR -5', /SMS_CONFIRM_ABOVE/],
  ])('refuses %s at start-up, naming the variable', (value, message) => {
    expect(() => gatewayConfigFromEnv({ SMS_CONFIRM_ABOVE: value })).toThrow(message);
  });

  it('refuses a window outside 30 s to an hour', () => {
    expect(() => gatewayConfigFromEnv({ SMS_CONFIRM_WINDOW: '5' })).toThrow(/SMS_CONFIRM_WINDOW/);
  });

  it('confirms a bid by the most it commits the bidder to, and every bid in a currency not named', () => {
    const t = parseConfirmAbove('EUR 5000.00');
    expect(needsConfirmation(t, 'EUR', 500_000, undefined)).toBe(false);
    expect(needsConfirmation(t, 'EUR', 500_001, undefined)).toBe(true);
    expect(needsConfirmation(t, 'EUR', 100_000, 500_001)).toBe(true);
    expect(needsConfirmation(t, 'GBP', 1, undefined)).toBe(true);
    expect(needsConfirmation(parseConfirmAbove(''), 'EUR', 1, undefined)).toBe(true);
    expect(needsConfirmation('never', 'EUR', 9_999_999_999_999, undefined)).toBe(false);
  });
});
