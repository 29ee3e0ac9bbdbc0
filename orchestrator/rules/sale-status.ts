/**
 * What the house may change in a sale and its lots, by the sale's status — pure, so the admin API
 * only asks and answers. A draft or scheduled sale may change in anything; an open one only in what
 * bidders can live with (a title, a later end, a lot's description or image); a closed or cancelled
 * one not at all, and a finalised lot neither.
 */
import type { SaleStatus } from '../ledger/records.ts';

/**
 * Published: bidders see the sale in the catalogue and the engine holds its lots — scheduled, open,
 * or closed with results still to be given.
 */
export const PUBLISHED_SALE_STATUSES = [
  'scheduled',
  'open',
  'closed',
] as const satisfies readonly SaleStatus[];
/** Running or about to: the lifecycle steps these and keeps the engine's copy of them whole. */
export const RUNNING_SALE_STATUSES = ['scheduled', 'open'] as const satisfies readonly SaleStatus[];

export function saleIsPublished(status: SaleStatus): boolean {
  return (PUBLISHED_SALE_STATUSES as readonly SaleStatus[]).includes(status);
}

/** Sale fields an open sale may still change (`endsAt` only to a later time). */
export const OPEN_SALE_EDITABLE: readonly string[] = ['title', 'endsAt', 'confirmBids', 'confirmBidsFrom'];
/** Lot fields a lot of an open sale may still change (`endsAt` only to a later time). */
export const OPEN_LOT_EDITABLE: readonly string[] = [
  'title',
  'description',
  'imageUrl',
  'conditionReport',
  'endsAt',
];

/** The answer to "may these fields change?": yes, no because nothing may, or no for these fields. */
export type EditVerdict =
  { ok: true } | { ok: false; locked: true } | { ok: false; locked: false; refused: string[] };

/** A sale that is over (closed or cancelled): nothing changes, no terms, no new registrations. */
export function saleIsLocked(status: SaleStatus): boolean {
  return status === 'closed' || status === 'cancelled';
}

function edit(
  locked: boolean,
  open: boolean,
  fields: readonly string[],
  editable: readonly string[],
): EditVerdict {
  if (locked) return { ok: false, locked: true };
  if (!open) return { ok: true };
  const refused = fields.filter((f) => !editable.includes(f));
  return refused.length === 0 ? { ok: true } : { ok: false, locked: false, refused };
}

/** May `fields` of a sale in `status` change? */
export function saleEdit(status: SaleStatus, fields: readonly string[]): EditVerdict {
  return edit(saleIsLocked(status), status === 'open', fields, OPEN_SALE_EDITABLE);
}

/** May `fields` of a lot change, in a sale in `status`, the lot finalised or not? */
export function lotEdit(status: SaleStatus, finalised: boolean, fields: readonly string[]): EditVerdict {
  return edit(saleIsLocked(status) || finalised, status === 'open', fields, OPEN_LOT_EDITABLE);
}

/** While a sale is open an end (ms) may only move later than `current`; before it opens, anywhere. */
export function endMayMove(status: SaleStatus, next: number, current: number): boolean {
  return status !== 'open' || next > current;
}

/** Only a draft is published (draft → scheduled). */
export function mayPublish(status: SaleStatus): boolean {
  return status === 'draft';
}

/** Lots are added before the sale opens. */
export function mayAddLots(status: SaleStatus): boolean {
  return status === 'draft' || status === 'scheduled';
}

/** Cancelling: a closed sale refuses, a cancelled one is already done, any other is cancelled. */
export function saleCancel(status: SaleStatus): 'cancel' | 'done' | 'refused' {
  if (status === 'closed') return 'refused';
  return status === 'cancelled' ? 'done' : 'cancel';
}

/** Registrations may change (status, limit) until the sale is cancelled — after closing too. */
export function mayChangeRegistration(status: SaleStatus): boolean {
  return status !== 'cancelled';
}
