import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.ts';
import { gatewayConfigFromEnv } from './config.ts';
import { DEMO_RATES, parseHouseRates } from './house-rates.ts';

describe('HOUSE_RATES', () => {
  it('reads the base first, then units per base unit', () => {
    expect(parseHouseRates('EUR=1, USD=1.0850,GBP=0.86', 'x')).toEqual({
      base: 'EUR',
      rates: { EUR: '1', USD: '1.0850', GBP: '0.86' },
      note: 'x',
    });
    expect(parseHouseRates(DEMO_RATES, 'demo').base).toBe('EUR');
  });

  it.each([
    ['', /empty/],
    ['EUR=1,USD', /"USD" is not like/],
    ['EUR=1,ZZZ=2', /ZZZ is not an ISO 4217/],
    ['EUR=1,USD=0', /above zero/],
    ['EUR=1,USD=1.1,USD=1.2', /twice/],
    ['USD=1.08,EUR=1', /base: give it 1/],
    ['EUR=1,USD=-1', /not like/],
    ['EUR=1,USD=1e3', /not like/],
  ])('refuses %j, naming the problem', (text, message) => {
    expect(() => parseHouseRates(text, 'x')).toThrow(ConfigError);
    expect(() => parseHouseRates(text, 'x')).toThrow(message);
  });

  it('gives the demo illustrative rates, and a deployment none unless configured', () => {
    expect(gatewayConfigFromEnv({}).houseRates?.note).toMatch(/^Demo/);
    expect(gatewayConfigFromEnv({ GAVEL_DEMO: 'false' }).houseRates).toBeUndefined();
    expect(
      gatewayConfigFromEnv({ GAVEL_DEMO: 'false', HOUSE_RATES: 'GBP=1,EUR=1.17' }).houseRates?.base,
    ).toBe('GBP');
    expect(() => gatewayConfigFromEnv({ HOUSE_RATES: 'GBP=1,EUR' })).toThrow(/HOUSE_RATES/);
  });
});
