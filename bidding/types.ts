/**
 * The bidding engine's contracts: what the orchestrator writes (auction set-up, eligibility),
 * what a bid asks, and the decision every bid gets. Amounts are integer minor units.
 */

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

/** One band of an increment table: from this price upward, bids step by `step`. */
export interface IncrementBand {
  from: number;
  step: number;
}

export interface AuctionSetup {
  id: string;
  saleId: string;
  mode: AuctionMode;
  currency: string;
  status: AuctionStatus;
  startsAt: number;
  /** Timed auctions: the scheduled end (ms since epoch). Live lots close by the hammer. */
  endsAt: number;
  /** Bids up to this long after the end still count (network jitter). */
  graceMs: number;
  /** A bid that moves the price within this window before the end extends the end by the same amount. 0 = off. */
  softCloseMs: number;
  /** Total extension allowed beyond the scheduled end; 0 = uncapped. */
  softCloseCapMs: number;
  increments: IncrementBand[];
  /** The first bid must be at least this. */
  opening: number;
  /** Confidential reserve; 0 = none. */
  reserve: number;
}

export const BID_SOURCES = ['api', 'floor', 'sms', 'whatsapp'] as const;
export type BidSource = (typeof BID_SOURCES)[number];

export interface BidRequest {
  auctionId: string;
  bidderId: string;
  amount: number;
  /** Confidential maximum for proxy (timed) or absentee (live) bidding; ≥ amount. */
  max?: number | undefined;
  /** Retries with the same key (per bidder and auction) get the same decision and have no second effect. */
  idempotencyKey: string;
  source: BidSource;
  correlationId?: string | undefined;
  paddle?: string | undefined;
}

