/** What `npm run cluster` puts in its fresh back office, through the admin API as a house would. */
import type { AdminClient } from '../chaos/sale.ts';

export const CLUSTER_BIDDERS = [
  { id: 'alice', name: 'Alice Martin' },
  { id: 'bob', name: 'Bob Okafor' },
] as const;

const iso = (ms: number): string => new Date(ms).toISOString();

/** A timed sale open now for two hours, three lots with a two-minute soft close, both bidders approved. */
export async function seedClusterSale(admin: AdminClient, now: number): Promise<string> {
  const saleId = 'cluster-timed';
  const endsAt = now + 2 * 3600_000;
  await admin.call('POST', '/sales', {
    id: saleId,
    title: 'Cluster demo — timed sale',
    mode: 'timed',
    currency: 'EUR',
    startsAt: iso(now - 60_000),
    endsAt: iso(endsAt),
    kycFreeLimit: '1000000.00',
    cddThreshold: '10000000.00',
  });
  const lots = [
    ['A Dutch still life, oil on panel', '2500.00'],
    ['A George III silver coffee pot', '1200.00'],
    ['A Patek Philippe wristwatch', '18000.00'],
  ] as const;
  for (const [i, [title, opening]] of lots.entries())
    await admin.call('POST', `/sales/${saleId}/lots`, {
      id: `${saleId}-${i + 1}`,
      lotNumber: i + 1,
      title,
      opening,
      increments: [
        { from: '0.00', step: '100.00' },
        { from: '10000.00', step: '500.00' },
      ],
      endsAt: iso(endsAt + i * 60_000),
      softCloseSeconds: 120,
    });
  for (const b of CLUSTER_BIDDERS) await admin.call('POST', '/bidders', b);
  await admin.call('POST', `/sales/${saleId}/publish`);
  for (const b of CLUSTER_BIDDERS)
    await admin.call('POST', `/sales/${saleId}/registrations`, {
      bidderId: b.id,
      limit: '1000000.00',
      approve: true,
    });
  return saleId;
}

/** Resolves once every lot of the sale is open on `origin` (the back office's clock opens the sale, then the engine holds its lots). */
export async function waitSaleOpen(
  origin: string,
  saleId: string,
  lots: number,
  timeoutMs = 60_000,
): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const res = await fetch(`${origin}/v1/sales/${saleId}/snapshot`);
    const body = (await res.json().catch(() => ({}))) as { auctions?: { status: string }[] };
    if (res.ok && body.auctions?.length === lots && body.auctions.every((a) => a.status === 'open')) return;
    if (Date.now() > deadline)
      throw new Error(`the sale did not open: ${res.status} ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
