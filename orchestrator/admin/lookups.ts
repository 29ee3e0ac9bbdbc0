/** Look-ups that answer 404 for what is missing, and the small write helpers the admin routes share. */
import type { Context } from 'hono';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import type { AuctionStatus } from '../../common/contracts/index.ts';
import type { Queryable } from '../ledger/db.ts';
import type { EnginePort } from '../lifecycle/engine-sync.ts';
import { loadBidder, loadLot, loadSale, type Bidder, type Lot, type Sale } from '../ledger/records.ts';

export async function readJsonOrEmpty(c: Context): Promise<unknown> {
  const len = c.req.header('content-length');
  if (len === '0' || (len === undefined && c.req.header('transfer-encoding') === undefined)) return {};
  return readJson(c);
}

/**
 * A whole number from a path or query parameter: decimal digits only — no sign, space, "0x", "1e3"
 * or fraction, which `Number()` would quietly read — and from `min` to `max` (a safe integer at
 * most). Refused with `code` (400), naming the parameter.
 */
export function decimalParam(
  value: string,
  name: string,
  opts: { min?: number; max?: number; code?: 'BAD_SEQ' | 'VALIDATION_FAILED' } = {},
): number {
  const { min = 1, max = Number.MAX_SAFE_INTEGER, code = 'VALIDATION_FAILED' } = opts;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new AppError(code, `${name}: must be decimal digits only, from ${min} to ${max}; got "${value}"`, {
      details: { field: name },
    });
  return n;
}

export async function mustSale(q: Queryable, id: string, lock = false): Promise<Sale> {
  const sale = await loadSale(q, id, lock);
  if (sale === undefined) throw new AppError('UNKNOWN_SALE', `no sale ${id}`);
  return sale;
}

export async function mustLot(q: Queryable, id: string, lock = false): Promise<Lot> {
  const lot = await loadLot(q, id, lock);
  if (lot === undefined) throw new AppError('UNKNOWN_LOT', `no lot ${id}`);
  return lot;
}

export async function mustBidder(q: Queryable, id: string): Promise<Bidder> {
  const b = await loadBidder(q, id);
  if (b === undefined) throw new AppError('UNKNOWN_BIDDER', `no bidder ${id}`);
  return b;
}

export async function checkConsignor(q: Queryable, id: string | undefined): Promise<void> {
  if (id !== undefined && (await loadBidder(q, id)) === undefined)
    throw new AppError('UNKNOWN_CONSIGNOR', `consignorId ${id} is not a bidder; create the bidder first`, {
      details: { field: 'consignorId' },
    });
}

/** A lost engine write is repaired by the reconcile loop; the API still answers. */
export async function setEngineStatus(
  engine: EnginePort,
  lotId: string,
  status: AuctionStatus,
): Promise<void> {
  if ((await engine.snapshot(lotId)) !== undefined) await engine.setStatus(lotId, status);
}

/** `UPDATE <table> SET …` for the columns given (undefined ones left out); false when nothing was given. */
export async function updateRow(
  q: Queryable,
  table: 'sales' | 'lots',
  id: string,
  columns: Record<string, unknown>,
): Promise<boolean> {
  const entries = Object.entries(columns).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return false;
  const sets = entries.map(([column], i) => `${column} = $${i + 2}`);
  await q.query(`UPDATE ${table} SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
    id,
    ...entries.map(([, v]) => v),
  ]);
  return true;
}

/** A unique violation on (sale_id, lot_number) is the caller's mistake, not a server fault. */
export function uniqueLotNumber(err: unknown): never {
  if (isUniqueViolation(err))
    throw new AppError('LOT_NUMBER_TAKEN', 'another lot of this sale has that lotNumber', {
      details: { field: 'lotNumber' },
    });
  throw err;
}

export function uniqueContact(err: unknown): never {
  if (isUniqueViolation(err)) throw new AppError('CONTACT_TAKEN', 'another bidder has that email or phone');
  throw err;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
}