/** Why a bid was refused. Stable codes; the gateway maps them to HTTP statuses. */
export const REJECT_REASONS = [
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
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface BidDecision {
  /** Per-auction sequence number given on receipt; orders ties, replay and the ledger. 0 for UNKNOWN_AUCTION. */
  seq: number;
  auctionId: string;
  bidderId: string;
  outcome: 'accepted' | 'rejected';
  /** Set when rejected. `OUTBID` with `priceChanged` means a proxy maximum answered the bid. */
  reason: RejectReason | undefined;
  /**
   * Accepted: what happened — a new leading bid, the leader raising their own maximum, or (live lot
   * still scheduled) an absentee maximum recorded for execution when the lot opens; no price yet.
   */
  kind: 'bid' | 'max_raised' | 'absentee' | undefined;
  amount: number;
  /** The auction's price and leader after this decision. */
  price: number;
  leaderId: string | undefined;
  previousPrice: number;
  previousLeaderId: string | undefined;
  priceChanged: boolean;
  bidCount: number;
  endsAt: number;
  extended: boolean;
  /** Live auctions: the next asking price. */
  asking: number;
  /** Whether the price now meets the confidential reserve (the amount itself is never exposed). */
  reserveMet: boolean;
  decidedAt: number;
  /** True when this is the stored answer to a retried idempotency key. */
  replayed: boolean;
}

/** Who holds the standing bid of a live lot: an internet bid, a floor paddle, or an executed absentee maximum. */
export const LEADER_KINDS = ['bid', 'floor', 'absentee'] as const;
export type LeaderKind = (typeof LEADER_KINDS)[number];

/** Public view of an auction (no maximums, no reserve amount). */
export interface AuctionSnapshot {
  id: string;
  saleId: string;
  mode: AuctionMode;
  currency: string;
  status: AuctionStatus;
  startsAt: number;
  endsAt: number;
  price: number;
  leaderId: string | undefined;
  bidCount: number;
  asking: number;
  /** Minimum next bid (timed) — current price plus increment, or the opening amount. */
  nextMinimum: number;
  reserveMet: boolean;
  lastSeq: number;
  /** Hub event id of the newest published update of this auction (resume point for subscribers). */
  publishedEventId: string | undefined;
  /** The decision seq that update carried; updates with a seq at or below the snapshot's lastSeq are already in it. */
  publishedSeq: number;
  /** Live lots, for the floor console: the hold message while on hold. */
  message: string | undefined;
  /** Who leads; timed auctions always show 'bid'. */
  leaderKind: LeaderKind | undefined;
  /** The paddle number when a floor bidder leads (leaderId is then `paddle:<n>`). */
  leaderPaddle: string | undefined;
  /** Seq of the event that set the standing bid — what `reject_bid` names; 0 when there is none. */
  standingSeq: number;
  /** Increment set by the clerk for this lot (overrides the table); 0 = the table applies. */
  incrementOverride: number;
  /** Whether `undo` would revert the last floor action now. */
  undoAvailable: boolean;
}

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

export type FloorAction =
  /** scheduled → open, at the given asking price or the current one (the opening unless set); executes absentee maximums. */
  | { action: 'open'; asking?: number | undefined }
  /** Sets the next asking price; above the standing bid when there is one. */
  | { action: 'set_asking'; amount: number }
  /** Steps by `step` instead of the increment table for this lot; 0 returns to the table. */
  | { action: 'set_increment'; step: number }
  /**
   * A floor bid for `paddle` at `amount` — the asking price the clerk called. Raced against internet
   * bids exactly like one: the first decided at an amount takes it, the other gets OUTBID.
   */
  | { action: 'floor_bid'; paddle: string; amount: number }
  /** The standing internet bid is overruled in favour of a floor bid by `paddle` at the same amount. */
  | { action: 'overrule'; paddle: string }
  /** Rejects the standing bid, named by its seq (snapshot.standingSeq); price and leader revert to the one before. */
  | { action: 'reject_bid'; seq: number }
  | { action: 'fair_warning' }
  /** fair_warning → open */
  | { action: 'resume' }
  | { action: 'hold'; message: string }
  /** on_hold → the status the lot was held from. */
  | { action: 'resume_from_hold' }
  /** sold to the leader when the price meets the reserve, else unsold. */
  | { action: 'hammer' }
  | { action: 'pass' }
  | { action: 'withdraw' }
  /** Reverts the last floor action, while no bid has changed the lot since and the next lot has not opened. */
  | { action: 'undo' }
  /** Sent by the caller to the previous lot when the next lot opens: closes its undo window. */
  | { action: 'superseded' };

export type FloorActionRequest = FloorAction & {
  auctionId: string;
  /** Retries with the same key (per auction) get the same result and have no second effect. */
  idempotencyKey: string;
  correlationId?: string | undefined;
};

/** Why a floor action was refused. Stable codes; a refused action changes nothing but is recorded (and takes a seq). */
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

/** The answer to a floor action: the lot's state after it. */
export interface FloorActionResult {
  /** Per-auction sequence number, shared with bids. 0 for UNKNOWN_AUCTION and IDEMPOTENCY_KEY_REUSED. */
  seq: number;
  auctionId: string;
  action: FloorActionName;
  outcome: 'accepted' | 'rejected';
  reason: FloorRejectReason | undefined;
  /** undefined only when the store never reached the lot (UNKNOWN_AUCTION, IDEMPOTENCY_KEY_REUSED). */
  status: AuctionStatus | undefined;
  previousStatus: AuctionStatus | undefined;
  price: number;
  previousPrice: number;
  /** A bidder id, or `paddle:<n>` for a floor bidder. */
  leaderId: string | undefined;
  previousLeaderId: string | undefined;
  leaderKind: LeaderKind | undefined;
  /** Price or leader changed (a floor bid answered by an absentee maximum changes the price while rejected). */
  priceChanged: boolean;
  asking: number;
  /** The clerk's increment in force; 0 = the table. */
  step: number;
  bidCount: number;
  /** Seq of the event that set the standing bid (what reject_bid names); 0 when there is none. */
  standingSeq: number;
  /** The hold message while on hold. */
  message: string | undefined;
  reserveMet: boolean;
  /** undo: the action it reverted. */
  undone: { action: FloorActionName; seq: number } | undefined;
  decidedAt: number;
  /** True when this is the stored answer to a retried idempotency key. */
  replayed: boolean;
}

/** A bid decision as recorded in the per-auction decision stream: the hand-off to the ledger. */
export interface RecordedDecision {
  type: 'bid';
  streamId: string;
  decision: BidDecision;
  max: number | undefined;
  source: BidSource;
  idempotencyKey: string;
  correlationId: string | undefined;
  paddle: string | undefined;
}

/** A floor action as recorded in the same stream (refused ones too, with outcome 'rejected'). */
export interface RecordedFloorAction {
  type: 'floor';
  streamId: string;
  action: FloorAction;
  result: FloorActionResult;
  idempotencyKey: string;
  correlationId: string | undefined;
}

/** One entry of the decision stream: every bid and every floor action, in seq order, never edited. */
export type RecordedEvent = RecordedDecision | RecordedFloorAction;

export function isBidRecord(e: RecordedEvent): e is RecordedDecision {
  return e.type === 'bid';
}

/** The engine's state, atomic per decision. Implemented on Redis (Lua) and in-process (embedded default). */
export interface BiddingStore {
  /** Writes or replaces an auction's set-up (orchestrator). Keeps bids and price when the auction exists. */
  configure(setup: AuctionSetup): Promise<void>;
  setStatus(auctionId: string, status: AuctionStatus): Promise<void>;
  /** Grants eligibility with an approval limit (minor units), or revokes it with `undefined`. Takes effect on the next bid. */
  setEligibility(auctionId: string, bidderId: string, limit: number | undefined): Promise<void>;
  placeBid(req: BidRequest): Promise<BidDecision>;
  /** Decides one floor action on a live lot atomically (with the bids), records it, and returns the lot's state. */
  floorAction(req: FloorActionRequest): Promise<FloorActionResult>;
  snapshot(auctionId: string): Promise<AuctionSnapshot | undefined>;
  /** Records that the update for decision `seq` was published with hub event id `eventId` (keeps the newest). */
  markPublished(auctionId: string, seq: number, eventId: string): Promise<void>;
  /** Bid decisions and floor actions after `afterStreamId` ('0' = from the start), in order. */
  decisions(auctionId: string, afterStreamId?: string, count?: number): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}
