/** Small helpers for end-to-end tests on `npm start`'s process: bids once a lot opens, pages, a timed sale. */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { openSignedIn } from './clients.ts';
import { postWithKey } from './gavel.ts';
import { adminCall, type RunningEmbedded } from './embedded.ts';

/** Bids `amount` on `lot`, waiting (up to 30 s) for a lot whose sale was just moved to now to open. */
export async function bidWhenOpen(
  g: RunningEmbedded,
  lot: string,
  token: string,
  amount: string,
): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const bid = await postWithKey(`${g.api}/v1/auctions/${lot}/bids`, token, { amount });
    if (bid.status === 201) return;
    expect(bid.body, `the lot ${lot} opens`).toMatchObject({ error: { code: 'NOT_STARTED' } });
    expect(Date.now()).toBeLessThan(until);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `fn` on a fresh page signed in as `user` at `path`; prints the page's console when it fails. */
export async function onPage(
  browser: Browser,
  g: RunningEmbedded,
  user: string,
  path: string,
  viewport: { width: number; height: number },
  fn: (p: Page) => Promise<void>,
): Promise<void> {
  const signed = await openSignedIn(browser, g.api, path, user, viewport);
  try {
    await fn(signed.page);
  } catch (err) {
    console.error(signed.logs.join('\n'));
    throw err;
  } finally {
    await signed.context.close();
  }
}

/** A lot for `openTimedSale`: what the admin API's POST /sales/{id}/lots takes. */
export interface TestLot {
  id: string;
  title: string;
  opening: string;
  step: string;
}

/**
 * A timed sale in EUR, published with `lots` (numbered in order) and `bidders` registered and approved,
 * then moved to start now and end in an hour: its lots open within the lifecycle's next steps.
 */
export async function openTimedSale(
  g: RunningEmbedded,
  sale: { id: string; title: string; bidders: string[]; lots: TestLot[]; extra?: Record<string, unknown> },
): Promise<void> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const later = Date.now() + 3_600_000;
  const { id } = sale;
  const body = { id, mode: 'timed', currency: 'EUR', title: sale.title, startsAt: iso(later), ...sale.extra };
  await adminCall(g, 'POST', '/sales', { ...body, endsAt: iso(later + 3_600_000) });
  for (const [i, lot] of sale.lots.entries())
    await adminCall(g, 'POST', `/sales/${id}/lots`, {
      id: lot.id,
      lotNumber: i + 1,
      title: lot.title,
      opening: lot.opening,
      increments: [{ from: '0.00', step: lot.step }],
    });
  await adminCall(g, 'POST', `/sales/${id}/publish`);
  for (const bidderId of sale.bidders)
    await adminCall(g, 'POST', `/sales/${id}/registrations`, { bidderId, approve: true, limit: '50000.00' });
  const now = Date.now();
  await adminCall(g, 'PATCH', `/sales/${id}`, { startsAt: iso(now - 1000), endsAt: iso(now + 3_600_000) });
}
