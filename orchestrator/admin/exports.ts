/**
 * What the house takes away from a sale: the ledger (every decision, accepted and refused), a lot's
 * bids as JSON (the panel's live view, and what the ledger CSV is checked against), the results and
 * the audit log — as CSV (csv-stringify: quoting, embedded commas and line breaks done right).
 *
 * A CSV cell that starts with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`: spreadsheets would
 * run it as a formula (CSV injection) and titles, reasons and names come from people. Money stays a
 * decimal string in the sale's currency, times are ISO 8601 UTC.
 */
import type { Context, Hono } from 'hono';
import { stringify } from 'csv-stringify/sync';
import { formatAmount } from '../../common/money.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { Queryable } from '../ledger/db.ts';
import { text } from '../ledger/records.ts';
import type { AdminApiDeps } from './context.ts';
import { mustLot, mustSale } from './lookups.ts';
import { auditQuery, auditRows, resultRows } from './results.ts';

/** The ledger CSV's columns, in order. */
export const LEDGER_COLUMNS = [
  'sale_id',
  'lot_id',
  'lot_number',
  'seq',
  'entry',
  'action',
  'outcome',
  'reason',
  'bidder_id',
  'paddle',
  'amount',
  'max',
  'currency',
  'price_after',
  'leader_after',
  'channel',
  'ends_at',
  'extended',
  'decided_at',
  'recorded_at',
  'idempotency_key',
  'correlation_id',
  'cancelled_at',
  'cancel_reason',
] as const;
type LedgerRow = Record<(typeof LEDGER_COLUMNS)[number], string>;

const iso = (v: unknown): string =>
  v === null || v === undefined ? '' : new Date(v as string).toISOString();
const str = (v: unknown): string => (v === null || v === undefined ? '' : text(v));

