import type pg from 'pg';
import type { LedgerBid } from './checks.ts';

/** The ledger writer's position per lot (the last seq it has recorded). */
export async function ledgerCursors(db: pg.Client): Promise<Map<string, number>> {
  const rows = await db.query<{ auction_id: string; last_seq: string }>(
    'SELECT auction_id, last_seq FROM ledger_cursors',
  );
  return new Map(rows.rows.map((r) => [r.auction_id, Number(r.last_seq)]));
}

/** The run's lots in the ledger: every bid row, and every seq of any kind of entry (bids, floor actions, restates). */
export async function readLedger(
  db: pg.Client,
  lots: readonly string[],
): Promise<{ bids: LedgerBid[]; seqs: Map<string, number[]> }> {
  const bids = (
    await db.query<Record<string, string>>(
      `SELECT auction_id, seq, bidder_id, amount_minor, outcome, reason, idempotency_key, price_minor FROM bids
        WHERE auction_id = ANY($1)`,
      [lots],
    )
  ).rows.map((r): LedgerBid => ({
    auctionId: r.auction_id!,
    seq: Number(r.seq),
    bidderId: r.bidder_id!,
    amount: Number(r.amount_minor),
    outcome: r.outcome as LedgerBid['outcome'],
    reason: r.reason ?? null,
    key: r.idempotency_key!,
    price: Number(r.price_minor),
  }));
  const seqRows = await db.query<{ auction_id: string; seq: string }>(
    `SELECT auction_id, seq FROM bids WHERE auction_id = ANY($1)
     UNION ALL SELECT auction_id, seq FROM floor_actions WHERE auction_id = ANY($1)
     UNION ALL SELECT auction_id, seq FROM standing_changes WHERE auction_id = ANY($1)`,
    [lots],
  );
  const seqs = new Map<string, number[]>();
  for (const r of seqRows.rows) seqs.set(r.auction_id, [...(seqs.get(r.auction_id) ?? []), Number(r.seq)]);
  return { bids, seqs };
}
