/**
 * Every error code a Gavel API answers with, per area, and its HTTP status. `AppError` takes its
 * status from here; `docs/api.md` lists the same table (a unit test keeps the two in step).
 */
import type { FloorRejectReason } from './contracts/floor.ts';

/** Malformed or refused requests, whatever the route. */
const REQUEST = {
  VALIDATION_FAILED: 400,
  BAD_JSON: 400,
  DUPLICATE_KEY: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MISSING_IDEMPOTENCY_KEY: 400,
  BAD_IDEMPOTENCY_KEY: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  BAD_AMOUNT: 400,
  AMOUNT_TOO_LARGE: 400,
  BAD_CURRENCY: 400,
  BAD_SCALE: 400,
  RATE_LIMITED: 429,
  NOT_FOUND: 404,
  /** A Hono HTTPException: the response carries the exception's own status. */
  HTTP_ERROR: 400,
  UNAVAILABLE: 503,
} as const;

/** Who the caller is and what they may do (user tokens, service tokens, the demo sign-in). */
const AUTH = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  TOKEN_INVALID_CLAIMS: 401,
  DEMO_LOCAL_ONLY: 403,
  UNKNOWN_USER: 404,
} as const;

/** Accounts, sign-in links and cookie sessions (docs/accounts.md). */
const ACCOUNTS = {
  LINK_INVALID: 400,
  INVITATION_INVALID: 400,
  CSRF_FAILED: 403,
  UNKNOWN_SESSION: 404,
  ACCOUNTS_UNAVAILABLE: 503,
  // Passkeys, TOTP, staff administration.
  PASSKEY_INVALID: 400,
  UNKNOWN_PASSKEY: 404,
  TOTP_INVALID: 400,
  TOTP_NOT_ENROLLED: 409,
  UNKNOWN_ACCOUNT: 404,
  // A bidder's Web Push subscriptions (docs/push-notifications.md).
  PUSH_DISABLED: 501,
  BAD_PUSH_ENDPOINT: 400,
  BAD_PUSH_KEYS: 400,
  TOO_MANY_PUSH_DEVICES: 409,
} as const;

/** Internet bids: the engine's refusals and the gateway's checks. */
const BIDS = {
  UNKNOWN_AUCTION: 404,
  NOT_STARTED: 409,
  CLOSED: 409,
  ON_HOLD: 409,
  NOT_ELIGIBLE: 403,
  OVER_LIMIT: 403,
  TOO_LOW: 409,
  OUTBID: 409,
  ALREADY_LEADING: 409,
  MAX_BELOW_AMOUNT: 400,
  ENGINE_UNAVAILABLE: 503,
} as const;

/** The auctioneer's floor actions on a live lot. */
const FLOOR = {
  NOT_LIVE: 409,
  INVALID_REQUEST: 400,
  INVALID_TRANSITION: 409,
  TOO_HIGH: 409,
  NOTHING_TO_OVERRULE: 409,
  NOTHING_TO_REJECT: 409,
  NOT_LATEST_BID: 409,
  NOTHING_TO_UNDO: 409,
  UNDO_WINDOW_CLOSED: 409,
  LOT_IN_PROGRESS: 409,
  DIFFERENT_SALE: 409,
  SAME_LOT: 400,
} as const;

/** The back office's admin API: sales, lots, bidders, registrations, cancellations. */
const ADMIN = {
  ADMIN_DISABLED: 503,
  ALREADY_EXISTS: 409,
  ALREADY_REGISTERED: 409,
  BAD_ESTIMATE: 400,
  BAD_INCREMENTS: 400,
  BAD_PADDLES: 400,
  BAD_PREMIUM_BANDS: 400,
  BAD_SEQ: 400,
  BAD_TIMES: 400,
  CANCEL_IN_PROGRESS: 409,
  CDD_REQUIRED: 422,
  CONTACT_TAKEN: 409,
  END_NOT_LATER: 409,
  LEDGER_BEHIND: 503,
  LOT_FINALISED: 409,
  LOT_LOCKED: 409,
  LOT_NUMBER_TAKEN: 409,
  NOT_ACCEPTED: 409,
  NOT_AVAILABLE: 501,
  NOT_DRAFT: 409,
  NOT_REGISTERED: 404,
  NOT_TIMED: 409,
  NO_END: 409,
  NO_LOTS: 409,
  PADDLES_EXHAUSTED: 409,
  PROFILE_INCOMPLETE: 409,
  RESTATE_REFUSED: 409,
  SALE_ACTIVE: 409,
  SALE_LOCKED: 409,
  TERMS_VERSION: 409,
  UNKNOWN_BID: 404,
  UNKNOWN_BIDDER: 404,
  UNKNOWN_CONSIGNOR: 400,
  UNKNOWN_INVITATION: 404,
  UNKNOWN_LOT: 404,
  UNKNOWN_SALE: 404,
  WATCHLIST_FULL: 409,
  // Lot images and the CSV catalogue import (docs/media.md).
  BAD_IMAGE: 422,
  IMAGE_TOO_LARGE: 413,
  TOO_MANY_IMAGES: 400,
  UNKNOWN_IMAGE: 404,
  BAD_IMAGE_ORDER: 400,
  BAD_CSV: 400,
  IMPORT_REFUSED: 422,
} as const;

