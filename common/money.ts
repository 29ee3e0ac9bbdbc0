import { AppError } from './errors.ts';

/**
 * Money is an integer count of minor units plus an ISO 4217 currency — never a float.
 * APIs exchange decimal strings ("250.00"); parsing refuses a bad scale.
 *
 * Amounts are JavaScript safe integers, bounded by MAX_MINOR (10^13 - 1 minor units, i.e. just
 * under 100 billion in a two-decimal currency) so they stay exact in Redis Lua (doubles, and
 * cjson/`%.14g` formatting) as well as in TypeScript.
 */
export const MAX_MINOR = 9_999_999_999_999;

/**
 * ISO 4217 "List One": the active currency codes and their minor-unit exponents (2026 edition, after
 * amendments adding ZWG and XCG and withdrawing HRK, ANG, SLL and BGN). Codes whose minor unit ISO
 * gives as "N.A." (precious metals, XDR, XSU, XUA, the XTS and XXX placeholders) are left out: an
 * amount in them has no exponent, so they are refused, never given a guessed one.
 *
 * Kept here rather than taken from `Intl`: `Intl.supportedValuesOf('currency')` follows the ICU build
 * (it still lists withdrawn codes and lacks fund codes such as CLF), and `Intl.NumberFormat`'s digits
 * are CLDR's display digits, not ISO's exponents (it shows HUF, IDR and IQD without decimals).
 * `money.test.ts` checks every code here against the `Intl` list, so a difference is seen.
 */
const TWO = `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
  CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD
  HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT
  MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR
  SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU
  UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`;
const ZERO = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR = 'CLF UYW';

const EXPONENTS: ReadonlyMap<string, number> = new Map(
  (
    [
      [TWO, 2],
      [ZERO, 0],
      [THREE, 3],
      [FOUR, 4],
    ] as const
  ).flatMap(([codes, exp]) => codes.split(/\s+/).map((code) => [code, exp] as const)),
);

/** Every active ISO 4217 code this module can hold amounts in, sorted. */
export const CURRENCIES: readonly string[] = [...EXPONENTS.keys()].sort();

/** The currency's minor-unit exponent; a code outside the ISO list is refused (400 BAD_CURRENCY). */
export function currencyExponent(currency: string): number {
  const exp = EXPONENTS.get(currency);
  if (exp === undefined)
    throw new AppError('BAD_CURRENCY', `"${currency}" is not an active ISO 4217 currency code`, {
      details: { field: 'currency' },
    });
  return exp;
}

/** True for an active ISO 4217 code with a known exponent ("EUR"); false for "ZZZ", "eur", "XAU". */
export function isCurrency(code: string): boolean {
  return EXPONENTS.has(code);
}

export interface Money {
  minor: number;
  currency: string;
}

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/** Parses a decimal string into minor units; throws a 400 AppError naming the problem. */
export function parseAmount(value: string, currency: string, field = 'amount'): number {
  if (!isCurrency(currency))
    throw new AppError('BAD_CURRENCY', `"${currency}" is not an active ISO 4217 currency code`, {
      details: { field },
    });
  const m = DECIMAL.exec(value);
  if (m === null) {
    throw new AppError(
      'BAD_AMOUNT',
      `${field} must be a non-negative decimal string like "250.00", got "${value}"`,
      { details: { field } },
    );
  }
  const exp = currencyExponent(currency);
  const frac = m[2] ?? '';
  if (frac.length > exp) {
    throw new AppError(
      'BAD_SCALE',
      `${field} has ${frac.length} decimal places; ${currency} allows at most ${exp}`,
      { details: { field, currency, maxScale: exp } },
    );
  }
  const digits = `${m[1]!}${frac.padEnd(exp, '0')}`.replace(/^0+(?=\d)/, '');
  if (digits.length > 13 || Number(digits) > MAX_MINOR) {
    throw new AppError('AMOUNT_TOO_LARGE', `${field} is larger than the maximum supported amount`, {
      details: { field, max: formatAmount(MAX_MINOR, currency) },
    });
  }
  return Number(digits);
}

/** Formats minor units as a decimal string with the currency's scale ("250.00"). */
/** For people (text messages, emails): the currency code and the amount with grouped thousands, "EUR 1,250,000.00". */
export function displayAmount(minor: number, currency: string): string {
  const [int, frac] = formatAmount(minor, currency).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${currency} ${frac === undefined ? grouped : `${grouped}.${frac}`}`;
}

export function formatAmount(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor))
    throw new TypeError(`amount must be an integer number of minor units, got ${minor}`);
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const s = String(Math.abs(minor)).padStart(exp + 1, '0');
  return exp === 0 ? `${sign}${s}` : `${sign}${s.slice(0, -exp)}.${s.slice(-exp)}`;
}
