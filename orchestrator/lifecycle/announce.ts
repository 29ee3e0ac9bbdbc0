/** What the lifecycle tells the room: public lot updates on the auction and sale topics, and who bid. */
import type { PublicAuctionUpdate } from '../../common/contracts/index.ts';
import type { Topics } from '../../common/topics.ts';
import type { Queryable } from '../ledger/db.ts';
import { enqueue, type Lot } from '../ledger/records.ts';

/**
 * A timed lot's change without a decision (opened or closed by the clock, its result), as a public update on its auction
 * and sale topics — the same SSE type (`auction`) as the engine's updates, so the clients apply it
 * by (seq, stateVersion). One outbox event per topic, each deduplicated, each id stable.
 */
export async function announce(
  tx: Queryable,
  topics: Topics,
  lot: Lot,
  update: PublicAuctionUpdate,
  name: 'opened' | 'closed' | 'result',
  correlationId: string | undefined,
): Promise<void> {
  const targets = [
    ['auction', topics.auction(lot.id)],
    ['sale', topics.sale(lot.saleId)],
  ] as const;
  for (const [where, topic] of targets)
    await enqueue(tx, {
      topic,
      type: 'auction',
      payload: { ...update },
      dedupeKey: `lot:${lot.id}:${name}:${where}`,
      correlationId,
    });
}

export async function bidderIds(q: Queryable, lotId: string): Promise<string[]> {
  const rows = await q.query<{ bidder_id: string }>(
    `SELECT DISTINCT bidder_id FROM bids WHERE auction_id = $1 AND outcome = 'accepted' ORDER BY bidder_id`,
    [lotId],
  );
  return rows.map((r) => r.bidder_id);
}
