/**
 * A lot's status, its modes and who may lead it — the vocabulary every other contract uses — and the
 * status groupings, defined once as predicates.
 */
import * as z from 'zod/mini';

export const AUCTION_MODES = ['timed', 'live'] as const;
export type AuctionMode = (typeof AUCTION_MODES)[number];

/** Lifecycle of one auction (a lot): timed ones go scheduled → open → closed; live ones add the floor states. */
export const AUCTION_STATUSES = [
  'scheduled',
  'open',
  'fair_warning',
  'on_hold',
  'closed',
  'sold',
  'passed',
  'unsold',
  'withdrawn',
  'cancelled',
] as const;
export type AuctionStatus = (typeof AUCTION_STATUSES)[number];

/** Who holds the standing bid of a live lot: an internet bid, a floor paddle, or an executed absentee maximum. */
export const LEADER_KINDS = ['bid', 'floor', 'absentee'] as const;
export type LeaderKind = (typeof LEADER_KINDS)[number];

/**
 * The clerk's actions on a live lot (the floor console). Each is decided atomically by the store,
 * numbered in the auction's seq with the bids, and recorded as its own event.
 */
export const FLOOR_ACTIONS = [
  'open',
  'set_asking',
  'set_increment',
  'floor_bid',
  'overrule',
  'reject_bid',
  'fair_warning',
  'resume',
  'hold',
  'resume_from_hold',
  'hammer',
  'pass',
  'withdraw',
  'undo',
  'superseded',
] as const;
export type FloorActionName = (typeof FLOOR_ACTIONS)[number];

export const auctionModeSchema = z.enum(AUCTION_MODES);
export const auctionStatusSchema = z.enum(AUCTION_STATUSES);
export const leaderKindSchema = z.enum(LEADER_KINDS);
export const floorActionNameSchema = z.enum(FLOOR_ACTIONS);

// ── Groupings ────────────────────────────────────────────────────────────────────────────────
// Each status is in exactly one phase; the predicates below are unions of phases, so two
// groupings can never disagree about a status.

/** Not yet offered. */
const WAITING: ReadonlySet<AuctionStatus> = new Set(['scheduled']);
/** Taking bids now. */
const BIDDING: ReadonlySet<AuctionStatus> = new Set(['open', 'fair_warning']);
/** Live lots: stopped by the auctioneer, to be resumed. */
const HELD: ReadonlySet<AuctionStatus> = new Set(['on_hold']);
/** Timed lots: the clock ended the bidding; the back office has yet to give the result. */
const CLOSED: ReadonlySet<AuctionStatus> = new Set(['closed']);
/** Decided for good: nothing changes the lot any more. */
const DECIDED: ReadonlySet<AuctionStatus> = new Set(['sold', 'passed', 'unsold', 'withdrawn', 'cancelled']);

/** Taking bids now: `open` or `fair_warning`. */
export function isBiddable(status: AuctionStatus): boolean {
  return BIDDING.has(status);
}

/** Being sold (the next live lot may not open yet): taking bids or on hold. */
export function isInProgress(status: AuctionStatus): boolean {
  return BIDDING.has(status) || HELD.has(status);
}

/** The result is given and final: sold, passed, unsold, withdrawn or cancelled (not `closed`, which awaits its result). */
export function isDecided(status: AuctionStatus): boolean {
  return DECIDED.has(status);
}

/** No more bidding will happen: decided, or `closed` awaiting its result. */
export function isFinished(status: AuctionStatus): boolean {
  return DECIDED.has(status) || CLOSED.has(status);
}

/**
 * A bid may be sent now: the lot takes bids, or is not yet offered (on a live lot that is an absentee
 * maximum, executed when it opens). On hold is not: the auctioneer has stopped the bidding.
 */
export function isBiddableOrWaiting(status: AuctionStatus): boolean {
  return BIDDING.has(status) || WAITING.has(status);
}

/** Not yet offered: `scheduled`. */
export function isWaiting(status: AuctionStatus): boolean {
  return WAITING.has(status);
}
