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

/** Minor-unit exponents; currencies not listed default to 2. */
const EXPONENTS: Record<string, number> = {
  BHD: 3,
  CLF: 4,
  CLP: 0,
  ISK: 0,
  IQD: 3,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  TND: 3,
  UGX: 0,
  VND: 0,
  XAF: 0,
  XOF: 0,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

export interface Money {
  minor: number;
  currency: string;
}

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/** Parses a decimal string into minor units; throws a 400 AppError naming the problem. */
export function parseAmount(value: string, currency: string, field = 'amount'): number {
  if (!isCurrency(currency))
    throw new AppError('BAD_CURRENCY', `"${currency}" is not an ISO 4217 currency code`, {
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