/** A cell a spreadsheet would evaluate gets a leading apostrophe (OWASP's CSV-injection advice). */
export function safeCell(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** Rows of objects → CSV text with a header, every cell made safe. */
export function toCsv(columns: readonly string[], rows: Record<string, string>[]): string {
  return stringify(
    rows.map((r) => columns.map((k) => safeCell(r[k] ?? ''))),
    { header: true, columns: [...columns], record_delimiter: '\r\n' },
  );
}

function csvResponse(c: Context<AppEnv>, name: string, body: string): Response {
  c.header('Content-Type', 'text/csv; charset=utf-8');
  c.header('Content-Disposition', `attachment; filename="${name}"`);
  c.header('Cache-Control', 'no-store');
  return c.body(body);
}

/** Every decision of the lots of a sale (or of one lot), bids and floor actions, in lot and seq order. */
export async function ledgerRows(
  q: Queryable,
  where: { saleId: string; lotId?: string | undefined },
): Promise<LedgerRow[]> {
  const rows = await q.query(
    `SELECT l.sale_id, l.id AS lot_id, l.lot_number, e.*, c.cancelled_at, c.reason AS cancel_reason
       FROM lots l
       JOIN (
         SELECT auction_id, seq, 'bid' AS entry, kind AS action, outcome, reason, bidder_id, paddle,
                amount_minor, max_minor, currency, price_minor, leader_id, source AS channel, ends_at,
                extended, decided_at, recorded_at, idempotency_key, correlation_id
           FROM bids
         UNION ALL
         SELECT auction_id, seq, 'floor', action, outcome, reason, NULL, args->>'paddle',
                NULL, NULL, NULL, price_minor, leader_id, 'floor', NULL,
                NULL, decided_at, recorded_at, idempotency_key, correlation_id
           FROM floor_actions
       ) e ON e.auction_id = l.id
       LEFT JOIN bid_cancellations c ON c.auction_id = e.auction_id AND c.seq = e.seq AND e.entry = 'bid'
      WHERE l.sale_id = $1 AND ($2::text IS NULL OR l.id = $2)
      ORDER BY l.lot_number, e.seq`,
    [where.saleId, where.lotId ?? null],
  );
  const currencies = await q.query<{ id: string; currency: string }>(
    'SELECT id, currency FROM lots WHERE sale_id = $1',
    [where.saleId],
  );
  const currencyOf = new Map(currencies.map((r) => [r.id, r.currency]));
  return rows.map((r) => {
    const currency = currencyOf.get(String(r.lot_id)) ?? str(r.currency);
    const money = (v: unknown): string =>
      v === null || v === undefined ? '' : formatAmount(Number(v), currency);
    return {
      sale_id: str(r.sale_id),
      lot_id: str(r.lot_id),
      lot_number: str(r.lot_number),
      seq: str(r.seq),
      entry: str(r.entry),
      action: str(r.action),
      outcome: str(r.outcome),
      reason: str(r.reason),
      bidder_id: str(r.bidder_id),
      paddle: str(r.paddle),
      amount: money(r.amount_minor),
      max: money(r.max_minor),
      currency,
      price_after: money(r.price_minor),
      leader_after: str(r.leader_id),
      channel: str(r.channel),
      ends_at: iso(r.ends_at),
      extended: typeof r.extended === 'boolean' ? String(r.extended) : '',
      decided_at: iso(r.decided_at),
      recorded_at: iso(r.recorded_at),
      idempotency_key: str(r.idempotency_key),
      correlation_id: str(r.correlation_id),
      cancelled_at: iso(r.cancelled_at),
      cancel_reason: str(r.cancel_reason),
    };
  });
}

export function exportRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db } = deps;
  app.get('/sales/:id/ledger.csv', async (c) => {
    const sale = await mustSale(db, c.req.param('id'));
    const rows = await ledgerRows(db, { saleId: sale.id });
    return csvResponse(c, `${sale.id}-ledger.csv`, toCsv(LEDGER_COLUMNS, rows));
  });

  // One lot's decisions as JSON: the panel's live view, and what the ledger CSV must match.
  app.get('/lots/:id/bids', async (c) => {
    const lot = await mustLot(db, c.req.param('id'));
    const rows = await ledgerRows(db, { saleId: lot.saleId, lotId: lot.id });
    return c.json({
      lotId: lot.id,
      currency: lot.currency,
      entries: rows.map((r) => ({
        seq: Number(r.seq),
        entry: r.entry,
        action: r.action || null,
        outcome: r.outcome,
        reason: r.reason || null,
        bidderId: r.bidder_id || null,
        paddle: r.paddle || null,
        amount: r.amount || null,
        max: r.max || null,
        priceAfter: r.price_after,
        leaderAfter: r.leader_after || null,
        channel: r.channel,
        endsAt: r.ends_at || null,
        extended: r.extended === '' ? null : r.extended === 'true',
        decidedAt: r.decided_at,
        correlationId: r.correlation_id || null,
        cancelled: r.cancelled_at === '' ? null : { at: r.cancelled_at, reason: r.cancel_reason },
      })),
    });
  });

  app.get('/sales/:id/results.csv', async (c) => {
    const sale = await mustSale(db, c.req.param('id'));
    const rows = await resultRows(db, sale);
    const columns = [
      'lot_id',
      'lot_number',
      'outcome',
      'hammer',
      'buyer',
      'premium',
      'tax',
      'total',
      'currency',
    ];
    return csvResponse(
      c,
      `${sale.id}-results.csv`,
      toCsv(
        columns,
        rows.map((r) => ({
          lot_id: r.lotId,
          lot_number: String(r.lotNumber),
          outcome: r.outcome,
          hammer: r.hammer ?? '',
          buyer: r.buyer ?? '',
          premium: r.premium ?? '',
          tax: r.tax ?? '',
          total: r.total ?? '',
          currency: sale.currency,
        })),
      ),
    );
  });

  app.get('/audit.csv', async (c) => {
    const entries = await auditRows(db, auditQuery(c.req.query(), 5_000));
    const columns = ['id', 'at', 'actor', 'action', 'entity_type', 'entity_id', 'correlation_id', 'details'];
    return csvResponse(
      c,
      'audit.csv',
      toCsv(
        columns,
        entries.map((e) => ({
          id: String(e.id),
          at: e.at,
          actor: e.actor,
          action: e.action,
          entity_type: e.entityType,
          entity_id: e.entityId,
          correlation_id: e.correlationId ?? '',
          details: e.details === null || e.details === undefined ? '' : JSON.stringify(e.details),
        })),
      ),
    );
  });
}
