/**
 * What the lifecycle tells bidders about a timed lot before it closes: a soft-close extension and
 * the closing-soon warning, each recorded once (the lot's row is the guard) with its outbox events.
 */
import type { LotClosingSoonEvent, LotExtendedEvent } from '../../common/contracts/index.ts';
import type { Topics } from '../../common/topics.ts';
import type { Database } from '../ledger/db.ts';
import { enqueue, type Lot, type Sale } from '../ledger/records.ts';
import { bidderIds } from './announce.ts';

/** A late bid moved a timed lot's end: the ledger's end follows, and each bidder is told once per new end. */
export async function recordExtension(db: Database, topics: Topics, lot: Lot, endsAt: number): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.query(
      `UPDATE lots SET ends_at = $2, updated_at = now() WHERE id = $1 AND (ends_at IS NULL OR ends_at < $2) RETURNING id`,
      [lot.id, new Date(endsAt)],
    );
    if (rows.length === 0) return;
    for (const bidderId of await bidderIds(tx, lot.id)) {
      await enqueue(tx, {
        topic: topics.bidder(bidderId),
        type: 'lot.extended',
        payload: {
          lotId: lot.id,
          saleId: lot.saleId,
          title: lot.title,
          endsAt: new Date(endsAt).toISOString(),
          bidderId,
        } satisfies LotExtendedEvent,
        dedupeKey: `lot:${lot.id}:extended:${endsAt}:${bidderId}`,
      });
    }
  });
}

/** A timed lot nears its end: once, on the sale topic and to each bidder. */
export async function announceClosingSoon(
  db: Database,
  topics: Topics,
  lot: Lot,
  sale: Sale,
  endsAt: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.query(
      `UPDATE lots SET closing_soon_sent_at = now() WHERE id = $1 AND closing_soon_sent_at IS NULL RETURNING id`,
      [lot.id],
    );
    if (rows.length === 0) return;
    const payload = {
      lotId: lot.id,
      saleId: sale.id,
      lotNumber: lot.lotNumber,
      title: lot.title,
      endsAt: new Date(endsAt).toISOString(),
    } satisfies LotClosingSoonEvent;
    await enqueue(tx, {
      topic: topics.sale(sale.id),
      type: 'lot.closing_soon',
      payload,
      dedupeKey: `lot:${lot.id}:closing_soon`,
    });
    for (const bidderId of await bidderIds(tx, lot.id)) {
      await enqueue(tx, {
        topic: topics.bidder(bidderId),
        type: 'lot.closing_soon',
        payload: { ...payload, bidderId } satisfies LotClosingSoonEvent,
        dedupeKey: `lot:${lot.id}:closing_soon:${bidderId}`,
      });
    }
  });
}
