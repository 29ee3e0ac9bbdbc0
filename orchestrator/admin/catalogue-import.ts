/**
 * The catalogue as CSV (docs/media.md): `POST /sales/:id/lots/import` (`?dryRun=true` previews) and
 * `GET /sales/:id/lots.csv`. Every row is checked with the admin API's own lot rules (`lotCreate`,
 * `lotValues`, the consignor, free ids and lot numbers); a file with any bad row is refused whole,
 * naming each row, column and problem; a good file is created in one transaction.
 */
import type { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import type { AppEnv } from '../../common/http-env.ts';
import { readBodyText } from '../../common/http-body.ts';
import type { Queryable } from '../ledger/db.ts';
import { loadBidder, loadLot, loadLots, type Sale } from '../ledger/records.ts';
import { mayAddLots } from '../rules/sale-status.ts';
import {
  catalogueCsv,
  CsvRefused,
  DEFAULT_INCREMENTS,
  parseIncrements,
  readCatalogueCsv,
  type CsvRow,
  type RowError,
} from './catalogue-csv.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { createLot } from './lots.ts';
import { mustSale } from './lookups.ts';
import { lotCreate, type LotCreate } from './schemas.ts';
import { lotValues } from './values.ts';

const MAX_CSV_BYTES = 2 * 1024 * 1024;
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

export function catalogueImportRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db, sync } = deps;

  app.post('/sales/:id/lots/import', async (c) => {
    const dryRun = flag(c.req.query('dryRun'));
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!CSV_TYPES.includes(type))
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'send the catalogue as text/csv (a header line, then one lot per line)',
      );
    const text = await readBodyText(c, MAX_CSV_BYTES);
    let rows: CsvRow[];
    try {
      rows = readCatalogueCsv(text);
    } catch (err) {
      if (err instanceof CsvRefused)
        throw new AppError('BAD_CSV', err.message, { details: { field: 'body' } });
      throw err;
    }
    const saleId = c.req.param('id');
    const ctx = who(c);
    if (dryRun) {
      const sale = await mustSale(db, saleId);
      const { lots, errors } = await checkRows(db, sale, rows);
      return c.json({ dryRun: true, ok: errors.length === 0, saleId, errors, lots: lots.map(preview) });
    }
    const created = await db.transaction(async (tx) => {
      const sale = await mustSale(tx, saleId, true);
      const { lots, errors } = await checkRows(tx, sale, rows);
      if (errors.length > 0)
        throw new AppError(
          'IMPORT_REFUSED',
          `${errors.length} problem${errors.length > 1 ? 's' : ''} in the file, first on line ${errors[0]!.row}${errors[0]!.column === null ? '' : ` (${errors[0]!.column})`}: ${errors[0]!.message}; nothing was imported`,
          { details: { errors } },
        );
      for (const lot of lots) await createLot(tx, sale, lot, ctx);
      return lots;
    });
    await sync.configureSale(saleId, { update: true });
    await sync.syncEligibility(saleId);
    return c.json({ dryRun: false, saleId, created: created.map(preview) }, 201);
  });

  app.get('/sales/:id/lots.csv', async (c) => {
    const sale = await mustSale(db, c.req.param('id'));
    const lots = (await loadLots(db, sale.id)).filter(
      (l) => l.status !== 'cancelled' && l.status !== 'withdrawn',
    );
    return c.body(catalogueCsv(lots), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${sale.id}-lots.csv"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
  });
}

function flag(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new AppError('VALIDATION_FAILED', `dryRun: "true" or "false", got "${value}"`, {
    details: { field: 'dryRun' },
  });
}

/** What a row would create, as the preview and the answer show it. */
function preview(lot: LotCreate): Record<string, unknown> {
  return { ...lot };
}

/**
 * Every row checked: the lot body it gives, or its problems (row, column, message). The sale must
 * take lots; ids and lot numbers must be free in the file and in the database; consignors must exist.
 */
