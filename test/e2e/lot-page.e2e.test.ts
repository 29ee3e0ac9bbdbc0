import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, openSignedIn, screenshot, type SignedInPage } from '../support/clients.ts';
import { postWithKey } from '../support/gavel.ts';
import { adminCall, startEmbedded, type RunningEmbedded } from '../support/embedded.ts';

/**
 * The bidder's lot page in `npm start`'s process (docs/bidders.md): a timed sale made through the
 * admin API with a buyer's premium in bands, tax on the premium and published terms; a lot with three
 * photographs, a description and a condition report; a second lot that closes within the test.
 * Alice's phone shows the gallery (thumbnails, arrow keys, swipe), the premium and terms, and a
 * confirmation naming premium, tax and total; she stars lots, which are in "Watching" after a
 * reload; she wins the short lot and "My lots" shows it Won with the invoice.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
const SALE = 'e2e-lotpage';
const BIG = 'e2e-lotpage-1';
const SHORT = 'e2e-lotpage-2';
const ALTS = ['The vase from the front', 'The vase from above', 'The maker’s mark under the foot'];
const CONDITION = 'A hairline crack to the foot rim, 2 cm; otherwise good.';
/** The short lot closes this long after the sale starts: time for the page to load and bid. */
const SHORT_OPEN_MS = 50_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

const admin = (method: string, path: string, body?: unknown): Promise<void> =>
  adminCall(gavel!, method, path, body);

