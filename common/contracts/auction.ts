/** What the public sees of a lot: the snapshot view and the updates on the auction and sale topics. */
import * as z from 'zod/mini';
import {
  auctionModeSchema,
  auctionStatusSchema,
  floorActionNameSchema,
  leaderKindSchema,
  FLOOR_ACTIONS,
  type AuctionMode,
  type AuctionStatus,
  type FloorActionName,
  type LeaderKind,
} from './lot.ts';

/** What everyone may see of an auction: never a maximum, never the reserve amount, the leader masked. Money as decimal strings. */
export interface PublicAuctionView {
  auctionId: string;
  saleId: string;
  mode: AuctionMode;
  status: AuctionStatus;
  currency: string;
  price: string;
  bidCount: number;
  /** `Bidder <hash>` for an internet or absentee bidder, `Paddle <n>` for a bidder in the room. */
  leader: string | null;
  /** Live lots: who holds the standing bid; timed auctions always show 'bid'. */
  leaderKind: LeaderKind | null;
  /** Next acceptable amount (timed: price + increment or the opening; live: the asking price). */
  asking: string;
  endsAt: string | null;
  reserveMet: boolean;
  /** Live lots: the auctioneer's message while the lot is on hold. */
  message: string | null;
  /** The decision sequence number this view reflects. */
  seq: number;
  /**
   * Orders the states of one seq: a timed lot's status still moves after its last decision without
   * a new seq — the clock closes it (1), then the back office gives its result (2); withdrawn and
   * cancelled are final too (2). Everything a decision leaves is 0. A client shows the state with
   * the greater (seq, stateVersion) and ignores one at or below what it shows — except that at the
   * same (seq, stateVersion) an offered lot is newer than a `scheduled` one: the clock opens a timed
   * lot without a decision (`lastAction` `open`, stateVersion 0), and a lot never goes back to waiting.
   */
  stateVersion: number;
}

/** The floor actions that appear as a lot's last change (`superseded` never does). */
export const LOT_CHANGES = [
  'bid',
  ...FLOOR_ACTIONS.filter((a): a is Exclude<FloorActionName, 'superseded'> => a !== 'superseded'),
  'state',
  'close',
  'result',
] as const;

/**
 * What last changed the lot: an internet bid, or the auctioneer's floor action — or, without a
 * decision of its own, `state` (the lot as it stands, republished by the engine after a restart or
 * a publish that never got through), `open` also when the sale clock opened a timed lot (at its
 * seq, no decision), `close` (the sale clock closed a timed lot) and `result` (the
 * back office decided a timed lot: sold or unsold).
 */
export type LotChange = 'bid' | Exclude<FloorActionName, 'superseded'> | 'state' | 'close' | 'result';

/** A public update as published on the auction and sale topics: the view after one decision, and what made it. */
export interface PublicAuctionUpdate extends PublicAuctionView {
  lastAction: LotChange;
  /** Timed auctions: the bid extended the end (soft close). */
  extended: boolean;
  /** `undo`: the action it reverted. */
  undone: { action: FloorActionName; seq: number } | null;
  /**
   * When it was decided (ISO 8601): by the engine for a bid or floor action — screens measure their
   * delay from it —, by the back office for `close` and `result`; null for a republished `state`.
   */
  decidedAt: string | null;
}

/** A timed lot's result, on its auction and sale topics: the hammer price (never the reserve), and whether it sold. */
export interface LotResultUpdate extends PublicAuctionUpdate {
  lastAction: 'result';
  status: 'sold' | 'unsold';
  /** The hammer price when sold. */
  hammer: string | null;
}

/** A decimal amount as the wire carries it: "1250.00", "0", "12". */
export const decimalSchema = z.string().check(z.regex(/^\d+(\.\d+)?$/, 'a decimal string like "250.00"'));

export const publicAuctionViewSchema = z.object({
  auctionId: z.string(),
  saleId: z.string(),
  mode: auctionModeSchema,
  status: auctionStatusSchema,
  currency: z.string(),
  price: decimalSchema,
  bidCount: z.number(),
  leader: z.nullable(z.string()),
  leaderKind: z.nullable(leaderKindSchema),
  asking: decimalSchema,
  endsAt: z.nullable(z.string()),
  reserveMet: z.boolean(),
  message: z.nullable(z.string()),
  seq: z.number(),
  stateVersion: z.number(),
}) satisfies z.ZodMiniType<PublicAuctionView>;

export const publicAuctionUpdateSchema = z.extend(publicAuctionViewSchema, {
  lastAction: z.enum(LOT_CHANGES),
  extended: z.boolean(),
  undone: z.nullable(z.object({ action: floorActionNameSchema, seq: z.number() })),
  decidedAt: z.nullable(z.string()),
  // A result update's hammer price; absent on every other update.
  hammer: z.optional(z.nullable(decimalSchema)),
}) satisfies z.ZodMiniType<PublicAuctionUpdate>;

/** The SSE event type of public updates on auction and sale topics. */
export const PUBLIC_EVENT = 'auction';

/**
 * The back office's announcement (on the sale topic) that a lot's standing was changed outside the
 * bidding — an admin cancelled a bid: the pages fetch their snapshots again (the new standing has a
 * higher seq, so it replaces what is shown).
 */
export const RESTATED_EVENT = 'auction.restated';
