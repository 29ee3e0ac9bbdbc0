/** The house's display rates for the room screen: read from HOUSE_RATES (docs/configuration.md). */
import { ConfigError } from '../common/config.ts';
import type { HouseRates } from '../common/contracts/index.ts';
import { isCurrency } from '../common/money.ts';

/** Illustrative rates for the demo's room screen (not market data). */
export const DEMO_RATES = 'EUR=1,USD=1.08,GBP=0.85,CHF=0.94,JPY=162';

/**
 * Reads HOUSE_RATES: `CUR=rate,…`, each rate the units of CUR one unit of the first currency buys
 * (the first is the base, at 1). Refuses what it cannot read, naming the entry.
 */
export function parseHouseRates(text: string, note: string): HouseRates {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new ConfigError('HOUSE_RATES is empty: give entries like EUR=1,USD=1.08');
  const rates: Record<string, string> = {};
  let base = '';
  for (const entry of entries) {
    const m = /^([A-Z]{3})=(\d{1,9}(?:\.\d{1,8})?)$/.exec(entry);
    if (m === null) throw new ConfigError(`HOUSE_RATES entry "${entry}" is not like USD=1.0850`);
    const [, currency = '', rate = ''] = m;
    if (!isCurrency(currency)) throw new ConfigError(`HOUSE_RATES: ${currency} is not an ISO 4217 currency`);
    if (!/[1-9]/.test(rate)) throw new ConfigError(`HOUSE_RATES: the rate of ${currency} must be above zero`);
    if (currency in rates) throw new ConfigError(`HOUSE_RATES names ${currency} twice`);
    if (base === '') {
      base = currency;
      if (Number(rate) !== 1)
        throw new ConfigError(`HOUSE_RATES: the first currency (${currency}) is the base: give it 1`);
    }
    rates[currency] = rate;
  }
  return { base, rates, note };
}
