import { initialState, type LiveState } from './decide.ts';
import { incrementAt } from './increments.ts';
import {
  AUCTION_MODES,
  AUCTION_STATUSES,
  LEADER_KINDS,
  type AuctionSetup,
  type BidAnswer,
  type BidDecision,
  type BidSource,
  type PublicStanding,
  type RejectReason,
  type RestateRejectReason,
  type RestateRequest,
  type RestateResult,
  type RestoreResult,
  type RestoreState,
} from './types.ts';

/**
 * Recovery and administrative restating, the parts both stores share: checking what the caller
 * sends, the state a restore re-creates, and the bid answers re-installed for idempotent retries.
 */

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The refusal of a restore state that cannot be installed (both stores answer it alike), or undefined. */
export function restoreRefusal(r: RestoreState): RestoreResult | undefined {
  const problem = restoreProblem(r);
  if (problem === undefined) return undefined;
  return {
    restored: false,
    auctionId: r.setup.id,
    reason: 'INVALID_REQUEST',
    message: problem,
    existingSeq: undefined,
  };
}

/** Why a restore state cannot be installed, or undefined when it can. */
export function restoreProblem(r: RestoreState): string | undefined {
  const s = r.setup;
  if (typeof s.id !== 'string' || s.id === '') return 'setup.id is empty';
  if (!AUCTION_MODES.includes(s.mode)) return `setup.mode ${String(s.mode)} is unknown`;
  if (!AUCTION_STATUSES.includes(r.status)) return `status ${String(r.status)} is unknown`;
  for (const [name, v] of [
    ['endsAt', r.endsAt],
    ['price', r.price],
    ['leaderMax', r.leaderMax],
    ['bidCount', r.bidCount],
    ['seq', r.seq],
    ['asking', r.asking ?? 0],
    ['step', r.step ?? 0],
    ['standingSeq', r.standingSeq ?? 0],
  ] as const) {
    if (!isCount(v)) return `${name} must be a non-negative integer`;
  }
  const leaderProblem = standingProblem(r);
  if (leaderProblem !== undefined) return leaderProblem;
  if (r.leaderKind !== undefined && !LEADER_KINDS.includes(r.leaderKind))
    return `leaderKind ${String(r.leaderKind)} is unknown`;
  if ((r.standingSeq ?? 0) > r.seq) return 'standingSeq is after seq';
  if (r.afterStreamId !== undefined && !/^\d+-\d+$/.test(r.afterStreamId))
    return `afterStreamId ${r.afterStreamId} is not a stream id (<ms>-<n>)`;
  for (const [bidder, limit] of Object.entries(r.eligibility ?? {})) {
    if (bidder === '' || !isCount(limit)) return `eligibility of "${bidder}" must be a non-negative integer`;
  }
  for (const a of r.answers ?? []) {
    if (a.bidderId === '' || a.idempotencyKey === '') return 'an answer has an empty bidder or key';
    if (!isCount(a.decision.seq) || a.decision.seq > r.seq)
      return `answer ${a.bidderId}/${a.idempotencyKey}: seq ${a.decision.seq} is not within 0…${r.seq}`;
  }
  return undefined;
}

/** Why a standing cannot be set: counts, a leader exactly when there are bids, a maximum at or above the price. */
export function standingProblem(s: {
  price: number;
  leaderId: string | undefined;
  leaderMax: number;
  bidCount: number;
}): string | undefined {
  if (!isCount(s.price) || !isCount(s.leaderMax) || !isCount(s.bidCount))
    return 'price, leaderMax and bidCount must be non-negative integers';
  if (s.leaderId === '') return 'leaderId is empty (use undefined for no leader)';
  if ((s.leaderId === undefined) !== (s.bidCount === 0)) return 'a leader needs bids, and bids need a leader';
  if (s.leaderId !== undefined && s.leaderMax < s.price) return 'leaderMax is below the price';
  if (s.leaderId === undefined && (s.price !== 0 || s.leaderMax !== 0))
    return 'price and leaderMax are 0 without a leader';
  return undefined;
}

