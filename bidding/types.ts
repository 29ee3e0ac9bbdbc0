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
  /** Accepted: what happened — a new leading bid, or the leader raising their own maximum. */
  kind: 'bid' | 'max_raised' | undefined;
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
}

/** A decision as recorded in the per-auction decision stream: the hand-off to the ledger. */
export interface RecordedDecision {
  streamId: string;
  decision: BidDecision;
  max: number | undefined;
  source: BidSource;
  idempotencyKey: string;
  correlationId: string | undefined;
  paddle: string | undefined;
}

/** The engine's state, atomic per decision. Implemented on Redis (Lua) and in-process (embedded default). */
export interface BiddingStore {
  /** Writes or replaces an auction's set-up (orchestrator). Keeps bids and price when the auction exists. */
  configure(setup: AuctionSetup): Promise<void>;
  setStatus(auctionId: string, status: AuctionStatus): Promise<void>;
  /** Grants eligibility with an approval limit (minor units), or revokes it with `undefined`. Takes effect on the next bid. */
  setEligibility(auctionId: string, bidderId: string, limit: number | undefined): Promise<void>;
  placeBid(req: BidRequest): Promise<BidDecision>;
  snapshot(auctionId: string): Promise<AuctionSnapshot | undefined>;
  /** Records that the update for decision `seq` was published with hub event id `eventId` (keeps the newest). */
  markPublished(auctionId: string, seq: number, eventId: string): Promise<void>;
  /** Decisions after `afterStreamId` ('0' = from the start), in order. */
  decisions(auctionId: string, afterStreamId?: string, count?: number): Promise<RecordedDecision[]>;
  close(): Promise<void>;
}
