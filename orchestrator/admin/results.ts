/**
 * A sale's results (hammer, buyer, premium, tax, total per lot) and the audit log, with its filters
 * (actor, entity, time range); `exports.ts` gives both as CSV too.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { formatAmount } from '../../common/money.ts';
import type { Queryable } from '../ledger/db.ts';
import { text, type Sale } from '../ledger/records.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { decimalParam, mustSale } from './lookups.ts';

export interface ResultRow {
  lotId: string;
  lotNumber: number;
  outcome: string;
  hammer: string | null;
  buyer: string | null;
  premium: string | null;
  tax: string | null;
  total: string | null;
}

export async function resultRows(db: Queryable, sale: Sale): Promise<ResultRow[]> {
  const rows = await db.query(
    `SELECT r.lot_id, l.lot_number, r.outcome, r.price_minor, w.bidder_id, w.paddle, w.premium_minor, w.tax_minor, w.total_minor
       FROM lot_results r JOIN lots l ON l.id = r.lot_id LEFT JOIN winners w ON w.lot_id = r.lot_id
      WHERE r.sale_id = $1 ORDER BY l.lot_number`,
    [sale.id],
  );
  const m = (v: unknown): string | null =>
    v === null || v === undefined ? null : formatAmount(Number(v), sale.currency);
  return rows.map((r) => ({
    lotId: text(r.lot_id),
    lotNumber: Number(r.lot_number),
    outcome: text(r.outcome),
    hammer: r.outcome === 'sold' ? m(r.price_minor) : null,
    buyer:
      r.bidder_id === null || r.bidder_id === undefined
        ? r.paddle === null || r.paddle === undefined
          ? null
          : `paddle:${text(r.paddle)}`
        : text(r.bidder_id),
    premium: m(r.premium_minor),
    tax: m(r.tax_minor),
    total: m(r.total_minor),
  }));
}

export interface AuditQuery {
  actor: string | undefined;
  action: string | undefined;
  entityType: string | undefined;
  entityId: string | undefined;
  from: string | undefined;
  to: string | undefined;
  limit: number;
}

const TIME = z.iso.datetime({
  offset: true,
  error: 'an ISO 8601 date-time with offset, e.g. 2026-12-01T18:00:00Z',
});
const auditFilter = z.object({
  actor: z.string().max(200).optional(),
  action: z.string().max(64).optional(),
  entityType: z.string().max(64).optional(),
  entityId: z.string().max(200).optional(),
  from: TIME.optional(),
  to: TIME.optional(),
  limit: z.string().optional(),
});

/** The audit log's filters from a query string: `actor`, `action`, `entityType`, `entityId`, `from`/`to` (ISO 8601), `limit`. */
export function auditQuery(query: Record<string, string>, maxLimit = 500): AuditQuery {
  // An empty filter (a form left blank) means "any"; an empty limit is still refused.
  const given = Object.fromEntries(Object.entries(query).filter(([k, v]) => v !== '' || k === 'limit'));
  const q = auditFilter.parse(given);
  if (q.from !== undefined && q.to !== undefined && Date.parse(q.from) > Date.parse(q.to))
    throw new AppError('VALIDATION_FAILED', 'to: must not be before from', { details: { field: 'to' } });
  const limit =
    q.limit === undefined ? Math.min(100, maxLimit) : decimalParam(q.limit, 'limit', { max: maxLimit });
  return {
    actor: q.actor,
    action: q.action,
    entityType: q.entityType,
    entityId: q.entityId,
    from: q.from,
    to: q.to,
    limit,
  };
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  details: unknown;
  correlationId: string | null;
}

export async function auditRows(db: Queryable, q: AuditQuery): Promise<AuditEntry[]> {
  const rows = await db.query(
    `SELECT id, at, actor, action, entity_type, entity_id, details, correlation_id FROM audit_log
      WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)
        AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4)
        AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at <= $6)
      ORDER BY id DESC LIMIT $7`,
    [
      q.entityType ?? null,
      q.entityId ?? null,
      q.actor ?? null,
      q.action ?? null,
      q.from ?? null,
      q.to ?? null,
      q.limit,
    ],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at instanceof Date ? r.at.toISOString() : new Date(text(r.at)).toISOString(),
    actor: text(r.actor),
    action: text(r.action),
    entityType: text(r.entity_type),
    entityId: text(r.entity_id),
    details: r.details,
    correlationId:
      r.correlation_id === null || r.correlation_id === undefined ? null : text(r.correlation_id),
  }));
}

export function resultRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db } = deps;
  app.get('/sales/:id/results', async (c) => {
    const sale = await mustSale(db, c.req.param('id'));
    return c.json({ saleId: sale.id, currency: sale.currency, results: await resultRows(db, sale) });
  });

  app.get('/audit', async (c) => {
    return c.json({ entries: await auditRows(db, auditQuery(c.req.query())) });
  });
}
