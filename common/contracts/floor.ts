/** The floor console's wire shapes: a live lot as the console shows it, the answer to a floor action, and why one was refused. */
import * as z from 'zod/mini';
import { decimalSchema } from './auction.ts';
import { resumePointSchema, type ResumePoint } from './snapshot.ts';
import { saleMessageSchema, type SaleMessage } from './messages.ts';
import {
  auctionStatusSchema,
  floorActionNameSchema,
  leaderKindSchema,
  type AuctionStatus,
  type FloorActionName,
  type LeaderKind,
} from './lot.ts';

/**
 * Why the engine refused a floor action (the error `code` of a refused POST …/floor/*). Stable codes;
 * a refused action changes nothing but is recorded (and takes a seq). Each is a catalogue code
 * (common/error-codes.ts checks it at compile time).
 */
export const FLOOR_REJECT_REASONS = [
  'UNKNOWN_AUCTION',
  /** The auction is timed: no floor. */
  'NOT_LIVE',
  /** Malformed: not a non-negative integer where one is needed, an empty paddle, an unknown action. */
  'INVALID_REQUEST',
  /** The lot is still scheduled and the action needs it open. */
  'NOT_STARTED',
  /** The lot is finished (sold, passed, unsold, withdrawn, closed, cancelled). */
  'CLOSED',
  'ON_HOLD',
  /** Not allowed from the lot's current status (open an open lot, resume when not in fair warning…). */
  'INVALID_TRANSITION',
  /** A floor bid below the asking price, or an asking price not above the standing bid. */
  'TOO_LOW',
  /**
   * An asking price, a floor bid, or an increment whose next asking price would be above the largest
   * amount a bid may have (MAX_MINOR in common/money.ts, 9,999,999,999,999 minor units).
   */
  'TOO_HIGH',
  /** A floor bid at or below the standing bid (someone was first at that amount), or answered by an absentee maximum. */
  'OUTBID',
  'ALREADY_LEADING',
  /** overrule: the standing bid is not an internet bid. */
  'NOTHING_TO_OVERRULE',
  /** reject_bid: no standing bid to reject. */
  'NOTHING_TO_REJECT',
  /** reject_bid: the seq is not that of the standing bid. */
  'NOT_LATEST_BID',
  'NOTHING_TO_UNDO',
  /** undo after `superseded` (the next lot has opened). */
  'UNDO_WINDOW_CLOSED',
  'IDEMPOTENCY_KEY_REUSED',
] as const;
export type FloorRejectReason = (typeof FLOOR_REJECT_REASONS)[number];

/** A live lot as the floor console shows it: money as decimal strings, the leader with their paddle. */
export interface FloorLot {
  auctionId: string;
  saleId: string;
  currency: string;
  /** The seq of the newest event of the lot this state reflects. */
  seq: number;
  /** Orders states of one seq, as on the public updates (PublicAuctionView.stateVersion). */
  stateVersion: number;
  status: AuctionStatus;
  price: string;
  asking: string;
  /** The increment set for this lot; null when the increment table applies. */
  step: string | null;
  bidCount: number;
  leader: {
    kind: LeaderKind;
    /** What the room and the phones see: `Paddle 112` or `Bidder 3F2A9C`. */
    display: string;
    paddle: string | null;
    /** Internet and absentee bidders (staff only). */
    bidderId: string | null;
    /**
     * An internet or absentee bidder's paddle from their registration for the sale (staff only: what
     * the clerk calls, "internet bidder paddle 1042"); null or absent when not registered with one.
     */
    onlinePaddle?: string | null | undefined;
  } | null;
  /** Seq of the standing bid: what POST …/floor/reject names. 0 when there is none. */
  standingSeq: number;
  /** The hold message while on hold. */
  message: string | null;
  reserveMet: boolean;
  undoAvailable: boolean;
  /** The action Undo would revert (null when none): what the console's Undo button names. */
  undoAction: FloorActionName | null;
  /**
   * The commission bar: absentee maximums waiting to execute when the lot opens, highest first (the
   * engine keeps the best two: only they decide the opening). Staff only, never sent to bidders.
   * Null in an action's answer, which does not carry them (GET …/floor does).
   */
  commission: { bidderId: string; display: string; max: string }[] | null;
}

/** What was decided: the action, its seq in the lot's event stream, and what an undo reverted. */
export interface FloorActionInfo {
  name: FloorActionName;
  seq: number;
  previousStatus: AuctionStatus | null;
  undone: { action: FloorActionName; seq: number } | null;
  decidedAt: string;
}

/** POST /v1/auctions/{id}/floor/* (accepted): the action and the lot as decided. */
export interface FloorActionResponse {
  action: FloorActionInfo;
  lot: FloorLot;
}

