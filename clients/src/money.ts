/** Money on the wire is a decimal string ("10500.00"); these only format and compare it. */
import { pageLocale } from './i18n/page.ts';

/** "10500.00" → "10,500.00" (grouping only: the currency's decimals are already in the string). */
export function formatMoney(amount: string): string {
  const [int = '0', frac] = amount.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/**
 * The viewer's locale: the page's language (`<html lang>`, which the gateway chose), in the browser's
 * own region when it speaks that language (fr-CA), else the language's default (fr-FR); en-US in Node.
 */
export function viewerLocale(): string {
  return pageLocale();
}

const formats = new Map<string, Intl.NumberFormat>();

function currencyFormat(locale: string, currency: string, decimals: number): Intl.NumberFormat {
  const key = `${locale}|${currency}|${decimals}`;
  let nf = formats.get(key);
  if (nf === undefined) {
    nf = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      // The code, never a symbol: "$" is several currencies, and a bidder commits to an exact sum.
      currencyDisplay: 'code',
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    formats.set(key, nf);
  }
  return nf;
}

/**
 * An amount with its currency in the viewer's locale: "EUR 1,250,000.00" (en), "1 250 000,00 EUR"
 * (fr), "JPY 125,000". Exact: the integer part is formatted as a BigInt and the fraction digits are
 * the wire's own, put where the locale puts them — the amount never becomes a float. The decimals
 * are those of the string (the wire carries the currency's scale).
 */
export function withCurrency(amount: string, currency: string, locale = viewerLocale()): string {
  const negative = amount.startsWith('-');
  const [int = '0', frac = ''] = (negative ? amount.slice(1) : amount).split('.');
  if (!/^\d+$/.test(int) || !/^\d*$/.test(frac)) return `${currency} ${formatMoney(amount)}`;
  let parts: Intl.NumberFormatPart[];
  try {
    parts = currencyFormat(locale, currency, frac.length).formatToParts(BigInt(int));
  } catch {
    // A locale or currency code this browser's Intl does not take: the plain form.
    return `${currency} ${formatMoney(amount)}`;
  }
  const text = parts.map((p) => (p.type === 'fraction' ? frac : p.value)).join('');
  // A no-break space between the code and the figure reads as a space; prices never wrap (CSS).
  return `${negative ? '-' : ''}${text.replace(/\u00a0/g, ' ')}`;
}

/** a − b for two amounts of the same currency, as a decimal string with b's decimals. */
export function subtract(a: string, b: string): string {
  const decimals = (a.split('.')[1] ?? '').length;
  const scale = 10 ** decimals;
  const diff = Math.round(Number(a) * scale) - Math.round(Number(b) * scale);
  return (diff / scale).toFixed(decimals);
}

/** Whether an amount is at least `threshold` (whole currency units): large bids are confirmed. */
export function atLeast(amount: string, threshold: number): boolean {
  return Number(amount) >= threshold;
}

/** The sum of amounts of one currency (decimal strings of one scale), exactly: integer minor units, never floats. */
export function sum(amounts: readonly string[], decimals: number): string {
  let total = 0n;
  for (const a of amounts) {
    const [int = '0', frac = ''] = a.split('.');
    total += BigInt(int + frac.padEnd(decimals, '0').slice(0, decimals));
  }
  if (decimals === 0) return total.toString();
  const s = total.toString().padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}
