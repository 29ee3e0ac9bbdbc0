import { compareStreamIds } from '../../common/stream-id.ts';
import { nextMinimum, type LiveState } from '../core/decide.ts';
import type {
  AcceptedBid,
  AuctionSetup,
  AuctionSnapshot,
  BidDecision,
  BidRequest,
  FloorActionResult,
  RecordedEvent,
  RestateResult,
} from '../core/types.ts';

/** One auction held by the in-process store: what Redis keeps in its state hash, idempotency hashes and streams. */
export interface Auction {
  published: { seq: number; eventId: string | undefined };
  setup: AuctionSetup;
  state: LiveState;
  eligibility: Map<string, number>;
  idempotency: Map<string, { fingerprint: string; decision: BidDecision }>;
  floorIdempotency: Map<string, { fingerprint: string; result: FloorActionResult }>;
  restateIdempotency: Map<string, { fingerprint: string; result: RestateResult }>;
  /** Every recorded event, in stream-id order (ids only grow): found by binary search. */
  decisions: RecordedEvent[];
  /** The index of the bid listing: accepted bids that took the lead, all and per bidder, in stream order. */
  accepted: AcceptedBid[];
  acceptedBy: Map<string, AcceptedBid[]>;
}

/** An in-process auction's snapshot: the same fields the Redis store reads from its state hash. */
export function snapshotOf(a: Auction): AuctionSnapshot {
  const { setup, state } = a;
  const leaderKind = state.leaderId === undefined ? undefined : (state.leaderKind ?? 'bid');
  return {
    id: setup.id,
    saleId: setup.saleId,
    ...(setup.private === true ? { private: true } : {}),
    mode: setup.mode,
    currency: setup.currency,
    status: state.status,
    startsAt: setup.startsAt,
    endsAt: state.endsAt,
    price: state.price,
    leaderId: state.leaderId,
    bidCount: state.bidCount,
    asking: state.asking,
    nextMinimum: nextMinimum(setup, state),
    reserveMet: setup.reserve === 0 || (state.bidCount > 0 && state.price >= setup.reserve),
    lastSeq: state.seq,
    publishedEventId: a.published.eventId,
    publishedSeq: a.published.seq,
    message: state.message,
    leaderKind,
    leaderPaddle: leaderKind === 'floor' ? state.leaderId?.slice('paddle:'.length) : undefined,
    standingSeq: state.standingSeq,
    incrementOverride: state.step,
    undoAvailable: state.undo !== undefined,
    undoAction: state.undo?.action,
  };
}

/** The index of the first entry after `streamId` in a list in stream-id order (binary search). */
export function firstAfter(list: readonly { streamId: string }[], streamId: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareStreamIds(list[mid]!.streamId, streamId) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function rejectedWithoutEffect(
  req: BidRequest,
  reason: 'UNKNOWN_AUCTION' | 'IDEMPOTENCY_KEY_REUSED',
  replayed: boolean,
): BidDecision {
  return {
    seq: 0,
    auctionId: req.auctionId,
    bidderId: req.bidderId,
    outcome: 'rejected',
    reason,
    kind: undefined,
    amount: req.amount,
    price: 0,
    leaderId: undefined,
    previousPrice: 0,
    previousLeaderId: undefined,
    priceChanged: false,
    bidCount: 0,
    endsAt: 0,
    extended: false,
    asking: 0,
    reserveMet: false,
    decidedAt: 0,
    replayed,
  };
}