/** GET /v1/auctions/{id}/floor: the lot and where to follow it. */
export interface FloorStateResponse {
  lot: FloorLot;
  hub: ResumePoint;
}

export const floorLotSchema = z.object({
  auctionId: z.string(),
  saleId: z.string(),
  currency: z.string(),
  seq: z.number(),
  stateVersion: z.number(),
  status: auctionStatusSchema,
  price: decimalSchema,
  asking: decimalSchema,
  step: z.nullable(decimalSchema),
  bidCount: z.number(),
  leader: z.nullable(
    z.object({
      kind: leaderKindSchema,
      display: z.string(),
      paddle: z.nullable(z.string()),
      bidderId: z.nullable(z.string()),
      onlinePaddle: z.optional(z.nullable(z.string())),
    }),
  ),
  standingSeq: z.number(),
  message: z.nullable(z.string()),
  reserveMet: z.boolean(),
  undoAvailable: z.boolean(),
  undoAction: z.nullable(floorActionNameSchema),
  commission: z.nullable(
    z.array(z.object({ bidderId: z.string(), display: z.string(), max: decimalSchema })),
  ),
}) satisfies z.ZodMiniType<FloorLot>;

export const floorActionInfoSchema = z.object({
  name: floorActionNameSchema,
  seq: z.number(),
  previousStatus: z.nullable(auctionStatusSchema),
  undone: z.nullable(z.object({ action: floorActionNameSchema, seq: z.number() })),
  decidedAt: z.string(),
}) satisfies z.ZodMiniType<FloorActionInfo>;

export const floorActionResponseSchema = z.object({
  action: floorActionInfoSchema,
  lot: floorLotSchema,
}) satisfies z.ZodMiniType<FloorActionResponse>;

export const floorStateResponseSchema = z.object({
  lot: floorLotSchema,
  hub: resumePointSchema,
}) satisfies z.ZodMiniType<FloorStateResponse>;

/**
 * GET /v1/sales/{id}/audience (staff only): who is following the sale on the hubs now — every hub
 * instance's subscriptions to the sale's topic or one of its lots' topics.
 */
export interface SaleAudience {
  saleId: string;
  /** Signed-in bidders (each counted once, however many pages they have open). */
  bidders: number;
  /** Every open connection following the sale: bidders, anonymous viewers, room screens, staff. */
  connections: number;
  /** When it was counted (ISO 8601, the server's clock). */
  countedAt: string;
}

export const saleAudienceSchema = z.object({
  saleId: z.string(),
  bidders: z.number(),
  connections: z.number(),
  countedAt: z.string(),
}) satisfies z.ZodMiniType<SaleAudience>;

/** POST /v1/sales/{id}/messages (201) and GET /v1/sales/{id}/message: the message, or null when none was sent. */
export interface SaleMessageResponse {
  message: SaleMessage | null;
}

export const saleMessageResponseSchema = z.object({
  message: z.nullable(saleMessageSchema),
}) satisfies z.ZodMiniType<SaleMessageResponse>;

/** The SSE event type of a missed-bid warning, a private update on the sale's staff-only topic. */
export const MISSED_BID_EVENT = 'floor.missed_bid';
/** How long after the hammer (or pass, withdraw) a refused internet bid still counts as missed. */
export const MISSED_BID_WINDOW_MS = 3_000;

/**
 * An internet bid refused because the lot had just been finished (within MISSED_BID_WINDOW_MS of
 * the hammer): the console warns the auctioneer, who may reopen the lot (undo). Staff only.
 */
export interface MissedBid {
  auctionId: string;
  saleId: string;
  currency: string;
  /** The amount bid (decimal string). */
  amount: string;
  /** The bidder's registered paddle for the sale, when known. */
  paddle: string | null;
  /** The bidder as the room sees them (`Bidder 3F2A9C`). */
  bidder: string;
  /** The action that finished the lot. */
  closedBy: FloorActionName;
  /** The lot's status once finished. */
  status: AuctionStatus;
  /** How long after that action the bid arrived (milliseconds, the engine's clock). */
  lateByMs: number;
  /** When the bid was refused (ISO 8601). */
  at: string;
}

export const missedBidSchema = z.object({
  auctionId: z.string(),
  saleId: z.string(),
  currency: z.string(),
  amount: decimalSchema,
  paddle: z.nullable(z.string()),
  bidder: z.string(),
  closedBy: floorActionNameSchema,
  status: auctionStatusSchema,
  lateByMs: z.number(),
  at: z.string(),
}) satisfies z.ZodMiniType<MissedBid>;
