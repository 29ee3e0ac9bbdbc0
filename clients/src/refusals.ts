import { ApiError } from './api.ts';

/** What each refusal means to a bidder; the gateway's own message follows with the specifics. */
const REFUSALS: Record<string, string> = {
  NOT_ELIGIBLE: 'You are not approved to bid in this sale.',
  OVER_LIMIT: 'This bid is above your approved bidding limit.',
  TOO_LOW: 'Your bid is below the next acceptable amount.',
  OUTBID: 'Another bidder got there first.',
  ALREADY_LEADING: 'You are already the highest bidder.',
  CLOSED: 'Bidding on this lot has closed.',
  NOT_STARTED: 'Bidding on this lot has not opened yet.',
  ON_HOLD: 'The sale is on hold.',
  RATE_LIMITED: 'Too many bids in a short time.',
  UNKNOWN_AUCTION: 'This lot does not exist (any more).',
  IDEMPOTENCY_KEY_REUSED: 'This bid clashed with an earlier one; press the button again.',
  ENGINE_UNAVAILABLE: 'Bidding is briefly unavailable; your bid was not placed. Try again.',
  NETWORK: 'No connection: your bid may not have reached us. Check your network and try again.',
  UNAUTHENTICATED: 'Your session has ended: sign in again.',
  TOKEN_EXPIRED: 'Your session has expired: sign in again.',
  TOKEN_INVALID: 'Your session is not valid here: sign in again.',
};

export function refusalText(err: unknown): { code: string; text: string } {
  if (!(err instanceof ApiError))
    return { code: 'UNKNOWN', text: 'Something went wrong; your bid was not placed.' };
  const headline = REFUSALS[err.code] ?? 'Your bid was not accepted.';
  const wait =
    err.code === 'RATE_LIMITED' && err.retryAfter !== undefined ? ` Wait ${err.retryAfter} s.` : '';
  const detail = err.code === 'NETWORK' ? '' : ` (${err.message})`;
  return { code: err.code, text: `${headline}${wait}${detail}` };
}
