/** The ledger read back for one auction, in the shapes the engine's recovery helpers take. */
import {
  type BidSource,
  type LedgerBidRow,
  type LedgerStandingRow,
  type RejectReason,
} from '../../bidding/back-office.ts';
import type { Queryable } from './db.ts';

/** What the ledger holds of one auction, in the shapes the engine's recovery helpers take. */
export interface LedgerHistory {
  /** Every bid decision, in seq order (for `bidAnswersFromLedger`, and `replayStanding` after `isReplayableBid`). */
  bids: LedgerBidRow[];
  /** Floor actions and standing changes: the other rows that set the standing, in seq order. */
  others: LedgerStandingRow[];
  /** The highest seq recorded (0 when none): what `restore` takes as `seq`. */
  lastSeq: number;
  /** The writer's cursor (undefined when it never ran for the auction): `restore`'s `afterStreamId`. */
  cursorStreamId: string | undefined;
}

/**
 * Reads an auction's ledger back for a recovery of the engine (`BiddingStore.restore`): the bid
 * rows with their answers' fields, the standing set by floor actions and standing changes, and
 * the writer's cursor. Entries the writer had not yet applied when Redis lost them are not there.
 */
export async function readLedgerHistory(q: Queryable, auctionId: string): Promise<LedgerHistory> {
  const ms = (col: string): string => `(extract(epoch FROM ${col}) * 1000)::bigint::text`;
  const bids = await q.query<{
    seq: string;
    bidder_id: string;
    amount: string;
    max: string | null;
    outcome: 'accepted' | 'rejected';
    reason: string | null;
    kind: LedgerBidRow['kind'] | null;
    price: string;
    leader_id: string | null;
    price_changed: boolean;
    ends_at: string | null;
    extended: boolean;
    decided_at: string;
    idempotency_key: string;
    source: BidSource;
    stream_id: string;
  }>(
    `SELECT seq::text, bidder_id, amount_minor::text AS amount, max_minor::text AS max, outcome, reason, kind,
            price_minor::text AS price, leader_id, price_changed, ${ms('ends_at')} AS ends_at, extended,
            ${ms('decided_at')} AS decided_at, idempotency_key, source, stream_id
       FROM bids WHERE auction_id = $1 ORDER BY seq`,
    [auctionId],
  );
  const others = await q.query<{
    seq: string;
    price: string;
    leader_id: string | null;
    bid_count: string | null;
  }>(
    `SELECT seq::text, price_minor::text AS price, leader_id, NULL::text AS bid_count
       FROM floor_actions WHERE auction_id = $1
     UNION ALL
     SELECT seq::text, price_minor::text, leader_id, bid_count::text
       FROM standing_changes WHERE auction_id = $1
     ORDER BY 1`,
    [auctionId],
  );
  const [cursor] = await q.query<{ last_stream_id: string }>(
    'SELECT last_stream_id FROM ledger_cursors WHERE auction_id = $1',
    [auctionId],
  );
  const out: LedgerHistory = {
    bids: bids.map((b) => ({
      seq: Number(b.seq),
      bidderId: b.bidder_id,
      amount: Number(b.amount),
      max: b.max === null ? undefined : Number(b.max),
      outcome: b.outcome,
      reason: (b.reason ?? undefined) as RejectReason | undefined,
      kind: b.kind ?? undefined,
      price: Number(b.price),
      leaderId: b.leader_id ?? undefined,
      priceChanged: b.price_changed,
      endsAt: b.ends_at === null ? 0 : Number(b.ends_at),
      extended: b.extended,
      decidedAt: Number(b.decided_at),
      idempotencyKey: b.idempotency_key,
      source: b.source,
      streamId: b.stream_id,
    })),
    others: others
      .map((o) => ({
        seq: Number(o.seq),
        price: Number(o.price),
        leaderId: o.leader_id ?? undefined,
        bidCount: o.bid_count === null ? undefined : Number(o.bid_count),
      }))
      .sort((a, b) => a.seq - b.seq),
    lastSeq: 0,
    cursorStreamId: cursor?.last_stream_id === '0' ? undefined : cursor?.last_stream_id,
  };
  out.lastSeq = Math.max(out.bids.at(-1)?.seq ?? 0, out.others.at(-1)?.seq ?? 0);
  return out;
}
