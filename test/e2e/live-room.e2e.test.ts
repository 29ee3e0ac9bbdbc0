/**
 * The bidder's live sale room in Chromium, with the floor console running the demo's live sale:
 * auto-follow to the next lot, the fair-warning banner, the hold message, the auctioneer's message
 * (published to the hub as the server does), the results so far, a 10-second network cut shown as
 * "not live", seven-figure prices on a phone, and a refused session offering sign-in.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { localPublisher } from '../../hub/index.ts';
import type { RunningGateway } from '../../gateway/index.ts';
import { SALE_MESSAGE_EVENT, type SaleMessage } from '../../common/contracts/index.ts';
import { expectAccessible } from '../support/axe.ts';
import {
  launchChromium,
  openSignedIn,
  screenshot,
  startDemoGavel,
  trackHubStreams,
  type SignedInPage,
} from '../support/clients.ts';

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 1024, height: 768 };
/** How long the bidder's network stays cut. */
const CUT_MS = 10_000;

const text = async (p: Page, selector: string): Promise<string> => (await p.textContent(selector)) ?? '';

/** A floor button, then the console's answer (its trace records each decision it made). */
async function floorAction(floor: Page, run: () => Promise<void>): Promise<void> {
  const before = await floor.evaluate(() => window.gavelTrace.decisions.length);
  await run();
  await floor.waitForFunction((n) => window.gavelTrace.decisions.length > n, before, { timeout: 10_000 });
  expect(await floor.getAttribute('#message', 'data-level')).not.toBe('error');
}

async function floorBid(floor: Page, paddle: string, asking?: string): Promise<void> {
  if (asking !== undefined) {
    await floor.fill('#asking-input', asking);
    await floorAction(floor, () => floor.click('#set-asking'));
  }
  await floor.fill('#paddle', paddle);
  await floorAction(floor, () => floor.click('#floor-bid'));
}

/** Whether an element's text fits its box (nothing clipped or scrolled). */
const fits = (p: Page, selector: string): Promise<boolean> =>
  p.$eval(selector, (el) => el.scrollWidth <= el.clientWidth + 1);

