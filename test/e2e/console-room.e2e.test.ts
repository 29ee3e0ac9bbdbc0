import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { DEMO_BIDDERS, type RunningGateway } from '../../gateway/index.ts';
import { postBid } from '../support/gavel.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, openSignedIn, screenshot, startDemoGavel } from '../support/clients.ts';

/**
 * The console's room (issue #13) in Chromium on the seeded demo's live sale (lot live-1, opening
 * EUR 10,000, reserve EUR 15,000): the count of online bidders moving as a bidder's page opens and closes, a message
 * from the console reaching a second (bidder) context's EventSource through the hub, the internet
 * leader's paddle, and the missed-bid warning when an internet bid arrives just after the hammer.
 * The demo registers its bidders with online paddles 1000, 1001, 1002.
 */
let g: RunningGateway;
let browser: Browser;

beforeAll(async () => {
  g = await startDemoGavel();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await g?.close();
});

const SALE_TOPIC = 'https://gavel.local/sales/evening-live';
const text = async (p: Page, sel: string): Promise<string> => ((await p.textContent(sel)) ?? '').trim();
const textIs = (p: Page, sel: string, want: string | RegExp): Promise<unknown> =>
  p.waitForFunction(
    ([s, w, isRe]) => {
      const t = document.querySelector(s)?.textContent?.trim() ?? '';
      return isRe ? new RegExp(w).test(t) : t === w;
    },
    [sel, want instanceof RegExp ? want.source : want, want instanceof RegExp] as const,
    { timeout: 15_000 },
  );

/** Neither sideways nor downwards: the console fits the tablet's screen. */
const scrolls = (p: Page): Promise<{ x: number; y: number }> =>
  p.evaluate(() => ({
    x: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    y: document.documentElement.scrollHeight - document.documentElement.clientHeight,
  }));

