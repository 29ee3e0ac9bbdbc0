/**
 * A sale's results (hammer, buyer, premium, tax, total per lot) and the audit log.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { formatAmount } from '../../common/money.ts';
import { text } from '../ledger/records.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { decimalParam, mustSale } from './lookups.ts';

export function resultRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db } = deps;
  app.get('/sales/:id/results', async (c) => {
    const sale = await mustSale(db, c.req.param('id'));
    const rows = await db.query(
      `SELECT r.lot_id, l.lot_number, r.outcome, r.price_minor, w.bidder_id, w.paddle, w.premium_minor, w.tax_minor, w.total_minor
         FROM lot_results r JOIN lots l ON l.id = r.lot_id LEFT JOIN winners w ON w.lot_id = r.lot_id
        WHERE r.sale_id = $1 ORDER BY l.lot_number`,
      [sale.id],
    );
    const m = (v: unknown): string | null =>
      v === null || v === undefined ? null : formatAmount(Number(v), sale.currency);
    return c.json({
      saleId: sale.id,
      currency: sale.currency,
      results: rows.map((r) => ({
        lotId: r.lot_id,
        lotNumber: Number(r.lot_number),
        outcome: r.outcome,
        hammer: r.outcome === 'sold' ? m(r.price_minor) : null,
        buyer: r.bidder_id ?? (r.paddle === null ? null : `paddle:${text(r.paddle)}`),
        premium: m(r.premium_minor),
        tax: m(r.tax_minor),
        total: m(r.total_minor),
      })),
    });
  });

  app.get('/audit', async (c) => {
    const q = z
      .object({
        entityType: z.string().max(64).optional(),
        entityId: z.string().max(200).optional(),
        limit: z.string().optional(),
      })
      .parse(c.req.query());
    const limit = q.limit === undefined ? 100 : decimalParam(q.limit, 'limit', { max: 500 });
    const rows = await db.query(
      `SELECT id, at, actor, action, entity_type, entity_id, details, correlation_id FROM audit_log
        WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)
        ORDER BY id DESC LIMIT $3`,
      [q.entityType ?? null, q.entityId ?? null, limit],
    );
    return c.json({
      entries: rows.map((r) => ({
        id: Number(r.id),
        at: r.at instanceof Date ? r.at.toISOString() : r.at,
        actor: r.actor,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        details: r.details,
        correlationId: r.correlation_id,
      })),
    });
  });
}
