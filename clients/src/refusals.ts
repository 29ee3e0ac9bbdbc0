import { ApiError } from './api.ts';
import { t } from './i18n/page.ts';

/** The refusals a bidder is told about in their own words (catalogue keys `refusal.<CODE>`); the gateway's message follows with the specifics. */
const REFUSALS = [
  'NOT_ELIGIBLE',
  'OVER_LIMIT',
  'TOO_LOW',
  'OUTBID',
  'ALREADY_LEADING',
  'CLOSED',
  'NOT_STARTED',
  'ON_HOLD',
  'RATE_LIMITED',
  'UNKNOWN_AUCTION',
  'IDEMPOTENCY_KEY_REUSED',
  'ENGINE_UNAVAILABLE',
  'NETWORK',
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'TOKEN_INVALID',
] as const;
type Refusal = (typeof REFUSALS)[number];
const isRefusal = (code: string): code is Refusal => (REFUSALS as readonly string[]).includes(code);

export function refusalText(err: unknown): { code: string; text: string } {
  if (!(err instanceof ApiError)) return { code: 'UNKNOWN', text: t('refusal.unknown') };
  const headline = isRefusal(err.code) ? t(`refusal.${err.code}`) : t('refusal.other');
  const wait =
    err.code === 'RATE_LIMITED' && err.retryAfter !== undefined
      ? ` ${t('refusal.wait', { seconds: err.retryAfter })}`
      : '';
  const detail = err.code === 'NETWORK' ? '' : ` (${err.message})`;
  return { code: err.code, text: `${headline}${wait}${detail}` };
}
