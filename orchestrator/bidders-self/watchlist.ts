/**
 * A bidder's watch list (docs/bidders.md): the lots they starred, read and changed only by
 * themselves through the bidder self-service port. A lot is watched only in a published sale the
 * bidder may see (an invite-only sale: invited or registered); a list keeps showing only what they
 * may still see.
 */
import { WATCHLIST_MAX, type WatchList } from '../../common/contracts/bidder-self.ts';
import { AppError } from '../../common/errors.ts';
import type { Database, Queryable } from '../ledger/db.ts';
import { PUBLISHED_SALE_STATUSES } from '../rules/sale-status.ts';
import { visibleTo } from '../catalogue/visibility.ts';

const iso = (v: unknown): string => new Date(v as string | Date).toISOString();

export async function watchList(q: Queryable, bidderId: string): Promise<WatchList> {
  const visible = visibleTo('s', { id: bidderId, role: 'bidder' }, 3);
  const rows = await q.query<{ lot_id: string; sale_id: string; created_at: unknown }>(
    `SELECT w.lot_id, l.sale_id, w.created_at
       FROM watchlist w JOIN lots l ON l.id = w.lot_id JOIN sales s ON s.id = l.sale_id
      WHERE w.bidder_id = $1 AND s.status = ANY($2) AND l.status <> 'cancelled' AND ${visible.sql}
      ORDER BY w.created_at DESC, w.lot_id`,
    [bidderId, PUBLISHED_SALE_STATUSES, ...visible.params],
  );
  return { lots: rows.map((r) => ({ lotId: r.lot_id, saleId: r.sale_id, addedAt: iso(r.created_at) })) };
}

export async function watch(db: Database, bidderId: string, lotId: string): Promise<WatchList> {
  await db.transaction(async (tx) => {
    const visible = visibleTo('s', { id: bidderId, role: 'bidder' }, 3);
    const seen = await tx.query(
      `SELECT 1 FROM lots l JOIN sales s ON s.id = l.sale_id
        WHERE l.id = $1 AND s.status = ANY($2) AND l.status <> 'cancelled' AND ${visible.sql}`,
      [lotId, PUBLISHED_SALE_STATUSES, ...visible.params],
    );
    // A lot the bidder may not see is answered as one that does not exist.
    if (seen.length === 0) throw new AppError('UNKNOWN_LOT', `no lot "${lotId}" in a sale you may see`);
    const [count] = await tx.query<{ n: unknown }>(
      'SELECT count(*)::int AS n FROM watchlist WHERE bidder_id = $1 AND lot_id <> $2',
      [bidderId, lotId],
    );
    if (Number(count?.n ?? 0) >= WATCHLIST_MAX)
      throw new AppError(
        'WATCHLIST_FULL',
        `a watch list holds at most ${WATCHLIST_MAX} lots: unstar some first`,
      );
    await tx.query(
      'INSERT INTO watchlist (bidder_id, lot_id) VALUES ($1, $2) ON CONFLICT (bidder_id, lot_id) DO NOTHING',
      [bidderId, lotId],
    );
  });
  return watchList(db, bidderId);
}

export async function unwatch(db: Database, bidderId: string, lotId: string): Promise<WatchList> {
  await db.query('DELETE FROM watchlist WHERE bidder_id = $1 AND lot_id = $2', [bidderId, lotId]);
  return watchList(db, bidderId);
}
