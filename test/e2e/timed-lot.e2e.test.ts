import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openSignedIn, screenshot, type SignedInPage } from '../support/clients.ts';
import { adminApi, demoToken, lotPhase, lotStatus, PHONE, textOf } from '../support/e2e-pages.ts';
import { postWithKey } from '../support/gavel.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';

/**
 * A timed lot's whole life on two bidders' phones, without a reload: `npm start`'s process with a
 * timed sale made through the admin API that opens a few seconds after the pages load and closes
 * soon after. Each page shows the lot opening, the bids, "closing soon", a late bid's extension,
 * the close (the Bid button disabled) and the result: "won" on the winner's phone, "lost" on the
 * underbidder's.
 */
let gavel: RunningEmbedded | undefined;
let api: string;
const SALE = 'e2e-timed';
const LOT = 'e2e-timed-1';
/** Once both pages show the lot waiting, it is brought forward to open this soon after: while they watch. */
const OPENS_IN_MS = 2_000;
/** Open this long: two bids fit in it before it closes soon. */
const OPEN_FOR_MS = 20_000;
/** "Closing soon" this long before the end; a bid inside it extends the end by as much. */
const WINDOW_S = 6;

beforeAll(async () => {
  gavel = await startEmbedded('timed-e2e', { LIFECYCLE_TICK_MS: '50' });
  ({ api } = gavel);
}, 180_000);

afterAll(async () => {
  await gavel?.stop();
});

const admin = (method: string, path: string, body?: unknown): Promise<unknown> =>
  adminApi(gavel!)(method, path, body);
const adminPost = (path: string, body?: unknown): Promise<unknown> => admin('POST', path, body);

/** A timed sale of one lot, opening at `startsAt`, with both demo bidders approved. */
async function createSale(startsAt: number): Promise<void> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  await adminPost('/sales', {
    id: SALE,
    mode: 'timed',
    currency: 'EUR',
    title: 'Timed sale on screen',
    startsAt: iso(startsAt),
    endsAt: iso(startsAt + OPEN_FOR_MS),
    closingSoonSeconds: WINDOW_S,
  });
  await adminPost(`/sales/${SALE}/lots`, {
    id: LOT,
    lotNumber: 1,
    title: 'Brass Carriage Clock',
    opening: '100.00',
    increments: [{ from: '0.00', step: '10.00' }],
    graceMs: 0,
    softCloseSeconds: WINDOW_S,
  });
  for (const bidderId of ['bidder-alice', 'bidder-bob'])
    await adminPost(`/sales/${SALE}/registrations`, { bidderId, approve: true, limit: '5000.00' });
  await adminPost(`/sales/${SALE}/publish`);
}

async function bid(p: Page, expected: string): Promise<void> {
  await p.waitForSelector('#bid-button:not([disabled])', { timeout: 5_000 });
  expect(await textOf(p, 'bid-button')).toBe(`Bid ${expected}`);
  await p.click('#bid-button');
  await p.waitForSelector('#message[data-code="ACCEPTED"]');
}

describe('a timed lot on the bidder’s screen', () => {
  it('opens, takes bids, closes and tells the winner and the underbidder — without a reload', async () => {
    // Far off while the pages load (Chromium and two sign-ins take long on a loaded machine), then
    // brought forward once both show it waiting: it opens while they watch, whatever the load.
    await createSale(Date.now() + 3_600_000);
    const browser: Browser = await launchChromium();
    const pages: SignedInPage[] = [];
    try {
      for (const user of ['bidder-alice', 'bidder-bob'])
        pages.push(await openSignedIn(browser, api, `/bid#lot=${LOT}`, user, PHONE));
      const [alice, bob] = pages.map((p) => p.page) as [Page, Page];
      for (const p of [alice, bob]) {
        await lotStatus(p, 'scheduled', 5_000);
        expect(await textOf(p, 'bid-button')).toBe('Not open yet');
        expect(await p.isDisabled('#bid-button')).toBe(true);
      }
      const startsAt = Date.now() + OPENS_IN_MS;
      await admin('PATCH', `/sales/${SALE}`, {
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + OPEN_FOR_MS).toISOString(),
      });

      // It opens while the pages watch.
      for (const p of [alice, bob]) {
        await lotStatus(p, 'open');
        expect(await textOf(p, 'lot-status')).toBe('Open');
      }
      await bid(bob, 'EUR 100.00');
      await alice.waitForFunction(() => document.getElementById('price')?.textContent === 'EUR 100.00');
      await bid(alice, 'EUR 110.00');
      await bob.waitForFunction(() => document.getElementById('price')?.textContent === 'EUR 110.00');
      await bob.waitForSelector('#my-status[data-state="outbid"]');
      await alice.waitForSelector('#my-status[data-state="leading"]');
      expect(Date.now(), 'both bids landed before the lot closes soon').toBeLessThan(
        startsAt + OPEN_FOR_MS - WINDOW_S * 1000,
      );

      // The back office says it closes soon; a late bid (Bob's, by the API) extends it.
      for (const p of [alice, bob]) {
        await lotPhase(p, 'closing_soon', OPEN_FOR_MS);
        expect(await textOf(p, 'lot-status')).toBe('Closing soon');
      }
      const late = await postWithKey(`${api}/v1/auctions/${LOT}/bids`, await demoToken(api, 'bidder-bob'), {
        amount: '120.00',
      });
      expect(late.status).toBe(201);
      for (const p of [alice, bob]) {
        await lotPhase(p, 'extended', 5_000);
        expect(await textOf(p, 'lot-status')).toBe('Extended');
      }
      await alice.waitForSelector('#my-status[data-state="outbid"]');
      await bid(alice, 'EUR 130.00');
      await bob.waitForFunction(() => document.getElementById('price')?.textContent === 'EUR 130.00');

      // The clock closes it, then the back office gives the result: sold to Alice.
      for (const p of [alice, bob]) {
        await lotStatus(p, ['closed', 'sold'], 3 * WINDOW_S * 1000 + 20_000);
        expect(await p.isDisabled('#bid-button')).toBe(true);
        expect(await textOf(p, 'bid-button')).toBe('Bidding closed');
      }
      for (const p of [alice, bob]) await lotStatus(p, 'sold');
      await alice.waitForSelector('#my-status[data-state="won"]');
      expect(await textOf(alice, 'my-status')).toContain('You won this lot at EUR 130.00.');
      // The invoice follows on the winner's own topic.
      await alice.waitForFunction(() =>
        document.getElementById('my-status')?.textContent?.includes('Total due EUR 162.50'),
      );
      await bob.waitForSelector('#my-status[data-state="lost"]');
      expect(await textOf(bob, 'my-status')).toBe('Sold to another bidder at EUR 130.00.');
      for (const p of [alice, bob]) {
        expect(await textOf(p, 'lot-status')).toBe('Sold');
        expect(await p.isDisabled('#bid-button')).toBe(true);
      }
      await screenshot(alice, 'timed-lot-won-390');
    } catch (err) {
      for (const p of pages) console.error(p.logs.join('\n'));
      throw err;
    } finally {
      await browser.close();
    }
  }, 120_000);
});
