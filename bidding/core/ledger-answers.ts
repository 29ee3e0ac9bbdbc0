import type { BidRejectReason, BidSource } from '../../common/contracts/bids.ts';
import { askingAfter } from './restore.ts';
import type { AuctionSetup, BidAnswer, BidDecision, PublicStanding } from './types.ts';

/**
 * The ledger's bid rows mapped back to the engine's bid answers, which a restore re-installs so
 * that a retried idempotency key gets the same decision after the engine lost its state.
 */

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
  reason: BidRejectReason | null | undefined;
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
