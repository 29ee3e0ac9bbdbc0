/**
 * The back office's events: what the orchestrator announces through its outbox, on a sale's topic
 * (every page of the sale) or on a bidder's private topic (that bidder's pages, and their text
 * messages). The SSE event type is the event's name; the data is the payload below plus `type`,
 * `notificationId` and `at`. Money as decimal strings beside the currency.
 */
import * as z from 'zod/mini';
import { decimalSchema } from './auction.ts';
import { auctionModeSchema, type AuctionMode } from './lot.ts';

/** Every back-office event name. */
export const BACK_OFFICE_EVENTS = [
  'sale.opened',
  'sale.closed',
  'sale.cancelled',
  'lot.withdrawn',
  'lot.extended',
  'lot.closing_soon',
  'lot.result',
  'lot.won',
  'lot.lost',
  'auction.restated',
  'bid.cancelled',
  'registration.approved',
  'registration.declined',
  'registration.revoked',
] as const;
export type BackOfficeEventType = (typeof BACK_OFFICE_EVENTS)[number];

/** A sale's timed or live lots are open (sale topic). */
export interface SaleOpenedEvent {
  saleId: string;
  title: string;
  mode: AuctionMode;
}

/** `sale.closed`, `sale.cancelled` (sale topic). */
export interface SaleEvent {
  saleId: string;
}

/** A lot the house withdrew before its result (sale topic). */
export interface LotWithdrawnEvent {
  lotId: string;
  saleId: string;
}

/** A lot as people name it in a message. */
export interface LotMention {
  lotId: string;
  saleId: string;
  lotNumber: number;
  title: string;
}

/** A late bid moved a timed lot's end (each bidder's topic). */
export interface LotExtendedEvent {
  lotId: string;
  saleId: string;
  title: string;
  endsAt: string;
  bidderId: string;
}

/** A timed lot ends within the sale's warning time: on the sale topic, and with `bidderId` on each bidder's. */
export interface LotClosingSoonEvent extends LotMention {
  endsAt: string;
  bidderId?: string;
}

/** How a lot ended, as the back office records it. */
export const LOT_OUTCOMES = ['sold', 'unsold', 'passed', 'withdrawn', 'cancelled'] as const;
export type LotOutcome = (typeof LOT_OUTCOMES)[number];

/** A lot's result (sale topic); the hammer price when sold. */
export interface LotResultEvent extends LotMention {
  currency: string;
  outcome: LotOutcome;
  hammer: string | null;
}

/** The result, to a bidder who bid and did not win (their topic). */
export interface LotLostEvent extends LotResultEvent {
  bidderId: string;
}

/** The result, to the buyer (their topic): the invoice. */
export interface LotWonEvent extends LotMention {
  currency: string;
  bidderId: string;
  hammer: string;
  premium: string;
  tax: string;
  total: string;
}

/** A timed lot's standing changed outside the bidding — the house cancelled a bid (sale topic): pages refetch. */
export interface AuctionRestatedEvent {
  lotId: string;
  saleId: string;
  seq: number;
  price: string;
  /** The leader's mask in this sale; null without bids. */
  leader: string | null;
  bidCount: number;
  asking: string;
  endsAt: string;
  currency: string;
  reason: 'bid_cancelled';
}

/** The house cancelled one of your bids (your topic). */
export interface BidCancelledEvent extends LotMention {
  bidderId: string;
  /** The cancelled bid's seq. */
  seq: number;
}

/** The house decided on your registration for a sale (your topic; also by email and your channels). */
export interface RegistrationDecisionEvent {
  bidderId: string;
  saleId: string;
  saleTitle: string;
  status: 'approved' | 'declined' | 'revoked';
  paddle: string | null;
  currency: string;
  /** The approval limit, decimal string; null when none is set. */
  limit: string | null;
}

const registrationDecision = (status: RegistrationDecisionEvent['status']) =>
  z.object({
    bidderId: z.string(),
    saleId: z.string(),
    saleTitle: z.string(),
    status: z.literal(status),
    paddle: z.nullable(z.string()),
    currency: z.string(),
    limit: z.nullable(decimalSchema),
  }) satisfies z.ZodMiniType<RegistrationDecisionEvent>;

const lotMention = { lotId: z.string(), saleId: z.string(), lotNumber: z.number(), title: z.string() };
const lotResult = {
  ...lotMention,
  currency: z.string(),
  outcome: z.enum(LOT_OUTCOMES),
  hammer: z.nullable(decimalSchema),
};

/** Each event's payload schema, by name. */
export const backOfficeEventSchemas = {
  'sale.opened': z.object({
    saleId: z.string(),
    title: z.string(),
    mode: auctionModeSchema,
  }) satisfies z.ZodMiniType<SaleOpenedEvent>,
  'sale.closed': z.object({ saleId: z.string() }) satisfies z.ZodMiniType<SaleEvent>,
  'sale.cancelled': z.object({ saleId: z.string() }) satisfies z.ZodMiniType<SaleEvent>,
  'lot.withdrawn': z.object({
    lotId: z.string(),
    saleId: z.string(),
  }) satisfies z.ZodMiniType<LotWithdrawnEvent>,
  'lot.extended': z.object({
    lotId: z.string(),
    saleId: z.string(),
    title: z.string(),
    endsAt: z.string(),
    bidderId: z.string(),
  }) satisfies z.ZodMiniType<LotExtendedEvent>,
  'lot.closing_soon': z.object({
    ...lotMention,
    endsAt: z.string(),
    bidderId: z.optional(z.string()),
  }) satisfies z.ZodMiniType<LotClosingSoonEvent>,
  'lot.result': z.object(lotResult) satisfies z.ZodMiniType<LotResultEvent>,
  'lot.lost': z.object({ ...lotResult, bidderId: z.string() }) satisfies z.ZodMiniType<LotLostEvent>,
  'lot.won': z.object({
    ...lotMention,
    currency: z.string(),
    bidderId: z.string(),
    hammer: decimalSchema,
    premium: decimalSchema,
    tax: decimalSchema,
    total: decimalSchema,
  }) satisfies z.ZodMiniType<LotWonEvent>,
  'auction.restated': z.object({
    lotId: z.string(),
    saleId: z.string(),
    seq: z.number(),
    price: decimalSchema,
    leader: z.nullable(z.string()),
    bidCount: z.number(),
    asking: decimalSchema,
    endsAt: z.string(),
    currency: z.string(),
    reason: z.literal('bid_cancelled'),
  }) satisfies z.ZodMiniType<AuctionRestatedEvent>,
  'bid.cancelled': z.object({
    ...lotMention,
    bidderId: z.string(),
    seq: z.number(),
  }) satisfies z.ZodMiniType<BidCancelledEvent>,
  'registration.approved': registrationDecision('approved'),
  'registration.declined': registrationDecision('declined'),
  'registration.revoked': registrationDecision('revoked'),
} as const satisfies Record<BackOfficeEventType, z.ZodMiniType>;
