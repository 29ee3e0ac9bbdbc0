/** Private notices: what the engine tells one bidder about their position, on the bidder's topic. */
import * as z from 'zod/mini';
import { decimalSchema } from './auction.ts';

/** Every private notice type (the SSE event type on a bidder's topic). */
export const NOTICE_TYPES = [
  'leading',
  'outbid',
  'max_raised',
  'proxy_bid',
  'overruled',
  'bid_rejected',
  'reinstated',
  'absentee_executed',
  'won',
  'lost',
] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

/** What every notice carries besides its type. */
export interface NoticeBase {
  auctionId: string;
  seq: number;
  price: string;
  currency: string;
}

/** A private message to one bidder about their position. Money as decimal strings. */
export type BidderNotice =
  | (NoticeBase & { type: 'leading'; yourMaximum: string | null })
  | (NoticeBase & { type: 'outbid'; yourPreviousBid: string; asking: string })
  | (NoticeBase & { type: 'max_raised'; yourMaximum: string })
  | (NoticeBase & { type: 'proxy_bid' })
  /** Live lots: the auctioneer gave your standing bid to a floor bidder at the same amount. */
  | (NoticeBase & { type: 'overruled'; yourBid: string; leader: string | null; asking: string })
  /** Live lots: the auctioneer rejected your standing bid; the price went back to the bid before it. */
  | (NoticeBase & { type: 'bid_rejected'; yourBid: string; asking: string })
  /** Live lots: you lead again — the bid after yours was rejected, or the auctioneer undid an action. */
  | (NoticeBase & { type: 'reinstated'; asking: string })
  /** Live lots: your absentee maximum took the lead when the lot opened. */
  | (NoticeBase & { type: 'absentee_executed'; asking: string })
  /** Live lots: the hammer fell on your bid. */
  | (NoticeBase & { type: 'won'; hammerPrice: string })
  /** Live lots: sold to another bidder (you were the underbidder), or unsold with you leading (reserve not met). */
  | (NoticeBase & { type: 'lost'; lotStatus: 'sold' | 'unsold'; hammerPrice: string | null });

const base = { auctionId: z.string(), seq: z.number(), price: decimalSchema, currency: z.string() };

export const bidderNoticeSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('leading'), yourMaximum: z.nullable(decimalSchema) }),
  z.object({ ...base, type: z.literal('outbid'), yourPreviousBid: decimalSchema, asking: decimalSchema }),
  z.object({ ...base, type: z.literal('max_raised'), yourMaximum: decimalSchema }),
  z.object({ ...base, type: z.literal('proxy_bid') }),
  z.object({
    ...base,
    type: z.literal('overruled'),
    yourBid: decimalSchema,
    leader: z.nullable(z.string()),
    asking: decimalSchema,
  }),
  z.object({ ...base, type: z.literal('bid_rejected'), yourBid: decimalSchema, asking: decimalSchema }),
  z.object({ ...base, type: z.literal('reinstated'), asking: decimalSchema }),
  z.object({ ...base, type: z.literal('absentee_executed'), asking: decimalSchema }),
  z.object({ ...base, type: z.literal('won'), hammerPrice: decimalSchema }),
  z.object({
    ...base,
    type: z.literal('lost'),
    lotStatus: z.enum(['sold', 'unsold']),
    hammerPrice: z.nullable(decimalSchema),
  }),
]) satisfies z.ZodMiniType<BidderNotice>;