describe("the bidder's live sale room in Chromium", () => {
  let g: RunningGateway;
  let browser: Browser;
  let streams: ReturnType<typeof trackHubStreams>;
  let saleTopic: string;

  /** Publishes the auctioneer's message on the sale's topic, as the server does. */
  const publishMessage = async (m: SaleMessage): Promise<void> => {
    await localPublisher(g.hub!).publish({
      topics: [saleTopic],
      data: JSON.stringify(m),
      type: SALE_MESSAGE_EVENT,
    });
  };
  const message = (text: string): SaleMessage => ({
    id: randomUUID(),
    saleId: 'evening-live',
    lotId: null,
    text,
    sentAt: new Date().toISOString(),
  });

  beforeAll(async () => {
    g = await startDemoGavel();
    streams = trackHubStreams(g.server);
    browser = await launchChromium();
    const snap = (await (await fetch(`${g.url}/v1/auctions/live-1`)).json()) as { hub: { topics: string[] } };
    saleTopic = snap.hub.topics[1] ?? '';
    expect(saleTopic).toMatch(/\/sales\/evening-live$/);
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  it('follows the sale through a live lot: messages, the call, results, auto-follow, a cut, seven figures', async () => {
    const floor = await openSignedIn(browser, g.url, '/floor', 'demo-auctioneer', TABLET);
    const alice = await openSignedIn(browser, g.url, '/bid#lot=live-1', 'bidder-alice', PHONE);
    const bob = await openSignedIn(browser, g.url, '/bid#lot=live-1', 'bidder-bob', TABLET);
    const all: SignedInPage[] = [floor, alice, bob];
    try {
      const a = alice.page;
      // Vibration is recorded (headless Chromium has no motor to ask).
      await a.evaluate(() => {
        const w = window as unknown as { buzzes: unknown[] };
        w.buzzes = [];
        Object.defineProperty(navigator, 'vibrate', {
          value: (pattern: unknown) => (w.buzzes.push(pattern), true),
        });
      });
      await a.waitForSelector('#live-strip:not([hidden])');
      expect(await a.isChecked('#auto-follow')).toBe(true);
      expect(await text(a, '#lot-results-list')).toBe('No lot has been sold or passed yet.');

      // Bob turns auto-follow off; it is kept across a reload.
      await bob.page.uncheck('#auto-follow');
      await bob.page.reload();
      await bob.page.waitForSelector('#conn[data-state="live"]');
      expect(await bob.page.isChecked('#auto-follow')).toBe(false);

      await floorAction(floor.page, () => floor.page.click('#open-lot'));
      await a.waitForSelector('#bid-button:not([disabled])');

      // The auctioneer's message: shown on every bidder's page, once per id, until dismissed.
      const first = message('Welcome to the evening sale — bidding opens on lot 1.');
      await publishMessage(first);
      for (const p of [a, bob.page])
        await p.waitForFunction(
          (t) => document.getElementById('sale-message-text')?.textContent === `Auctioneer: ${t}`,
          first.text,
        );
      expect(await a.getAttribute('#sale-message-text', 'aria-live')).toBe('polite');
      await expectAccessible(a, 'bidder lot page with a message (390 px)');
      await a.click('#sale-message-dismiss');
      await a.waitForSelector('#sale-message[data-shown="false"]', { state: 'attached' });
      // The same message again (a replay), then a new one: only the new one shows.
      await publishMessage(first);
      const second = message('Lot 1 has a condition report: ask the clerk.');
      await publishMessage(second);
      await a.waitForFunction(
        (t) => document.getElementById('sale-message-text')?.textContent === `Auctioneer: ${t}`,
        second.text,
      );
      await a.click('#sale-message-dismiss');

      // Hold with the auctioneer's message, then resume.
      await floor.page.fill('#hold-message', 'Telephone line check');
      await floorAction(floor.page, () => floor.page.click('#hold'));
      await a.waitForSelector('#call-banner[data-call="on_hold"]');
      expect(await text(a, '#call-banner')).toBe('On hold — Telephone line check');
      await floorAction(floor.page, () => floor.page.click('#resume-from-hold'));
      await a.waitForSelector('#call-banner[data-call="none"]', { state: 'attached' });

      // Fair warning: a banner said at once, and one vibration.
      await floorBid(floor.page, '112', '15000.00');
      await floorAction(floor.page, () => floor.page.click('#fair-warning'));
      for (const p of [a, bob.page]) await p.waitForSelector('#call-banner[data-call="fair_warning"]');
      expect(await text(a, '#call-banner')).toBe('Fair warning — the hammer is about to fall');
      expect(await a.getAttribute('#call-banner', 'aria-live')).toBe('assertive');
      expect(await a.evaluate(() => (window as unknown as { buzzes: unknown[] }).buzzes.length)).toBe(1);
      await screenshot(a, 'live-room-fair-warning-390');
      await expectAccessible(a, 'bidder lot page in fair warning (390 px)');

      // The hammer: the result on the banner and in the results so far.
      await floorAction(floor.page, () => floor.page.click('#hammer'));
      for (const p of [a, bob.page]) await p.waitForSelector('#lot-results-list [data-lot="live-1"]');
      expect(await text(a, '#lot-results-list [data-lot="live-1"] .result-outcome')).toBe(
        'Sold EUR 15,000.00',
      );
      expect(await text(a, '#lot-results-list [data-lot="live-1"] .result-title')).toBe(
        'Blue Interior, 1962',
      );
      expect(await text(a, '#call-banner')).toBe('Sold for EUR 15,000.00');

      // Next lot: Alice is taken there; Bob (auto-follow off) stays, and is offered it.
      await floorAction(floor.page, () => floor.page.click('#next-lot'));
      await a.waitForFunction(() => location.hash === '#lot=live-2', undefined, { timeout: 5_000 });
      await a.waitForFunction(
        () => document.getElementById('lot-title')?.textContent === 'Bronze Figure, Reclining',
      );
      await bob.page.waitForSelector('#follow-offer a[data-lot="live-2"]');
      expect(await text(bob.page, '#follow-offer')).toBe('Lot 2 is now on the block — go');
      expect(await bob.page.evaluate(() => location.hash)).toBe('#lot=live-1');
      expect(await text(bob.page, '#lot-title')).toBe('Blue Interior, 1962');
      await screenshot(bob.page, 'live-room-offer-1024');
      await expectAccessible(bob.page, 'bidder lot page with the next-lot offer (1024 px)');
      // The results so far follow onto the new lot's page.
      expect(await text(a, '#lot-results-list [data-lot="live-1"] .result-outcome')).toBe(
        'Sold EUR 15,000.00',
      );

      // Alice leads lot 2, then loses her network for 10 s while the room bids.
      await a.waitForSelector('#bid-button:not([disabled])');
      await a.click('#bid-button');
      await a.waitForSelector('#my-status[data-state="leading"]');
      await alice.context.setOffline(true);
      streams.cut('bidder-alice');
      await a.waitForSelector('#conn:not([data-state="live"])');
      await a.waitForSelector('#price-box[data-stale="true"]');
      expect(await text(a, '#live-mark')).toMatch(/^· Not live/);
      expect(await a.isDisabled('#bid-button')).toBe(true);
      expect(await text(a, '#bid-button')).toBe('Waiting for connection…');
      expect(await a.getAttribute('#my-status', 'data-stale')).toBe('true');
      expect(await text(a, '#my-status')).not.toContain('You lead');
      const green = 'rgb(30, 123, 52)';
      expect(await a.$eval('#my-status', (el) => getComputedStyle(el).color)).not.toBe(green);
      // The header and its pill stay in view when the page is scrolled.
      await a.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const pill = await a.$eval('#conn', (el) => el.getBoundingClientRect().top);
      expect(pill).toBeGreaterThanOrEqual(0);
      expect(pill).toBeLessThan(60);
      await a.evaluate(() => window.scrollTo(0, 0));
      await screenshot(a, 'live-room-not-live-390');
      await expectAccessible(a, 'bidder lot page while not live (390 px)');
      await floorBid(floor.page, '7');
      const cutAt = Date.now();
      // What the cut hid: Alice still shows her lead at the old price.
      expect(await text(a, '#price')).toBe('EUR 2,500.00');
      await a.waitForTimeout(Math.max(0, CUT_MS - (Date.now() - cutAt)));
      await alice.context.setOffline(false);
      await a.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });
      await a.waitForSelector('#price-box[data-stale="false"]');
      await a.waitForSelector('#my-status[data-state="outbid"]', { timeout: 5_000 });
      await a.waitForSelector('#bid-button:not([disabled])');
      expect(await text(a, '#price')).toBe(await text(floor.page, '#price'));
      expect(await text(a, '#live-mark')).toBe('');

      // Seven figures fit a 390 px phone: price, leader and the Bid button.
      await floorBid(floor.page, '9', '1250000.00');
      await a.waitForFunction(() => document.getElementById('price')?.textContent === 'EUR 1,250,000.00');
      expect(await fits(a, '#price')).toBe(true);
      expect(await fits(a, '#bid-button')).toBe(true);
      await bob.page.click('#follow-offer a');
      await bob.page.waitForFunction(
        () => document.getElementById('price')?.textContent === 'EUR 1,250,000.00',
      );
      expect(await fits(bob.page, '#price')).toBe(true);
      await screenshot(a, 'live-room-seven-figures-390');
      await screenshot(bob.page, 'live-room-seven-figures-1024');

      // The sale room lists the results of the live sale too.
      await a.goto(`${g.url}/bid#`);
      await a.waitForSelector('#room:not([hidden]) .results [data-lot="live-1"]');
      expect(await text(a, '.results [data-lot="live-1"] .result-outcome')).toBe('Sold EUR 15,000.00');
      // The seven-figure price fits its lot card too.
      expect(await text(a, '.lot-card-link[data-lot="live-2"] .lot-price')).toBe('EUR 1,250,000.00');
      expect(await fits(a, '.lot-card-link[data-lot="live-2"]')).toBe(true);
      await screenshot(a, 'live-room-sale-room-390');
      await expectAccessible(a, 'bidder sale room (390 px)');
    } catch (err) {
      for (const [i, s] of all.entries()) console.log(['floor', 'alice', 'bob'][i], s.logs.join('\n'));
      throw err;
    } finally {
      await Promise.all(all.map((s) => s.context.close()));
    }
  }, 180_000);

  it('a session the gateway refuses offers sign-in instead of "Connecting…" for ever', async () => {
    const carol = await openSignedIn(browser, g.url, '/bid#lot=live-2', 'bidder-carol', PHONE);
    try {
      // The stored token's signature no longer matches (as after a key rotation or a revoked token).
      await carol.page.evaluate(() => {
        const raw = sessionStorage.getItem('gavel.bid') ?? '{}';
        const s = JSON.parse(raw) as { token: string };
        const [h, p] = s.token.split('.');
        s.token = `${h}.${p}.${'A'.repeat(43)}`;
        sessionStorage.setItem('gavel.bid', JSON.stringify(s));
      });
      await carol.page.reload();
      await carol.page.waitForSelector('#conn[data-state="signed_out"]', { timeout: 10_000 });
      expect(await text(carol.page, '#conn')).toBe('Signed out');
      expect(await carol.page.getAttribute('#sign-in-again', 'href')).toBe(
        `/sign-in?next=${encodeURIComponent('/bid#lot=live-2')}`,
      );
      expect(await carol.page.isVisible('#sign-in-again')).toBe(true);
      expect(await text(carol.page, '#session-ended')).toContain('Your session has ended');
      await screenshot(carol.page, 'live-room-signed-out-390');
      await expectAccessible(carol.page, 'bidder page with a refused session (390 px)');
    } catch (err) {
      console.log('carol', carol.logs.join('\n'));
      throw err;
    } finally {
      await carol.context.close();
    }
  }, 60_000);
});