describe("the console's room", () => {
  it('counts bidders online, messages them, names the internet paddle and warns of a missed bid', async () => {
    const floor = await openSignedIn(browser, g.url, '/floor', 'demo-auctioneer', {
      width: 1024,
      height: 768,
    });
    const p = floor.page;
    let bidder: Awaited<ReturnType<typeof openSignedIn>> | undefined;
    try {
      await p.waitForFunction(
        () => document.getElementById('lot-title')?.textContent === 'Blue Interior, 1962',
      );
      // The console itself is staff: nobody online yet.
      await textIs(p, '#audience', '0 online');

      // A bidder opens the sale room on their phone: the count follows within a few seconds.
      bidder = await openSignedIn(browser, g.url, '/bid', DEMO_BIDDERS[0].id, { width: 390, height: 844 });
      const b = bidder.page;
      await textIs(p, '#audience', '1 online');
      // A second EventSource of the same bidder (the bidder page is someone else's: the test listens itself).
      await b.evaluate((topic) => {
        const w = window as unknown as { saleMessages: string[]; es: EventSource };
        w.saleMessages = [];
        w.es = new EventSource(`/.well-known/mercure?topic=${encodeURIComponent(topic)}`);
        w.es.addEventListener('sale.message', (e) => w.saleMessages.push((e as MessageEvent<string>).data));
        return new Promise<void>((resolve) => (w.es.onopen = () => resolve()));
      }, SALE_TOPIC);
      // Counted once however many pages and connections.
      await textIs(p, '#audience', '1 online');
      expect(await p.getAttribute('#audience', 'title')).toMatch(
        /^1 bidder signed in.*; [2-9] connections in all$/,
      );

      // A quick message from the console reaches the bidder's EventSource through the hub.
      await p.click('#quick-messages button:has-text("Pausing briefly")');
      await textIs(p, '#last-message', /^Last sent \d\d:\d\d: Pausing briefly$/);
      const received = async (
        n: number,
      ): Promise<{ text: string; saleId: string; lotId: string | null }[]> => {
        await b.waitForFunction(
          (count) => (window as unknown as { saleMessages: string[] }).saleMessages.length >= count,
          n,
          { timeout: 15_000 },
        );
        return (await b.evaluate(() => (window as unknown as { saleMessages: string[] }).saleMessages)).map(
          (d) => JSON.parse(d) as { text: string; saleId: string; lotId: string | null },
        );
      };
      expect((await received(1))[0]).toMatchObject({
        text: 'Pausing briefly',
        saleId: 'evening-live',
        lotId: 'live-1',
      });

      // Free text, with its counter; Send waits for text.
      expect(await p.isDisabled('#send-message')).toBe(true);
      await p.fill('#message-text', 'Telephone bids welcome on this lot');
      expect(await text(p, '#message-count')).toBe('34 / 280');
      await p.click('#send-message');
      await textIs(p, '#last-message', /Telephone bids welcome on this lot$/);
      expect((await received(2))[1]?.text).toBe('Telephone bids welcome on this lot');
      expect(await p.inputValue('#message-text')).toBe('');

      // An internet bidder leads: the clerk sees their paddle; the bidder's own page never does.
      await p.click('#open-lot');
      await p.waitForSelector('#lot-status[data-status="open"]', { timeout: 15_000 });
      const alice = await g.tokens.sign({ id: DEMO_BIDDERS[0].id, role: 'bidder', name: 'Alice' });
      const bid = await postBid(g.url, 'live-1', alice, { amount: '15000.00' }, randomUUID());
      expect(bid.status, JSON.stringify(bid.body)).toBe(201);
      await textIs(p, '#leader-paddle', 'Internet bidder · paddle 1000');
      await textIs(p, '#hammer', 'Hammer — sold to paddle 1000 for EUR 15,000.00');
      expect(await b.locator('body').textContent()).not.toContain('paddle 1000');

      // The hammer falls; a second internet bid arrives just after it: the console warns, staff only.
      await p.click('#hammer');
      await p.waitForSelector('#lot-status[data-status="sold"]', { timeout: 15_000 });
      const bob = await g.tokens.sign({ id: DEMO_BIDDERS[1].id, role: 'bidder', name: 'Bob' });
      const late = await postBid(g.url, 'live-1', bob, { amount: '16000.00' }, randomUUID());
      expect(late.body.error?.code).toBe('CLOSED');
      await p.waitForSelector('#missed-bid:not([hidden])', { timeout: 15_000 });
      expect(await text(p, '#missed-bid-text')).toMatch(
        /^Missed bid: EUR 16,000\.00 from paddle 1001 arrived \d\.\d s after the hammer$/,
      );
      expect(await b.locator('body').textContent()).not.toContain('Missed bid');
      // The auctioneer may reopen the lot: Undo says what it would undo.
      expect(await text(p, '#undo')).toBe('Undo hammer');

      expect(await scrolls(p)).toEqual({ x: 0, y: 0 });
      await expectAccessible(p, '/floor (room)');
      await screenshot(p, 'console-room-1024');
      await p.click('#missed-bid-dismiss');
      expect(await p.isHidden('#missed-bid')).toBe(true);

      // The bidder leaves: the count follows.
      await bidder.context.close();
      bidder = undefined;
      await textIs(p, '#audience', '0 online');
    } catch (err) {
      throw new Error(`${String(err)}\n${floor.logs.join('\n')}\n${bidder?.logs.join('\n') ?? ''}`, {
        cause: err,
      });
    } finally {
      await bidder?.context.close();
      await floor.context.close();
    }
  }, 120_000);

  it('shows the last message to a bidder whose page opens after it was sent', async () => {
    const bidder = await openSignedIn(browser, g.url, '/bid', DEMO_BIDDERS[1].id, {
      width: 390,
      height: 844,
    });
    try {
      await textIs(bidder.page, '#sale-message-text', /Telephone bids welcome on this lot/);
    } finally {
      await bidder.context.close();
    }
  }, 60_000);

  it('shows the last message to a console that opens later, and fits 1280 × 800 without scrolling', async () => {
    const floor = await openSignedIn(browser, g.url, '/floor', 'demo-auctioneer', {
      width: 1280,
      height: 800,
    });
    try {
      await textIs(floor.page, '#last-message', /Telephone bids welcome on this lot$/);
      expect(await scrolls(floor.page)).toEqual({ x: 0, y: 0 });
      await screenshot(floor.page, 'console-room-1280');
    } finally {
      await floor.context.close();
    }
  }, 60_000);
});
