import type { AuctionMode, AuctionStatus, LeaderKind } from '../../common/contracts/lot.ts';
import { formatAmount } from '../../common/money.ts';
import type { PublicAuctionUpdate, PublicAuctionView } from '../../common/contracts/auction.ts';
import { isDecided, isFinished } from '../../common/contracts/lot.ts';
import type { AuctionSnapshot, BidDecision, FloorActionResult } from './types.ts';
import type { BidderMasks } from './masks.ts';

/** See PublicAuctionView.stateVersion: 2 once the result is final, 1 while a closed lot awaits it, else 0. */
export function stateVersionOf(status: AuctionStatus): number {
  return isDecided(status) ? 2 : isFinished(status) ? 1 : 0;
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
  /** An invite-only sale's lot: its public state goes out as a Mercure private update. */
  private?: boolean | undefined;
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
  } satisfies PublicAuctionView;
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
  } satisfies PublicAuctionUpdate;
}

/** The hub id of the public update at `seq`: the same for every publisher of that state, so repeats are deduplicated. */
export function publicUpdateId(auctionId: string, seq: number): string {
  return `urn:gavel:auction:${auctionId}:${seq}`;
}