/** Identity checks (KYC) and their vendor's webhook. */
const KYC = {
  KYC_DISABLED: 501,
  KYC_CHECK_NOT_RETRYABLE: 409,
  KYC_PROVIDER_REFUSED: 502,
  KYC_PROVIDER_UNAVAILABLE: 503,
  UNKNOWN_CHECK: 404,
  MALFORMED_SIGNATURE: 403,
  STALE_SIGNATURE: 403,
} as const;

/** Bids by text message: the providers' webhooks. */
const MESSAGING = {
  BAD_SIGNATURE: 403,
  BAD_VERIFY_TOKEN: 403,
  MESSAGING_DISABLED: 503,
  WRONG_CURRENCY: 400,
} as const;

/** The Mercure hub: publish, subscribe, the subscription API, its JWTs. */
const HUB = {
  HUB_UNAVAILABLE: 503,
  MISSING_TOPIC: 400,
  TOO_MANY_TOPICS: 400,
  RESERVED_TOPIC: 400,
  INVALID_TOPIC_SELECTOR: 400,
  TOPIC_SELECTOR_TOO_LONG: 400,
  TOPIC_SELECTOR_TOO_COMPLEX: 400,
  INVALID_PATH: 400,
  INVALID_ID: 400,
  INVALID_TYPE: 400,
  INVALID_RETRY: 400,
  ANONYMOUS_DISABLED: 401,
  TOKEN_MISSING: 401,
  TOKEN_MALFORMED: 401,
  TOKEN_BAD_ALGORITHM: 401,
  TOKEN_BAD_SIGNATURE: 401,
  TOKEN_NOT_YET_VALID: 401,
  KEY_NOT_CONFIGURED: 401,
  ORIGIN_NOT_ALLOWED: 403,
  CLAIM_MISSING: 403,
  TOPIC_NOT_AUTHORIZED: 403,
  SUBSCRIPTIONS_DISABLED: 404,
  SUBSCRIPTION_NOT_FOUND: 404,
  TOO_MANY_CONNECTIONS: 429,
} as const;

/** The catalogue by area (each code belongs to exactly one). */
export const ERROR_AREAS = {
  request: REQUEST,
  auth: AUTH,
  accounts: ACCOUNTS,
  bids: BIDS,
  floor: FLOOR,
  admin: ADMIN,
  kyc: KYC,
  messaging: MESSAGING,
  hub: HUB,
} as const;

export type ErrorArea = keyof typeof ERROR_AREAS;

/** Every code and its HTTP status. */
export const ERROR_CODES = {
  ...REQUEST,
  ...AUTH,
  ...ACCOUNTS,
  ...BIDS,
  ...FLOOR,
  ...ADMIN,
  ...KYC,
  ...MESSAGING,
  ...HUB,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Accepts only catalogued codes: the compile-time check of a list answered as error codes. */
type Catalogued<T extends ErrorCode> = T;
/** A refused floor action is answered with its reason as the code: a reason missing here fails to compile. */
type _FloorRejectReasonsAreCodes = Catalogued<FloorRejectReason>;
export type ErrorStatus = (typeof ERROR_CODES)[ErrorCode];

/** The HTTP status a code is answered with. */
export function statusOf(code: ErrorCode): ErrorStatus {
  return ERROR_CODES[code];
}

/** Whether a string (a reason from Lua, a code from another service) is a known code. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

/** The area a code belongs to. */
export function areaOf(code: ErrorCode): ErrorArea {
  for (const [area, codes] of Object.entries(ERROR_AREAS) as [ErrorArea, Record<string, number>][])
    if (Object.hasOwn(codes, code)) return area;
  throw new Error(`error code ${code} is in no area`);
}