/** The minimum next bid of a timed auction (the asking price of a live lot by the table). */
export function askingAfter(setup: AuctionSetup, price: number, bidCount: number, step = 0): number {
  if (bidCount === 0) return setup.opening;
  return price + (step > 0 ? step : incrementAt(setup.increments, price));
}

/** The engine state a restore installs (absentee list, standing stack and undo point empty: see RestoreState). */
export function restoredLiveState(r: RestoreState): LiveState {
  const s = initialState(r.setup);
  s.status = r.status;
  s.endsAt = r.endsAt;
  s.price = r.price;
  s.leaderId = r.leaderId;
  s.leaderMax = r.leaderMax;
  s.bidCount = r.bidCount;
  s.seq = r.seq;
  s.step = r.step ?? 0;
  s.asking = r.asking ?? askingAfter(r.setup, r.price, r.bidCount, s.step);
  if (r.setup.mode === 'live') {
    s.leaderKind = r.leaderId === undefined ? undefined : (r.leaderKind ?? 'bid');
    s.standingSeq = r.standingSeq ?? 0;
    s.message = r.status === 'on_hold' ? r.message : undefined;
    s.heldFrom = r.status === 'on_hold' ? r.heldFrom : undefined;
  }
  return s;
}

/** The idempotency fingerprint of a bid, shared with lua/place-bid-6.lua (`amount/max`, '' = no max). */
export function bidFingerprint(amount: number, max: number | undefined): string {
  return `${amount}/${max ?? ''}`;
}

/** The idempotency fingerprint of a restate: the standing asked for (reason and actor are not part of it). */
export function restateFingerprint(req: RestateRequest): string {
  const s = req.standing;
  return `${s.price}/${s.leaderId ?? ''}/${s.leaderMax}/${s.bidCount}`;
}

/**
 * One bid decision as the ledger (`bids`) has it. The ledger keeps the standing after each decision
 * but not before it, nor the bid count, asking price or reserve flag: pass them when known, else
 * `bidAnswerFromLedger` derives them (exactly for timed auctions when given the standing before).
 */
export interface LedgerBidRow {
  seq: number;
  bidderId: string;
  amount: number;
  max: number | null | undefined;
  outcome: 'accepted' | 'rejected';
  reason: RejectReason | null | undefined;
  kind: BidDecision['kind'] | null;
  /** Price and leader after the decision. */
  price: number;
  leaderId: string | null | undefined;
  priceChanged?: boolean | undefined;
  /** End after the decision (ms), 0 when none. */
  endsAt: number;
  extended?: boolean | undefined;
  decidedAt: number;
  idempotencyKey: string;
  source?: BidSource | undefined;
  streamId?: string | undefined;
  previousPrice?: number | undefined;
  previousLeaderId?: string | null | undefined;
  bidCount?: number | undefined;
  asking?: number | undefined;
  reserveMet?: boolean | undefined;
}

/** Any other ledger row that sets the standing (a floor action, a restate), for `bidAnswersFromLedger`. */
export interface LedgerStandingRow {
  seq: number;
  price: number;
  leaderId: string | null | undefined;
  /** Known for restates (standing_changes.bid_count); floor rows do not carry it. */
  bidCount?: number | undefined;
}

const orUndefined = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/**
 * The answer to re-install for one ledger row. `before` is the standing before the decision (the
 * previous ledger row's); without it the previous price and leader are taken as unchanged when the
 * row says the price did not change, and the bid count is 0 unless the row carries it.
 */
