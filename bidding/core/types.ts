/**
 * The bidding engine's contracts: what the orchestrator writes (auction set-up, eligibility),
 * what a bid asks, and the decision every bid gets. Amounts are integer minor units.
 */

import type { AuctionMode, AuctionStatus, FloorActionName, LeaderKind } from '../../common/contracts/lot.ts';
import type { BidRejectReason, BidSource } from '../../common/contracts/bids.ts';
import type { FloorRejectReason } from '../../common/contracts/floor.ts';
import type { ErrorCode } from '../../common/error-codes.ts';

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
  /**
   * The lot belongs to an invite-only sale: its public state is published as a Mercure private
   * update, which only subscribers whose token covers the lot's or the sale's topic receive.
   */
  private?: boolean | undefined;
}

/**
 * How sure the house is that the bidder placed a bid, recorded with it: `session` — a signed-in
 * session (web client, API); `caller_id` — a text message matched to its bidder by the sender's
 * number alone (spoofable on some routes, and by a SIM swap); `confirmed` — a text message the
 * sender confirmed by replying with a one-time code sent to their number.
 */
export const BID_ASSURANCES = ['session', 'caller_id', 'confirmed'] as const;
export type BidAssurance = (typeof BID_ASSURANCES)[number];

/** A bid's assurance: as the caller says, else what its channel gives (a text message: caller ID). */
export function assuranceOf(req: { source: BidSource; assurance?: BidAssurance | undefined }): BidAssurance {
  return req.assurance ?? (req.source === 'sms' || req.source === 'whatsapp' ? 'caller_id' : 'session');
}

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
  /** Default: `assuranceOf` the source. Recorded with the decision; not part of the idempotency fingerprint. */
  assurance?: BidAssurance | undefined;
}

