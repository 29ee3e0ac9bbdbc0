import { formatAmount } from '../../common/money.ts';
import type {
  AuctionMode,
  AuctionSnapshot,
  AuctionStatus,
  BidDecision,
  FloorActionName,
  FloorActionResult,
  LeaderKind,
} from './types.ts';
import type { BidderMasks } from './masks.ts';

/** What everyone may see of an auction: never a maximum, never the reserve amount, the leader masked. */
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
   * the greater (seq, stateVersion) and ignores one at or below what it shows.
   */
  stateVersion: number;
}

/**
 * What last changed the lot: an internet bid, or the auctioneer's floor action — or, without a
 * decision of its own, `state` (the lot as it stands, republished by the engine after a restart or
 * a publish that never got through), `close` (the sale clock closed a timed lot) and `result` (the
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

const STATE_VERSIONS: Partial<Record<AuctionStatus, number>> = {
  closed: 1,
  sold: 2,
  unsold: 2,
  passed: 2,
  withdrawn: 2,
  cancelled: 2,
};

/** See PublicAuctionView.stateVersion. */
export function stateVersionOf(status: AuctionStatus): number {
  return STATE_VERSIONS[status] ?? 0;
}

export function viewFromSnapshot(s: AuctionSnapshot, masks: BidderMasks): PublicAuctionView {
  // One builder for every public view: the snapshot is a decided lot at its latest seq.
  return viewFromDecision(
    {
      auctionId: s.id,
      seq: s.lastSeq,
      status: s.status,
      price: s.price,
      bidCount: s.bidCount,
      leaderId: s.leaderId,
      leaderKind: s.leaderKind,
      asking: s.nextMinimum,
      endsAt: s.endsAt,
      reserveMet: s.reserveMet,
      message: s.message,
    },
    { saleId: s.saleId, currency: s.currency, mode: s.mode },
    masks,
  );
}

export interface AuctionMeta {
  saleId: string;
  currency: string;
  mode: AuctionMode;
}

/** The lot's state right after one decision (a bid or a floor action), as both carry it. */
export interface DecidedLot {
  auctionId: string;
  seq: number;
  status: AuctionStatus;
  price: number;
  bidCount: number;
  leaderId: string | undefined;
  leaderKind: LeaderKind | undefined;
  asking: number;
  /** Timed auctions; ignored for live lots. */
  endsAt: number;
  reserveMet: boolean;
  message: string | undefined;
}

/**
 * A bid decision as a DecidedLot. BidDecision has no status field, but none is needed: a bid can
 * only move the price of a lot that takes bids, and on a live lot that bid (re)opens it (liveBid
 * sets 'open', ending a fair warning); a timed auction takes bids while open. The leader is the
 * bidder, or — when the price moved on a refused live bid — the absentee maximum that answered it.
 */
export function decidedLotOfBid(d: BidDecision, mode: AuctionMode): DecidedLot {
  return {
    auctionId: d.auctionId,
    seq: d.seq,
    status: 'open',
    price: d.price,
    bidCount: d.bidCount,
    leaderId: d.leaderId,
    leaderKind:
      d.leaderId === undefined ? undefined : mode === 'live' && d.kind !== 'bid' ? 'absentee' : 'bid',
    asking: d.asking,
    endsAt: d.endsAt,
    reserveMet: d.reserveMet,
    message: undefined,
  };
}

/** A floor action's result as a DecidedLot; undefined when the store never reached the lot. */
export function decidedLotOfFloor(r: FloorActionResult): DecidedLot | undefined {
  if (r.status === undefined) return undefined;
  return { ...r, status: r.status, endsAt: 0 };
}

/** The public view right after a decision, in the status that decision left the lot. */
export function viewFromDecision(d: DecidedLot, meta: AuctionMeta, masks: BidderMasks): PublicAuctionView {
  return {
    auctionId: d.auctionId,
    saleId: meta.saleId,
    mode: meta.mode,
    status: d.status,
    currency: meta.currency,
    price: formatAmount(d.price, meta.currency),
    bidCount: d.bidCount,
    leader: masks.leader(meta.saleId, d.leaderId, d.leaderKind),
    leaderKind: d.leaderId === undefined ? null : (d.leaderKind ?? 'bid'),
    asking: formatAmount(d.asking, meta.currency),
    endsAt: meta.mode === 'timed' ? new Date(d.endsAt).toISOString() : null,
    reserveMet: d.reserveMet,
    message: d.message ?? null,
    seq: d.seq,
    stateVersion: stateVersionOf(d.status),
  };
}

/**
 * The lot as it stands, as an update with no decision of its own (`state`), at the snapshot's seq.
 * Its id is the one the decision at that seq would have had: a hub that holds that update already
 * deduplicates it.
 */
export function stateUpdateOf(s: AuctionSnapshot, masks: BidderMasks): PublicAuctionUpdate {
  return {
    ...viewFromSnapshot(s, masks),
    lastAction: 'state',
    extended: false,
    undone: null,
    decidedAt: null,
  };
}

/** The hub id of the public update at `seq`: the same for every publisher of that state, so repeats are deduplicated. */
export function publicUpdateId(auctionId: string, seq: number): string {
  return `urn:gavel:auction:${auctionId}:${seq}`;
}
