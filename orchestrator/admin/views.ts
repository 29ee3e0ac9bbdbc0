/** The admin API's views of sales, lots and registrations: money as decimal strings, times ISO 8601. */
import { formatAmount } from '../../common/money.ts';
import type { Queryable } from '../ledger/db.ts';
import { confirmDefault } from '../rules/bid-confirmation.ts';
import { loadRegistration, type Lot, type Sale } from '../ledger/records.ts';

export function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

export function saleView(s: Sale): Record<string, unknown> {
  const m = (v: number): string => formatAmount(v, s.currency);
  return {
    id: s.id,
    title: s.title,
    mode: s.mode,
    currency: s.currency,
    status: s.status,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    timezone: s.timezone,
    termsVersion: s.termsVersion,
    kycFreeLimit: m(s.kycFreeLimit),
    cddThreshold: m(s.cddThreshold),
    premiumBands: s.premiumBands.map((b) => ({ upTo: b.upTo === null ? null : m(b.upTo), rateBp: b.rateBp })),
    taxRateBp: s.taxRateBp,
    taxBase: s.taxBase,
    floorPaddles: s.floorPaddles,
    onlinePaddles: s.onlinePaddles,
    closingSoonSeconds: s.closingSoonMs / 1000,
    visibility: s.visibility,
    confirmBids: s.confirmBids,
    confirmBidsFrom: m(s.confirmBidsFrom ?? confirmDefault(s.currency)),
  };
}

/** The lot as the admin sees it — the reserve included (it is confidential to bidders, not to the house). */
export function lotView(l: Lot): Record<string, unknown> {
  const m = (v: number | undefined): string | null => (v === undefined ? null : formatAmount(v, l.currency));
  return {
    id: l.id,
    saleId: l.saleId,
    lotNumber: l.lotNumber,
    title: l.title,
    description: l.description,
    currency: l.currency,
    opening: m(l.opening),
    reserve: m(l.reserve),
    estimateLow: m(l.estimateLow),
    estimateHigh: m(l.estimateHigh),
    increments: l.increments.map((b) => ({ from: m(b.from), step: m(b.step) })),
    status: l.status,
    startsAt: iso(l.startsAt),
    endsAt: iso(l.endsAt),
    softCloseSeconds: l.softCloseMs / 1000,
    consignorId: l.consignorId ?? null,
    imageUrl: l.imageUrl ?? null,
    conditionReport: l.conditionReport ?? null,
    finalised: l.finalisedAt !== undefined,
  };
}

export async function registrationView(
  q: Queryable,
  saleId: string,
  bidderId: string,
): Promise<Record<string, unknown>> {
  const r = (await loadRegistration(q, saleId, bidderId))!;
  return {
    ...r,
    limit: r.limit === undefined ? null : formatAmount(r.limit, r.currency),
    termsAcceptedAt: iso(r.termsAcceptedAt),
  };
}