export function bidAnswerFromLedger(
  setup: AuctionSetup,
  row: LedgerBidRow,
  before?: PublicStanding,
): BidAnswer {
  const leaderId = orUndefined(row.leaderId);
  const previousPrice = row.previousPrice ?? before?.price ?? row.price;
  const previousLeaderId =
    row.previousLeaderId !== undefined
      ? orUndefined(row.previousLeaderId)
      : before
        ? before.leaderId
        : leaderId;
  const priceChanged = row.priceChanged ?? (row.price !== previousPrice || leaderId !== previousLeaderId);
  const bidCount =
    row.bidCount ??
    (before === undefined ? 0 : before.bidCount + (priceChanged && setup.mode === 'timed' ? 1 : 0));
  const max = orUndefined(row.max);
  return {
    bidderId: row.bidderId,
    idempotencyKey: row.idempotencyKey,
    amount: row.amount,
    max,
    streamId: row.streamId,
    decision: {
      seq: row.seq,
      auctionId: setup.id,
      bidderId: row.bidderId,
      outcome: row.outcome,
      reason: orUndefined(row.reason),
      kind: orUndefined(row.kind),
      amount: row.amount,
      price: row.price,
      leaderId,
      previousPrice,
      previousLeaderId,
      priceChanged,
      bidCount,
      endsAt: row.endsAt,
      extended: row.extended ?? false,
      asking: row.asking ?? askingAfter(setup, row.price, bidCount),
      reserveMet: row.reserveMet ?? (setup.reserve === 0 || (bidCount > 0 && row.price >= setup.reserve)),
      decidedAt: row.decidedAt,
    },
  };
}

/**
 * The answers for every bid row of one auction, walking all its ledger rows in seq order so each
 * answer knows the standing before it. Exact for timed auctions (bids plus restates); on live lots
 * the bid count and asking price of a replayed answer are estimates (floor rows carry neither).
 */
export function bidAnswersFromLedger(
  setup: AuctionSetup,
  bids: readonly LedgerBidRow[],
  others: readonly LedgerStandingRow[] = [],
): BidAnswer[] {
  type Entry = { seq: number; bid: LedgerBidRow } | { seq: number; other: LedgerStandingRow };
  const rows: Entry[] = [
    ...bids.map((bid) => ({ seq: bid.seq, bid })),
    ...others.map((other) => ({ seq: other.seq, other })),
  ].sort((a, b) => a.seq - b.seq);
  let standing: PublicStanding = { price: 0, leaderId: undefined, bidCount: 0 };
  const out: BidAnswer[] = [];
  for (const r of rows) {
    if ('bid' in r) {
      const a = bidAnswerFromLedger(setup, r.bid, standing);
      out.push(a);
      standing = { price: a.decision.price, leaderId: a.decision.leaderId, bidCount: a.decision.bidCount };
    } else {
      const leaderId = orUndefined(r.other.leaderId);
      const moved = r.other.price !== standing.price || leaderId !== standing.leaderId;
      standing = {
        price: r.other.price,
        leaderId,
        bidCount: r.other.bidCount ?? standing.bidCount + (moved && leaderId !== undefined ? 1 : 0),
      };
    }
  }
  return out;
}

/**
 * Sets a timed auction's standing (checked by `standingProblem`), taking the next seq: the
 * specification lua/restate-3.lua implements. Status and end are left as they are.
 */
export function decideRestate(
  setup: AuctionSetup,
  s: LiveState,
  req: RestateRequest,
  now: number,
): RestateResult {
  s.seq += 1;
  const previous: PublicStanding = { price: s.price, leaderId: s.leaderId, bidCount: s.bidCount };
  s.price = req.standing.price;
  s.leaderId = req.standing.leaderId;
  s.leaderMax = req.standing.leaderMax;
  s.bidCount = req.standing.bidCount;
  s.asking = askingAfter(setup, s.price, s.bidCount);
  return {
    seq: s.seq,
    auctionId: setup.id,
    outcome: 'accepted',
    reason: undefined,
    previous,
    standing: { price: s.price, leaderId: s.leaderId, bidCount: s.bidCount },
    status: s.status,
    endsAt: s.endsAt,
    asking: s.asking,
    reserveMet: setup.reserve === 0 || (s.bidCount > 0 && s.price >= setup.reserve),
    decidedAt: now,
    replayed: false,
  };
}

/** A refused restate: no effect, no seq, nothing recorded. */
export function restateRefused(
  req: RestateRequest,
  reason: RestateRejectReason,
  replayed: boolean,
): RestateResult {
  return {
    seq: 0,
    auctionId: req.auctionId,
    outcome: 'rejected',
    reason,
    previous: undefined,
    standing: undefined,
    status: undefined,
    endsAt: 0,
    asking: 0,
    reserveMet: false,
    decidedAt: 0,
    replayed,
  };
}