export async function checkRows(
  q: Queryable,
  sale: Sale,
  rows: CsvRow[],
): Promise<{ lots: LotCreate[]; errors: RowError[] }> {
  const errors: RowError[] = [];
  if (!mayAddLots(sale.status))
    errors.push({
      row: 1,
      column: null,
      message: `sale ${sale.id} is ${sale.status}: lots are added before it opens`,
    });
  const lots: LotCreate[] = [];
  const ids = new Map<string, number>();
  const numbers = new Map<number, number>();
  const taken = new Set(
    (await q.query<{ lot_number: number }>('SELECT lot_number FROM lots WHERE sale_id = $1', [sale.id])).map(
      (r) => Number(r.lot_number),
    ),
  );
  for (const row of rows) {
    const problems = rowBody(row, sale);
    if ('errors' in problems) {
      errors.push(...problems.errors);
      continue;
    }
    const lot = problems.lot;
    const rowErrors: RowError[] = [];
    const err = (column: string | null, message: string): number =>
      rowErrors.push({ row: row.line, column, message });
    const sameNumber = numbers.get(lot.lotNumber);
    if (sameNumber !== undefined)
      err('lotNumber', `lot number ${lot.lotNumber} is also on line ${sameNumber}`);
    else if (taken.has(lot.lotNumber)) err('lotNumber', `sale ${sale.id} has a lot ${lot.lotNumber} already`);
    // An id made from a repeated lot number repeats too: that is one problem, said once.
    const sameId = ids.get(lot.id);
    if (sameId !== undefined && sameNumber === undefined)
      err('id', `lot id ${lot.id} is also on line ${sameId}`);
    else if (sameId === undefined && (await loadLot(q, lot.id)) !== undefined)
      err('id', `lot ${lot.id} exists already`);
    if (
      lot.consignorId !== undefined &&
      lot.consignorId !== null &&
      (await loadBidder(q, lot.consignorId)) === undefined
    )
      err('consignorId', `consignor ${lot.consignorId} is not a bidder; create the bidder first`);
    if (sameId === undefined) ids.set(lot.id, row.line);
    if (sameNumber === undefined) numbers.set(lot.lotNumber, row.line);
    if (rowErrors.length > 0) errors.push(...rowErrors);
    else lots.push(lot);
  }
  return { lots, errors };
}

/** One row → the admin API's lot body, checked by its schema and value rules; or the row's problems. */
function rowBody(row: CsvRow, sale: Sale): { lot: LotCreate } | { errors: RowError[] } {
  const cells = row.cells;
  const errors: RowError[] = [];
  const text = (v: string | undefined): string | undefined =>
    v === undefined || v.trim() === '' ? undefined : v.trim();
  const lotNumberText = text(cells.lotNumber) ?? '';
  const lotNumber = /^\d{1,7}$/.test(lotNumberText) ? Number(lotNumberText) : NaN;
  if (Number.isNaN(lotNumber))
    errors.push({
      row: row.line,
      column: 'lotNumber',
      message: `a whole number like 12, got "${lotNumberText}"`,
    });
  const incrementsText = text(cells.increments) ?? DEFAULT_INCREMENTS;
  const increments = parseIncrements(incrementsText);
  if (increments === undefined)
    errors.push({
      row: row.line,
      column: 'increments',
      message: `bands as from:step separated by ";", like "0:50.00;1000.00:100.00", got "${incrementsText}"`,
    });
  if (errors.length > 0) return { errors };
  const raw: Record<string, unknown> = {
    id: text(cells.id) ?? `${sale.id}-${lotNumber}`,
    lotNumber,
    title: cells.title ?? '',
    increments,
  };
  for (const column of [
    'description',
    'estimateLow',
    'estimateHigh',
    'opening',
    'reserve',
    'consignorId',
    'imageUrl',
  ] as const) {
    const value = column === 'description' ? cells.description : text(cells[column]);
    if (value !== undefined && value !== '') raw[column] = value;
  }
  if (raw.opening === undefined) raw.opening = '';
  const parsed = lotCreate.safeParse(raw);
  if (!parsed.success)
    return {
      errors: parsed.error.issues.map((i) => ({
        row: row.line,
        column: i.path.length === 0 ? null : String(i.path[0]),
        message: i.message,
      })),
    };
  try {
    lotValues(parsed.data, sale.currency);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const field = err.details?.field;
    return {
      errors: [
        {
          row: row.line,
          column: typeof field === 'string' ? (field.split('.')[0] ?? field) : null,
          message: err.message,
        },
      ],
    };
  }
  return { lot: parsed.data };
}