/** A photograph stand-in: a gradient and a disc in the lot's colours, as a 1600 × 1200 JPEG. */
async function photo(hue: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1200">
    <rect width="1600" height="1200" fill="hsl(${hue} 30% 85%)"/>
    <ellipse cx="800" cy="700" rx="260" ry="380" fill="hsl(${hue} 55% 40%)"/>
    <circle cx="800" cy="420" r="120" fill="hsl(${(hue + 40) % 360} 45% 60%)"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

async function upload(lot: string, hue: number, alt: string): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await photo(hue))], { type: 'image/jpeg' }), `${hue}.jpg`);
  form.append('alt', alt);
  const res = await fetch(`${gavel!.admin}/lots/${lot}/images`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${gavel!.adminToken}` },
    body: form,
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function demoToken(user: string): Promise<string> {
  const res = await fetch(`${gavel!.api}/v1/demo/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  gavel = await startEmbedded('lotpage-e2e', { LIFECYCLE_TICK_MS: '50' });
  const iso = (ms: number): string => new Date(ms).toISOString();
  const later = Date.now() + 3_600_000;
  await admin('POST', '/sales', {
    id: SALE,
    mode: 'timed',
    currency: 'EUR',
    title: 'Ceramics and glass',
    startsAt: iso(later),
    endsAt: iso(later + 3_600_000),
    // 25 % up to EUR 1,000, 20 % above; tax at 20 % on the premium.
    premiumBands: [
      { upTo: '1000.00', rateBp: 2500 },
      { upTo: null, rateBp: 2000 },
    ],
    taxRateBp: 2000,
    taxBase: 'premium',
  });
  await admin('POST', `/sales/${SALE}/lots`, {
    id: BIG,
    lotNumber: 1,
    title: 'A celadon vase, Song style',
    description: 'Of baluster form under an even sea-green glaze.\nHeight 32 cm.',
    conditionReport: CONDITION,
    opening: '10000.00',
    estimateLow: '12000.00',
    estimateHigh: '18000.00',
    increments: [{ from: '0.00', step: '500.00' }],
  });
  await admin('POST', `/sales/${SALE}/lots`, {
    id: SHORT,
    lotNumber: 2,
    title: 'A small glass bowl',
    opening: '100.00',
    increments: [{ from: '0.00', step: '10.00' }],
    graceMs: 0,
    softCloseSeconds: 0,
  });
  for (const [i, alt] of ALTS.entries()) await upload(BIG, 160 + i * 50, alt);
  await admin('POST', `/sales/${SALE}/publish`);
  await admin('POST', `/sales/${SALE}/terms`, { body: 'Conditions of sale: payment within 7 days.' });
  for (const bidderId of ['bidder-alice', 'bidder-bob']) {
    await admin('POST', `/sales/${SALE}/registrations`, { bidderId, approve: true, limit: '50000.00' });
    await admin('POST', `/sales/${SALE}/registrations/${bidderId}/terms`, { version: 1 });
  }
  // Now it starts: the short lot closes soon after, the big one an hour later.
  const now = Date.now();
  await admin('PATCH', `/lots/${SHORT}`, { endsAt: iso(now + SHORT_OPEN_MS) });
  await admin('PATCH', `/sales/${SALE}`, { startsAt: iso(now - 1000), endsAt: iso(now + 3_600_000) });
  // Alice bids on the short lot as soon as it opens (by the API: the pages come later); she wins it.
  const alice = await demoToken('bidder-alice');
  for (;;) {
    const bid = await postWithKey(`${gavel.api}/v1/auctions/${SHORT}/bids`, alice, { amount: '100.00' });
    if (bid.status === 201) break;
    expect(bid.body, 'the short lot opens').toMatchObject({ error: { code: 'NOT_STARTED' } });
    expect(Date.now()).toBeLessThan(now + 20_000);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

const text = (p: Page, selector: string): Promise<string> =>
  p.$eval(selector, (el) => (el as HTMLElement).innerText);
const shownAlt = (p: Page): Promise<string> => p.$eval('#lot-image', (i) => (i as HTMLImageElement).alt);

async function waitOpen(p: Page): Promise<void> {
  await p.waitForSelector('#bid-button:not([disabled])', { timeout: 20_000 });
}

/** Runs `fn` on a fresh phone signed in as Alice at `path`; prints the page's console when it fails. */
async function asAlice(path: string, fn: (p: Page) => Promise<void>, viewport = PHONE): Promise<void> {
  const alice: SignedInPage = await openSignedIn(browser!, gavel!.api, path, 'bidder-alice', viewport);
  try {
    await fn(alice.page);
  } catch (err) {
    console.error(alice.logs.join('\n'));
    throw err;
  } finally {
    await alice.context.close();
  }
}

describe('the lot page', () => {
  it('shows every image, the description, condition report, premium and terms', async () => {
    await asAlice(`/bid#lot=${BIG}`, async (p) => {
      await p.waitForSelector('#lot-thumbs:not([hidden]) button', { timeout: 15_000 });
      expect(await p.$$eval('#lot-thumbs button', (bs) => bs.length)).toBe(3);
      expect(await shownAlt(p)).toBe(ALTS[0]);
      expect(await text(p, '#lot-image-count')).toBe('Image 1 of 3');
      // A thumbnail shows its display size.
      await p.click('#lot-thumbs li:nth-child(2) button');
      expect(await shownAlt(p)).toBe(ALTS[1]);
      expect(await p.$eval('#lot-image', (i) => (i as HTMLImageElement).src)).toMatch(/-display\.webp$/);
      // Arrow keys step along the thumbnails, the pressed one follows.
      await p.keyboard.press('ArrowRight');
      expect(await shownAlt(p)).toBe(ALTS[2]);
      expect(await p.$eval('#lot-thumbs [aria-pressed="true"]', (b) => b.getAttribute('aria-label'))).toBe(
        `Image 3 of 3: ${ALTS[2]}`,
      );
      // A swipe to the left on the picture shows the next (around to the first).
      const box = (await p.$('#lot-image'))!;
      const r = (await box.boundingBox())!;
      await p.mouse.move(r.x + r.width * 0.8, r.y + r.height / 2);
      await p.mouse.down();
      await p.mouse.move(r.x + r.width * 0.2, r.y + r.height / 2, { steps: 5 });
      await p.mouse.up();
      expect(await shownAlt(p)).toBe(ALTS[0]);
      await p.click('#lot-thumbs li:nth-child(2) button');

      expect(await text(p, '#lot-description')).toContain('Of baluster form');
      expect(await text(p, '#lot-estimate')).toBe('Estimate EUR 12,000.00 – EUR 18,000.00');
      await p.click('#lot-condition summary');
      expect(await text(p, '#lot-condition-text')).toBe(CONDITION);
      expect(await text(p, '#lot-terms')).toContain(
        'Buyer’s premium 25 % up to EUR 1,000.00, 20 % above + tax 20 % on the premium.',
      );
      expect(await p.getAttribute('#lot-terms a', 'href')).toBe(`/account/sales/${SALE}/register`);
      await waitOpen(p);
      await expectAccessible(p, 'the lot page with its gallery at 390 px');
      await screenshot(p, 'lot-page-390');
    });
  }, 90_000);

  it('confirms a bid with the premium, the tax and the total it commits to', async () => {
    await asAlice(`/bid#lot=${BIG}`, async (p) => {
      await p.waitForSelector('#lot-thumbs:not([hidden]) button', { timeout: 15_000 });
      await p.click('#lot-thumbs li:nth-child(2) button');
      await waitOpen(p);
      await p.click('#bid-button');
      await p.waitForSelector('#confirm[open]');
      expect(await text(p, '#confirm-text')).toBe(
        'Bid EUR 10,000.00 on lot 1, A celadon vase, Song style? This is a binding bid.',
      );
      // 25 % of 1,000 + 20 % of 9,000 = 2,050; tax 20 % of that = 410; the invoice's own rules.
      const rows = await p.$$eval('#confirm-sum dl > div', (ds) =>
        ds.map((d) => (d as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
      );
      expect(rows).toEqual([
        'Bid (hammer) EUR 10,000.00',
        'Buyer’s premium EUR 2,050.00',
        'Tax EUR 410.00',
        'Total if you win EUR 12,460.00',
      ]);
      await expectAccessible(p, 'the bid confirmation');
      await screenshot(p, 'lot-page-confirm-390');
      await p.click('#confirm-yes');
      await p.waitForSelector('#message[data-code="ACCEPTED"]');
      // The live update re-rendered the page; the gallery kept the image the bidder chose.
      await p.waitForSelector('#my-status[data-state="leading"]');
      expect(await shownAlt(p)).toBe(ALTS[1]);
    });
  }, 60_000);

  it('stars lots from the lot page and a card: they are in Watching after a reload', async () => {
    await asAlice(`/bid#lot=${BIG}`, async (p) => {
      await p.waitForSelector('#lot-thumbs:not([hidden]) button', { timeout: 15_000 });
      await p.click('#lot-watch');
      await p.waitForSelector('#lot-watch[aria-pressed="true"]');
      await p.goto(`${gavel!.api}/bid#`);
      await p.waitForSelector('#conn[data-state="live"]');
      await p.click(`#sales [data-watch="${SHORT}"]`);
      await p.waitForSelector(`#sales [data-watch="${SHORT}"][aria-pressed="true"]`);
      // The room redrew its cards; the star keeps the focus (a keyboard user stays where they were).
      expect(await p.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.watch)).toBe(
        SHORT,
      );
      await p.reload();
      await p.waitForSelector('#conn[data-state="live"]');
      await p.waitForSelector('#watching:not([hidden])');
      const watched = await p.$$eval('#watching-lots .lot-card-link', (as) =>
        as.map((a) => a.getAttribute('data-lot')),
      );
      expect(watched).toEqual([BIG, SHORT]);
      await expectAccessible(p, 'the sale room with its Watching section');
      await screenshot(p, 'lot-page-watching-390');
      // Unstarring takes it out again.
      await p.click(`#watching-lots [data-watch="${SHORT}"]`);
      await p.waitForFunction(
        (id) => document.querySelector(`#watching-lots [data-lot="${id}"]`) === null,
        SHORT,
      );
      await p.click(`#sales [data-watch="${SHORT}"]`);
      await p.waitForSelector(`#watching-lots [data-lot="${SHORT}"]`);
    });
  }, 60_000);

  it('shows My lots: outbid, then the short lot Won with the invoice and what happens next', async () => {
    await asAlice(`/bid#lot=${BIG}`, async (p) => {
      const bob = await demoToken('bidder-bob');
      // Bob outbids Alice on the vase.
      const over = await postWithKey(`${gavel!.api}/v1/auctions/${BIG}/bids`, bob, { amount: '10500.00' });
      expect(over.status).toBe(201);
      await p.waitForSelector('#my-status[data-state="outbid"]');
      await p.goto(`${gavel!.api}/bid#mine`);
      await p.waitForSelector('#mine:not([hidden]) [data-group="outbid"]', { timeout: 15_000 });
      expect(
        await p.$$eval('[data-group="outbid"] [data-lot]', (ls) => ls.map((l) => l.getAttribute('data-lot'))),
      ).toEqual([BIG]);
      // The short lot closes; the back office's result comes on Alice's own topic.
      await p.waitForSelector(`[data-group="won"] [data-lot="${SHORT}"] .invoice`, {
        timeout: SHORT_OPEN_MS + 30_000,
      });
      const invoice = await p.$$eval(`[data-group="won"] [data-lot="${SHORT}"] dl > div`, (ds) =>
        ds.map((d) => (d as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
      );
      expect(invoice).toEqual([
        'Hammer EUR 100.00',
        'Buyer’s premium EUR 25.00',
        'Tax EUR 5.00',
        'Total due EUR 130.00',
      ]);
      expect(await text(p, `[data-group="won"] [data-lot="${SHORT}"]`)).toContain('What happens next');
      await expectAccessible(p, 'My lots at 390 px');
      await screenshot(p, 'lot-page-my-lots-390');

      // The same after a reload, and on a desktop.
      const desk = await openSignedIn(browser!, gavel!.api, '/bid#mine', 'bidder-alice', DESKTOP);
      await desk.page.waitForSelector(`[data-group="won"] [data-lot="${SHORT}"] .invoice`, {
        timeout: 15_000,
      });
      expect(await text(desk.page, `[data-group="won"] [data-lot="${SHORT}"] .invoice`)).toContain(
        'EUR 130.00',
      );
      await expectAccessible(desk.page, 'My lots at 1280 px');
      await screenshot(desk.page, 'lot-page-my-lots-1280');
      await desk.page.goto(`${gavel!.api}/bid#lot=${BIG}`);
      await desk.page.waitForSelector('#lot-thumbs:not([hidden]) button');
      await expectAccessible(desk.page, 'the lot page at 1280 px');
      await screenshot(desk.page, 'lot-page-1280');
      await desk.context.close();
    });
  }, 150_000);
});