export interface BidDecision {
  /** Per-auction sequence number given on receipt; orders ties, replay and the ledger. 0 for UNKNOWN_AUCTION. */
  seq: number;
  auctionId: string;
  bidderId: string;
  outcome: 'accepted' | 'rejected';
  /** Set when rejected. `OUTBID` with `priceChanged` means a proxy maximum answered the bid. */
  reason: BidRejectReason | undefined;
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

/**
 * A live lot's absentee maximum waiting to execute when the lot opens (the engine keeps the best two,
 * highest first: only they decide the opening price). Confidential: the clerk's commission bar only —
 * never in a snapshot, which carries no maximum.
 */
export interface WaitingAbsentee {
  bidderId: string;
  max: number;
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
  /** The floor action `undo` would revert now; undefined when there is none. */
  undoAction: FloorActionName | undefined;
  /** An invite-only sale's lot: its updates are private (AuctionSetup.private). */
  private?: boolean | undefined;
}

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
export interface RecordedBid {
  type: 'bid';
  streamId: string;
  decision: BidDecision;
  max: number | undefined;
  source: BidSource;
  idempotencyKey: string;
  correlationId: string | undefined;
  paddle: string | undefined;
  /** How sure the house is the bidder placed it; undefined for entries recorded before it was. */
  assurance: BidAssurance | undefined;
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

/** An accepted bid that took the lead (kind 'bid'): an entry of the bid listing, in stream order. */
export interface AcceptedBid {
  /** The decision's stream id: the listing's cursor. */
  streamId: string;
  seq: number;
  bidderId: string;
  amount: number;
  /** The price after the bid (a proxy maximum may have answered up to it). */
  price: number;
  source: BidSource;
  decidedAt: number;
}

/** Which accepted bids to list: after a cursor, how many, and optionally one bidder's only. */
export interface AcceptedBidsQuery {
  /** A stream id ('0' = from the start): entries after it. */
  after?: string | undefined;
  /** At most this many (default 100, at most 1000). */
  count?: number | undefined;
  bidderId?: string | undefined;
}

/** The public part of a timed auction's standing (the leader's maximum is confidential and never recorded). */
export interface PublicStanding {
  price: number;
  leaderId: string | undefined;
  bidCount: number;
}

/**
 * An administrative change of a timed auction's standing (a cancelled bid: the standing recomputed
 * from the remaining bids, see replayStanding), recorded in the same stream with its own seq.
 */
export interface RecordedRestate {
  type: 'restate';
  streamId: string;
  seq: number;
  auctionId: string;
  previous: PublicStanding;
  standing: PublicStanding;
  reason: string;
  actor: string;
  decidedAt: number;
  idempotencyKey: string;
  correlationId: string | undefined;
}

/** One entry of the decision stream: every bid, floor action and restate, in seq order, never edited. */
export type RecordedEvent = RecordedBid | RecordedFloorAction | RecordedRestate;

/** The seq of any recorded event. */
export function seqOfRecord(e: RecordedEvent): number {
  switch (e.type) {
    case 'bid':
      return e.decision.seq;
    case 'floor':
      return e.result.seq;
    case 'restate':
      return e.seq;
  }
}

export function isFloorRecord(e: RecordedEvent): e is RecordedFloorAction {
  return e.type === 'floor';
}

export function isRestateRecord(e: RecordedEvent): e is RecordedRestate {
  return e.type === 'restate';
}

/**
 * The stored answer to one bid, re-installed by `restore` so that a retry of its idempotency key
 * after a loss of the engine's state gets the same decision (same seq, same outcome) and no second
 * effect. Keyed, like every bid answer, by (bidder, idempotency key); `amount`/`max` are the
 * fingerprint (a retry with other amounts is IDEMPOTENCY_KEY_REUSED). Build it from a ledger row
 * with `bidAnswerFromLedger` / `bidAnswersFromLedger`.
 */
export interface BidAnswer {
  bidderId: string;
  idempotencyKey: string;
  amount: number;
  /** The maximum as sent (undefined when none): part of the fingerprint. */
  max: number | undefined;
  /** The answer as first given; `replayed` is set on the way out. */
  decision: Omit<BidDecision, 'replayed'>;
  /** The decision's stream id, when known ('' otherwise). */
  streamId?: string | undefined;
}

/**
 * What `restore` re-creates when the engine lost an auction's state (Redis restarted without
 * persistence, FLUSHALL): the set-up and the standing as the ledger tells it.
 *
 * Live lots come back at their last status with their standing bid only: the absentee maximums not
 * yet executed, the stack of replaced standing bids (reject_bid goes back one) and the undo point
 * are not in the ledger and are restored empty, so after a recovery `reject_bid` and `undo` answer
 * NOTHING_TO_REJECT / NOTHING_TO_UNDO until new bids and actions build them up again.
 */
export interface RestoreState {
  setup: AuctionSetup;
  status: AuctionStatus;
  /** The end as extended by soft close (timed); the set-up's endsAt is the scheduled one. */
  endsAt: number;
  price: number;
  leaderId: string | undefined;
  /** The leader's confidential maximum (≥ price when there is a leader). */
  leaderMax: number;
  bidCount: number;
  /** The last seq used: the next decision gets seq + 1 (the ledger is unique on (auction, seq)). */
  seq: number;
  /** Next asking price; default: the price plus the increment (the opening when no bid). */
  asking?: number | undefined;
  /** Live lots: the clerk's increment (0 = the table). */
  step?: number | undefined;
  /** Live lots: who holds the standing bid; default 'bid' when there is a leader. */
  leaderKind?: LeaderKind | undefined;
  /** Live lots: seq of the event that set the standing bid. */
  standingSeq?: number | undefined;
  /** Live lots on hold: the message and the status the hold returns to. */
  message?: string | undefined;
  heldFrom?: AuctionStatus | undefined;
  /** Eligibility to install in the same atomic step (bidder → approval limit), so no bid sees an empty list. */
  eligibility?: Readonly<Record<string, number>> | undefined;
  /** Bid answers to re-install for idempotent retries. */
  answers?: readonly BidAnswer[] | undefined;
  /**
   * The ledger writer's last stream id for this auction: the stream's last id is raised to it, so
   * entries decided after the recovery always sort after what the ledger has read, whatever the
   * new server's clock says.
   */
  afterStreamId?: string | undefined;
  /** Replace the auction's state even when it exists (its decision stream is kept as it is). */
  force?: boolean | undefined;
}

export const RESTORE_REFUSALS = [
  /** The auction's state exists (another recovery or live bidding got there first); pass `force` to replace it. */
  'EXISTS',
  /** The state is inconsistent (negative or non-integer amounts, a leader without bids…): nothing written. */
  'INVALID_REQUEST',
] as const;
export type RestoreRefusal = (typeof RESTORE_REFUSALS)[number];

export type RestoreResult =
  | { restored: true; auctionId: string; seq: number; answers: number }
  | {
      restored: false;
      auctionId: string;
      reason: RestoreRefusal;
      message: string;
      /**
       * EXISTS: the seq of the state found. Below the ledger's last seq means the state is not the
       * lost one carried on but a fresh one (configure ran before restore): replace it with `force`.
       */
      existingSeq: number | undefined;
    };

/** An administrative standing change of a timed auction (e.g. after an admin cancelled a bid). */
export interface RestateRequest {
  auctionId: string;
  /** Retries with the same key (per auction) get the same result and have no second effect. */
  idempotencyKey: string;
  /** Why (recorded): e.g. `bid_cancelled:<seq>`. */
  reason: string;
  /** Who (recorded): the admin's id. */
  actor: string;
  standing: { price: number; leaderId: string | undefined; leaderMax: number; bidCount: number };
  correlationId?: string | undefined;
}

export const RESTATE_REJECT_REASONS = [
  'UNKNOWN_AUCTION',
  /** Live lots change their standing through floor actions (reject_bid), not restate. */
  'NOT_TIMED',
  /** Not non-negative integers, a leader without bids or bids without a leader, a maximum below the price. */
  'INVALID_REQUEST',
  'IDEMPOTENCY_KEY_REUSED',
] as const satisfies readonly ErrorCode[];
export type RestateRejectReason = (typeof RESTATE_REJECT_REASONS)[number];

/** The answer to a restate. A refused restate has no effect, takes no seq and is not recorded. */
export interface RestateResult {
  /** 0 when refused. */
  seq: number;
  auctionId: string;
  outcome: 'accepted' | 'rejected';
  reason: RestateRejectReason | undefined;
  /** The standing before and after (undefined when refused). */
  previous: PublicStanding | undefined;
  standing: PublicStanding | undefined;
  status: AuctionStatus | undefined;
  endsAt: number;
  /** The minimum next bid after the change. */
  asking: number;
  reserveMet: boolean;
  decidedAt: number;
  replayed: boolean;
}

export function isBidRecord(e: RecordedEvent): e is RecordedBid {
  return e.type === 'bid';
}

/** An auction's last decided seq, and the seq of the newest update recorded as published. */
export interface PublishProgress {
  lastSeq: number;
  publishedSeq: number;
}

/** The page size of `acceptedBids`: `count` bounded to 1..1000 (default 100). */
export function acceptedBidsCount(count: number | undefined): number {
  return Math.min(1000, Math.max(1, Math.floor(count ?? 100)));
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
  /** The absentee maximums waiting on a scheduled live lot, highest first (staff only); [] for none or an unknown lot. */
  waitingAbsentees(auctionId: string): Promise<WaitingAbsentee[]>;
  /** Records that the update for decision `seq` was published with hub event id `eventId` (keeps the newest). */
  markPublished(auctionId: string, seq: number, eventId: string): Promise<void>;
  /**
   * Where an auction's publishing stands: the last seq decided, and the seq of the newest update
   * recorded as published (markPublished). Undefined for an unknown auction. Cheap: read by the
   * engine's republish sweep for every auction.
   */
  publishProgress(auctionId: string): Promise<PublishProgress | undefined>;
  /** Every auction this store holds (on Redis: the registry `<prefix>:auctions`), in no particular order. */
  listAuctions(): Promise<string[]>;
  /**
   * Re-creates an auction from the ledger after the engine lost its state. Atomic; refused with
   * EXISTS when the state exists unless `force`. Appends nothing to the decision stream.
   */
  restore(state: RestoreState): Promise<RestoreResult>;
  /**
   * Sets the standing of a timed auction (any status, closed included) atomically, takes the next
   * seq and records a `restate` event. Idempotent by key.
   */
  restate(req: RestateRequest): Promise<RestateResult>;
  /** Bid decisions, floor actions and restates after `afterStreamId` ('0' = from the start), in order. */
  decisions(auctionId: string, afterStreamId?: string, count?: number): Promise<RecordedEvent[]>;
  /**
   * Accepted bids that took the lead, oldest first, from an index kept with the decisions (per
   * auction, and per bidder): a page costs its own entries, not the refused decisions before them.
   */
  acceptedBids(auctionId: string, query?: AcceptedBidsQuery): Promise<AcceptedBid[]>;
  close(): Promise<void>;
}
