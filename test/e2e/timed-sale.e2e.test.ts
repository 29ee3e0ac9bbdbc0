/**
 * A whole timed sale of two lots with soft close, on three screens at once, without a reload:
 * Alice on a phone (390 px) on lot 1's page, Bob on a desktop in the sale room, and the house's
 * staff in the back-office panel's live view (`npm start`'s process, the sale made through the admin
 * API). The lots open while the pages watch; Alice bids, Bob outbids her (she sees "outbid"); both
 * pages say the lot closes soon; Alice's bid inside the soft-close window extends it, and every
 * screen shows the new end; at the close Alice has won (her My lots shows the invoice), Bob has
 * lost, the lot nobody bid on is unsold, and the staff's results page lists both.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCurrency } from '../../clients/src/money.ts';
import { launchChromium, screenshot, type SignedInPage } from '../support/clients.ts';
import {
  adminApi,
  bidOnPage,
  DESKTOP,
  lotPhase,
  lotStatus,
  openScreens,
  PHONE,
  price,
  printLogs,
} from '../support/e2e-pages.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';
import { signInAdmin } from '../support/panel.ts';

let gavel: RunningEmbedded | undefined;
const SALE = 'e2e-timed-sale';
const LOT1 = 'e2e-timed-sale-1';
const LOT2 = 'e2e-timed-sale-2';
/** Once every screen shows the sale waiting, it is brought forward to open this soon after: while they watch. */
const OPENS_IN_MS = 3_000;
/** Open this long: two bids on two pages fit before it closes soon, however loaded the machine. */
const OPEN_FOR_MS = 30_000;
/** "Closing soon" this long before the end; a bid inside it extends the end by as much. */
const WINDOW_S = 10;

/** As the pages show an amount (Chromium's default locale, en-US). */
const eur = (amount: string): string => withCurrency(amount, 'EUR', 'en-US');
/** "EUR 1,234.50" → 123450 (minor units). */
const minor = (shown: string): number => Math.round(Number(shown.replace(/[^\d.]/g, '')) * 100);

beforeAll(async () => {
  gavel = await startEmbedded('timed-sale-e2e', { LIFECYCLE_TICK_MS: '50' });
}, 180_000);

afterAll(async () => {
  await gavel?.stop();
});

/** A timed sale of two lots opening at `startsAt`, both demo bidders approved. */
async function createSale(admin: ReturnType<typeof adminApi>, startsAt: number): Promise<void> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  await admin('POST', '/sales', {
    id: SALE,
    mode: 'timed',
    currency: 'EUR',
    title: 'Timed sale with soft close',
    startsAt: iso(startsAt),
    endsAt: iso(startsAt + OPEN_FOR_MS),
    closingSoonSeconds: WINDOW_S,
  });
  const lots = [
    { id: LOT1, lotNumber: 1, title: 'Mahogany Writing Slope', opening: '100.00' },
    { id: LOT2, lotNumber: 2, title: 'Pair of Pewter Candlesticks', opening: '50.00' },
  ];
  for (const lot of lots)
    await admin('POST', `/sales/${SALE}/lots`, {
      ...lot,
      increments: [{ from: '0.00', step: '10.00' }],
      graceMs: 0,
      softCloseSeconds: WINDOW_S,
    });
  for (const bidderId of ['bidder-alice', 'bidder-bob'])
    await admin('POST', `/sales/${SALE}/registrations`, { bidderId, approve: true, limit: '5000.00' });
  await admin('POST', `/sales/${SALE}/publish`);
}

/** The sale room's card of a lot (Bob's screen): its status element. */
const card = (lot: string): string => `.lot-card-link[data-lot="${lot}"] .status`;

/** The cells of a lot's row in the panel's live view: No. is the first, then status, price, leader, bids, ends, extensions. */
const liveCells = (staff: Page, lot: string) =>
  staff.locator('#live-table tbody tr', { has: staff.locator(`a[href="/admin/lots/${lot}"]`) }).locator('td');

const endsAt = (p: Page): Promise<string> =>
  p.$eval('#countdown', (el) => el.getAttribute('data-ends-at') ?? '');

