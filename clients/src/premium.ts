/**
 * What a bid commits the bidder to: hammer + buyer's premium + tax, as the back office invoices a
 * won lot. A mirror of orchestrator/rules/trade.ts (`buyersPremium`, `invoiceFor`): marginal bands
 * summed in BigInt and rounded half up once, tax rounded half up on its base. The pages may not import
 * the back office, so test/premium-agreement.test.ts holds the two to the same answers.
 * Amounts are decimal strings of the sale's currency ("10500.00"); the scale is the amount's own.
 */
import type { BuyerTerms, PremiumBandWire } from '../../common/contracts/index.ts';
import { withCurrency } from './money.ts';
import { t } from './i18n/page.ts';

/** The invoice a hammer price leads to, in decimal strings of the hammer's scale. */
export interface Quote {
  hammer: string;
  premium: string;
  tax: string;
  total: string;
}

/** "1234.50" → 123450n at 2 decimals. Throws on text that is not a plain decimal. */
export function toMinor(amount: string, decimals: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (m === null) throw new RangeError(`not an amount: "${amount}"`);
  const frac = m[2] ?? '';
  if (frac.length > decimals) throw new RangeError(`"${amount}" has more than ${decimals} decimals`);
  return BigInt(m[1]! + frac.padEnd(decimals, '0'));
}

export function fromMinor(minor: bigint, decimals: number): string {
  if (decimals === 0) return minor.toString();
  const s = minor.toString().padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

/** The number of decimals of an amount on the wire ("100.00" → 2, "500" → 0). */
export function scaleOf(amount: string): number {
  return (amount.split('.')[1] ?? '').length;
}

/** `n / d` rounded half up (n ≥ 0, d > 0): trade.ts's rounding. */
function divRoundHalfUp(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (2n * d);
}

/** The premium on a hammer (minor units): each band's rate on the part of the hammer inside it. */
export function premiumMinor(hammer: bigint, bands: readonly PremiumBandWire[], decimals: number): bigint {
  let lower = 0n;
  let sum = 0n;
  for (const b of bands) {
    const upTo = b.upTo === null ? null : toMinor(b.upTo, decimals);
    const upper = upTo === null || hammer < upTo ? hammer : upTo;
    if (upper > lower) sum += (upper - lower) * BigInt(b.rateBp);
    if (upTo === null || hammer <= upTo) break;
    lower = upTo;
  }
  return divRoundHalfUp(sum, 10_000n);
}

/** The lot's bands when it has its own, else the sale's. */
export function bandsFor(
  terms: BuyerTerms,
  lotPremium: readonly PremiumBandWire[] | undefined,
): readonly PremiumBandWire[] {
  return lotPremium ?? terms.premium;
}

/** Hammer, premium, tax and total for a bid of `hammer` under the sale's terms (and the lot's own bands). */
export function quote(hammer: string, terms: BuyerTerms, lotPremium?: readonly PremiumBandWire[]): Quote {
  const decimals = scaleOf(hammer);
  const h = toMinor(hammer, decimals);
  const premium = premiumMinor(h, bandsFor(terms, lotPremium), decimals);
  const base = terms.taxBase === 'premium' ? premium : h + premium;
  const tax = divRoundHalfUp(base * BigInt(terms.taxRateBp), 10_000n);
  const money = (v: bigint): string => fromMinor(v, decimals);
  return { hammer: money(h), premium: money(premium), tax: money(tax), total: money(h + premium + tax) };
}

/** 2500 → "25 %", 1250 → "12.5 %". */
export function percent(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const rest = String(bp % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${rest === '' ? '' : `.${rest}`} %`;
}

/**
 * The premium and tax in a line: "Buyer's premium 25 % + tax 20 % on the premium", with bands
 * "25 % up to EUR 500,000.00, 20 % above".
 */
export function premiumText(
  terms: BuyerTerms,
  currency: string,
  lotPremium?: readonly PremiumBandWire[],
): string {
  const bands = bandsFor(terms, lotPremium);
  const parts = bands.map((b, i) =>
    b.upTo !== null
      ? t('premium.upTo', { rate: percent(b.rateBp), amount: withCurrency(b.upTo, currency) })
      : i === 0
        ? percent(b.rateBp)
        : t('premium.above', { rate: percent(b.rateBp) }),
  );
  const premium = bands.every((b) => b.rateBp === 0)
    ? t('premium.none')
    : t('premium.bands', { bands: parts.join(', ') });
  if (terms.taxRateBp === 0) return premium;
  const rate = percent(terms.taxRateBp);
  return t(terms.taxBase === 'premium' ? 'premium.taxOnPremium' : 'premium.taxOnBoth', { premium, rate });
}
