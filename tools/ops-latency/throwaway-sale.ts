/**
 * The throw-away sale of `npm run ops:latency` when no lot is named: a public timed sale with one lot
 * (opening 1.00, step 1.00, no soft close), open now for an hour, the probe's bidders registered and
 * approved — made through the admin API as the house would, and cancelled (DELETE: the sale and its
 * lot stay on record, cancelled) once the measurement is over.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { AdminClient } from '../chaos/sale.ts';

export interface ThrowawaySale {
  saleId: string;
  lotId: string;
  /** Bidders the probe had to create in the back office (unknown to it before). */
  createdBidders: string[];
}

/** The bidder id (`sub`) a token names, read without verifying it (the gateway verifies). */
export function bidderOf(token: string): string {
  const sub = decodeJwt(token).sub;
  if (typeof sub !== 'string' || sub === '') throw new Error('a bidder token without a subject (sub)');
  return sub;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export async function createThrowawaySale(
  adminUrl: string,
  adminToken: string,
  bidderIds: readonly string[],
  now = Date.now(),
): Promise<ThrowawaySale> {
  const admin = new AdminClient(adminUrl, () => Promise.resolve(adminToken));
  const saleId = `ops-latency-${randomBytes(4).toString('hex')}`;
  const lotId = `${saleId}-1`;
  const endsAt = now + 3600_000;
  // Limits no probe reaches: bidders without KYC or due diligence may bid (the KYC-free limit).
  const big = '100000000.00';
  await admin.call('POST', '/sales', {
    id: saleId,
    title: `Ops latency check ${iso(now)}`,
    mode: 'timed',
    currency: 'EUR',
    startsAt: iso(now - 60_000),
    endsAt: iso(endsAt),
    kycFreeLimit: big,
    cddThreshold: '1000000000.00',
  });
  await admin.call('POST', `/sales/${saleId}/lots`, {
    id: lotId,
    lotNumber: 1,
    title: 'Latency probe (not for sale)',
    opening: '1.00',
    increments: [{ from: '0.00', step: '1.00' }],
    endsAt: iso(endsAt),
    softCloseSeconds: 0,
  });
  const createdBidders: string[] = [];
  for (const id of new Set(bidderIds)) {
    if (await exists(adminUrl, adminToken, id)) continue;
    await admin.call('POST', '/bidders', { id, name: 'Ops latency probe' });
    createdBidders.push(id);
  }
  await admin.call('POST', `/sales/${saleId}/publish`);
  for (const id of new Set(bidderIds))
    await admin.call('POST', `/sales/${saleId}/registrations`, { bidderId: id, limit: big, approve: true });
  return { saleId, lotId, createdBidders };
}

async function exists(adminUrl: string, adminToken: string, bidderId: string): Promise<boolean> {
  const res = await fetch(`${adminUrl}/admin/v1/bidders/${encodeURIComponent(bidderId)}`, {
    headers: { Authorization: `Bearer ${adminToken}` },
    signal: AbortSignal.timeout(30_000),
  });
  await res.body?.cancel();
  if (res.status === 404) return false;
  if (res.ok) return true;
  throw new Error(`GET /admin/v1/bidders/${bidderId} → ${res.status}`);
}

/** Cancels the sale (its lot with it); resolves with the sale's status after. */
export async function cancelThrowawaySale(
  adminUrl: string,
  adminToken: string,
  saleId: string,
): Promise<string> {
  const admin = new AdminClient(adminUrl, () => Promise.resolve(adminToken));
  const answer = await admin.call<{ sale: { status: string } }>('DELETE', `/sales/${saleId}`);
  return answer.sale.status;
}
