/** Bids over HTTP: the answer to POST /v1/auctions/{id}/bids and the list GET /v1/auctions/{id}/bids. */
import * as z from 'zod/mini';
import { decimalSchema } from './auction.ts';

/** Where a bid came from. */
export const BID_SOURCES = ['api', 'floor', 'sms', 'whatsapp'] as const;
export type BidSource = (typeof BID_SOURCES)[number];

/** Why the engine refused a bid (the error `code` of a refused POST …/bids). */
export const BID_REJECT_REASONS = [
  'UNKNOWN_AUCTION',
  'NOT_STARTED',
  'CLOSED',
  'ON_HOLD',
  'NOT_ELIGIBLE',
  'OVER_LIMIT',
  'TOO_LOW',
  'OUTBID',
  'ALREADY_LEADING',
  'IDEMPOTENCY_KEY_REUSED',
] as const;
export type BidRejectReason = (typeof BID_REJECT_REASONS)[number];

/** What an accepted bid became: a new leading bid, a raised maximum, or a recorded absentee maximum. */
export const BID_KINDS = ['bid', 'max_raised', 'absentee'] as const;
export type BidKind = (typeof BID_KINDS)[number];

/** One bid's decision, money as decimal strings. Accepted: the body's `bid`; refused: the error's `details.bid`. */
export interface BidOutcome {
  seq: number;
  outcome: 'accepted' | 'rejected';
  kind: BidKind | null;
  amount: string;
  max: string | null;
  price: string;
  asking: string;
  leading: boolean;
  endsAt: string | null;
  extended: boolean;
  decidedAt: string;
  currency: string;
}

/** POST /v1/auctions/{id}/bids, 201. */
export interface BidResponse {
  bid: BidOutcome;
}

/** One accepted bid in GET /v1/auctions/{id}/bids; the bidder masked. */
export interface BidListItem {
  seq: number;
  amount: string;
  price: string;
  bidder: string | null;
  source: BidSource;
  at: string;
}

/** GET /v1/auctions/{id}/bids: a page of accepted bids, oldest first; pass `nextCursor` as `cursor` for the next. */
export interface BidListResponse {
  bids: BidListItem[];
  currency: string;
  nextCursor: string;
}

export const bidOutcomeSchema = z.object({
  seq: z.number(),
  outcome: z.enum(['accepted', 'rejected']),
  kind: z.nullable(z.enum(BID_KINDS)),
  amount: decimalSchema,
  max: z.nullable(decimalSchema),
  price: decimalSchema,
  asking: decimalSchema,
  leading: z.boolean(),
  endsAt: z.nullable(z.string()),
  extended: z.boolean(),
  decidedAt: z.string(),
  currency: z.string(),
}) satisfies z.ZodMiniType<BidOutcome>;

export const bidResponseSchema = z.object({ bid: bidOutcomeSchema }) satisfies z.ZodMiniType<BidResponse>;

export const bidListResponseSchema = z.object({
  bids: z.array(
    z.object({
      seq: z.number(),
      amount: decimalSchema,
      price: decimalSchema,
      bidder: z.nullable(z.string()),
      source: z.enum(BID_SOURCES),
      at: z.string(),
    }),
  ),
  currency: z.string(),
  nextCursor: z.string(),
}) satisfies z.ZodMiniType<BidListResponse>;
