/**
 * The ledger's bid rows read back in the shapes the bidding engine's replay helpers take, and the
 * seqs an admin cancelled — what recovery and bid cancellation recompute a standing from.
 */
import type { BidSource, LedgerBidRow, RejectReason } from '../../bidding/back-office.ts';
import type { Queryable } from './db.ts';
import { text } from './records.ts';

const time = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(text(v)).getTime());

/** The auction's bid rows as the bidding engine's ledger helpers take them. */
export async function ledgerBids(
  q: Queryable,
  lotId: string,
): Promise<(LedgerBidRow & { max: number | null })[]> {
  const rows = await q.query<{
    seq: unknown;
    bidder_id: string;
    amount_minor: unknown;
    max_minor: unknown;
    outcome: 'accepted' | 'rejected';
    reason: string | null;
    kind: string | null;
    price_minor: unknown;
    leader_id: string | null;
    price_changed: boolean;
    ends_at: unknown;
    extended: boolean;
    decided_at: unknown;
    idempotency_key: string;
    source: string;
    stream_id: string;
  }>(
    `SELECT seq, bidder_id, amount_minor, max_minor, outcome, reason, kind, price_minor, leader_id, price_changed,
            ends_at, extended, decided_at, idempotency_key, source, stream_id
       FROM bids WHERE auction_id = $1 ORDER BY seq`,
    [lotId],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    bidderId: r.bidder_id,
    amount: Number(r.amount_minor),
    max: r.max_minor === null ? null : Number(r.max_minor),
    outcome: r.outcome,
    reason: r.reason as RejectReason | null,
    kind: r.kind as LedgerBidRow['kind'],
    price: Number(r.price_minor),
    leaderId: r.leader_id,
    priceChanged: r.price_changed,
    endsAt: r.ends_at === null ? 0 : time(r.ends_at),
    extended: r.extended,
    decidedAt: time(r.decided_at),
    idempotencyKey: r.idempotency_key,
    source: r.source as BidSource,
    streamId: r.stream_id,
  }));
}

export async function cancelledSeqs(q: Queryable, lotId: string): Promise<Set<number>> {
  const rows = await q.query<{ seq: unknown }>('SELECT seq FROM bid_cancellations WHERE auction_id = $1', [
    lotId,
  ]);
  return new Set(rows.map((r) => Number(r.seq)));
}