describe('a whole timed sale on three screens', () => {
  it('opens, takes bids, extends on a late bid, closes and gives every screen the result — without a reload', async () => {
    const g = gavel!;
    const admin = adminApi(g);
    // Far off while the screens load (Chromium, two sign-ins and the staff's email link take long on
    // a loaded machine), then brought forward once they show it waiting.
    await createSale(admin, Date.now() + 3_600_000);
    const browser: Browser = await launchChromium();
    const bidders: SignedInPage[] = [];
    let staffContext: BrowserContext | undefined;
    try {
      bidders.push(
        ...(await openScreens(browser, g.api, [
          { user: 'bidder-alice', path: `/bid#lot=${LOT1}`, viewport: PHONE },
          { user: 'bidder-bob', path: '/bid#', viewport: DESKTOP },
        ])),
      );
      const [alice, bob] = bidders.map((s) => s.page) as [Page, Page];
      staffContext = await browser.newContext({ viewport: DESKTOP });
      const staff = await signInAdmin(staffContext, g.api);
      await staff.goto(`${g.api}/admin/sales/${SALE}/live`);

      // Waiting: Alice's lot is not open yet, Bob's room lists both lots as scheduled.
      await lotStatus(alice, 'scheduled');
      expect(await alice.isDisabled('#bid-button')).toBe(true);
      for (const lot of [LOT1, LOT2]) await bob.waitForSelector(`${card(lot)}.status-scheduled`);
      await expect
        .poll(() => liveCells(staff, LOT1).nth(1).textContent(), { timeout: 15_000 })
        .toBe('scheduled');

      const startsAt = Date.now() + OPENS_IN_MS;
      const end = startsAt + OPEN_FOR_MS;
      await admin('PATCH', `/sales/${SALE}`, {
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(end).toISOString(),
      });

      // Both lots open while the screens watch; Bob goes from the room to lot 1 (no reload).
      await lotStatus(alice, 'open');
      for (const lot of [LOT1, LOT2])
        await bob.waitForSelector(`${card(lot)}.status-open`, { timeout: 20_000 });
      await expect.poll(() => liveCells(staff, LOT1).nth(1).textContent(), { timeout: 30_000 }).toBe('open');
      await bob.click(`.lot-card-link[data-lot="${LOT1}"]`);
      await lotStatus(bob, 'open');
      for (const p of [alice, bob]) expect(await endsAt(p)).toBe(new Date(end).toISOString());

      // Alice bids, Bob outbids her.
      await bidOnPage(alice, eur('100.00'));
      await price(bob, eur('100.00'));
      await bidOnPage(bob, eur('110.00'));
      await price(alice, eur('110.00'));
      await alice.waitForSelector('#my-status[data-state="outbid"]');
      await bob.waitForSelector('#my-status[data-state="leading"]');
      expect(Date.now(), 'both bids landed before the lot closes soon').toBeLessThan(end - WINDOW_S * 1000);

      // Both pages say it closes soon; Alice's bid inside the window extends it on every screen.
      await Promise.all([alice, bob].map((p) => lotPhase(p, 'closing_soon', OPEN_FOR_MS + 10_000)));
      await bidOnPage(alice, eur('120.00'));
      const extended = new Date(end + WINDOW_S * 1000).toISOString();
      await Promise.all(
        [alice, bob].map(async (p) => {
          await lotPhase(p, 'extended', WINDOW_S * 1000);
          await p.waitForSelector(`#countdown[data-ends-at="${extended}"][data-extended="true"]`, {
            state: 'attached',
          });
        }),
      );
      await bob.waitForSelector('#my-status[data-state="outbid"]');
      await screenshot(alice, 'timed-sale-extended-390');
      await screenshot(bob, 'timed-sale-extended-1280');
      // The staff's live view counts the extension (it refreshes by itself every few seconds).
      await expect.poll(() => liveCells(staff, LOT1).nth(6).textContent(), { timeout: 30_000 }).toBe('1');

      // The close: Alice won, Bob lost — on their lot pages, without a reload.
      for (const p of [alice, bob]) await lotStatus(p, 'sold', WINDOW_S * 3000 + 30_000);
      await alice.waitForSelector('#my-status[data-state="won"]');
      await bob.waitForSelector('#my-status[data-state="lost"]');
      for (const p of [alice, bob]) expect(await p.isDisabled('#bid-button')).toBe(true);
      await screenshot(alice, 'timed-sale-won-390');

      // Bob's room: lot 1 sold, lot 2 (nobody bid) unsold.
      await bob.goto(`${g.api}/bid#`);
      await bob.waitForSelector(`${card(LOT1)}.status-sold`);
      await bob.waitForSelector(`${card(LOT2)}.status-unsold`, { timeout: 20_000 });
      await screenshot(bob, 'timed-sale-room-1280');

      // Alice's My lots: the win with its invoice — hammer, premium, tax, total.
      await alice.goto(`${g.api}/bid#mine`);
      const won = `#mine:not([hidden]) [data-group="won"] li[data-lot="${LOT1}"] .invoice dd`;
      await alice.waitForSelector(won, { timeout: 20_000 });
      const invoice = await alice.$$eval(won, (dds) => dds.map((d) => d.textContent ?? ''));
      expect(invoice).toHaveLength(4);
      const [hammer = '', premium = '', tax = '', total = ''] = invoice;
      expect(hammer).toBe(eur('120.00'));
      expect(minor(premium)).toBeGreaterThan(0);
      expect(minor(total)).toBe(minor(hammer) + minor(premium) + minor(tax));
      await screenshot(alice, 'timed-sale-my-lots-390');

      // The staff: the live view shows the outcomes, the results page the invoice.
      await expect
        .poll(
          async () => [
            await liveCells(staff, LOT1).nth(1).textContent(),
            await liveCells(staff, LOT2).nth(1).textContent(),
          ],
          {
            timeout: 30_000,
          },
        )
        .toEqual(['sold', 'unsold']);
      await staff.goto(`${g.api}/admin/sales/${SALE}/results`);
      const rows = await staff.$$eval('table tbody tr', (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())),
      );
      expect(rows).toHaveLength(2);
      const [first, second] = rows as [string[], string[]];
      expect(first[0]).toBe('1');
      expect(first[1]).toBe('sold');
      expect(first[2]).toBe('120.00');
      expect(first.slice(4)).toEqual([premium, tax, total].map((m) => (minor(m) / 100).toFixed(2)));
      expect(second.slice(0, 2)).toEqual(['2', 'unsold']);
      await screenshot(staff, 'timed-sale-results-1280');
    } catch (err) {
      printLogs(bidders, ['alice', 'bob']);
      throw err;
    } finally {
      await staffContext?.close();
      await browser.close();
    }
  }, 240_000);
});
