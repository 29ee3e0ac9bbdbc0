/**
 * The room screen's arithmetic, without the DOM (tested without a browser): a price shown in other
 * currencies at the house's display rates, exactly (integer arithmetic on the decimal strings) and
 * rounded to whole units — an indication for the room, never an amount anyone is charged.
 */
import {
  isFinished,
  isInProgress,
  type AuctionStatus,
  type CatalogueLot,
  type HouseRates,
} from '../../common/contracts/index.ts';
import { lotOnTheBlock } from './floor-lot.ts';
import { formatMoney } from './money.ts';

const SCALE = 8;

/** A decimal string as an integer scaled by 10^SCALE. */
function scaled(decimal: string): bigint {
  const [int = '0', frac = ''] = decimal.split('.');
  return BigInt(int + frac.padEnd(SCALE, '0').slice(0, SCALE));
}

/** `amount` of `from` in `to`, rounded half up to whole units; undefined when a rate is missing. */
export function convert(amount: string, from: string, to: string, rates: HouseRates): string | undefined {
  const rFrom = rates.rates[from];
  const rTo = rates.rates[to];
  if (rFrom === undefined || rTo === undefined || from === to) return undefined;
  // amount × rTo / rFrom, all scaled by 10^SCALE: (a·10^S)(t·10^S) / (f·10^S) = a·t/f · 10^S.
  const num = scaled(amount) * scaled(rTo);
  const den = scaled(rFrom) * 10n ** BigInt(SCALE);
  if (den === 0n) return undefined;
  return ((num + den / 2n) / den).toString();
}

/** The lines under the price: "USD 21,600", … for every other currency the house lists, in its order. */
export function conversions(amount: string, currency: string, rates: HouseRates): string[] {
  return Object.keys(rates.rates).flatMap((to) => {
    const v = convert(amount, currency, to, rates);
    return v === undefined ? [] : [`${to} ${formatMoney(v)}`];
  });
}

/**
 * The lot the room shows: the one being sold; else the lot just decided, whose result stays up until
 * the next lot opens; else the next to offer.
 */
export function roomLot(
  lots: readonly CatalogueLot[],
  statusOf: (id: string) => AuctionStatus | undefined,
  shown: string,
): string {
  const active = lots.find((l) => {
    const s = statusOf(l.id);
    return s !== undefined && isInProgress(s);
  });
  if (active !== undefined) return active.id;
  const current = statusOf(shown);
  if (current !== undefined && isFinished(current)) return shown;
  return lotOnTheBlock(lots, statusOf);
}
