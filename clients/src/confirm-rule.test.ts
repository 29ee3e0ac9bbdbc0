import { describe, expect, it } from 'vitest';
import { decimalAtLeast, needsConfirmation } from './confirm-rule.ts';

describe('the bid confirmation rule', () => {
  it('defaults to once per lot from 10,000 whole units', () => {
    expect(needsConfirmation(undefined, '9999.99', false)).toBe(false);
    expect(needsConfirmation(undefined, '10000.00', false)).toBe(true);
    expect(needsConfirmation(undefined, '25000.00', true)).toBe(false);
  });

  it('follows the house: never, once per lot, every bid, from its amount', () => {
    const once = { ask: 'once_per_lot', from: '150.00' } as const;
    expect([
      needsConfirmation(once, '149.99', false),
      needsConfirmation(once, '150.00', false),
      needsConfirmation(once, '900.00', true),
    ]).toEqual([false, true, false]);
    const every = { ask: 'every_bid', from: '0.00' } as const;
    expect([needsConfirmation(every, '1.00', false), needsConfirmation(every, '1.00', true)]).toEqual([
      true,
      true,
    ]);
    expect(needsConfirmation({ ask: 'never', from: '0.00' }, '1000000.00', false)).toBe(false);
  });

  it('compares decimal strings exactly, whatever their scale', () => {
    expect(decimalAtLeast('10000', '10000.00')).toBe(true);
    expect(decimalAtLeast('0.3', '0.30')).toBe(true);
    expect(decimalAtLeast('9007199254740993.01', '9007199254740993.001')).toBe(true);
    expect(decimalAtLeast('9007199254740992.999', '9007199254740993')).toBe(false);
    expect(decimalAtLeast('12,000', '1')).toBe(false);
  });
});
