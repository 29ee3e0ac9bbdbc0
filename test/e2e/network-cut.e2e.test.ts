/**
 * A real network cut between Chromium and Gavel: the page is served through a stoppable TCP proxy
 * (test/support/tcp-proxy.ts), the only way the browser reaches the gateway and its hub (the page's
 * origin is the proxy's, PUBLIC_ORIGIN says so). Stopping it destroys the live sockets — the hub's
 * stream among them — and refuses new ones, as a lost network would. While cut the bidder's page
 * says it is not live and will not bid; other bidders bid meanwhile through the gateway directly;
 * once the proxy lets connections through again the page catches up, with no stale "You lead".
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { withCurrency } from '../../clients/src/money.ts';
import { seedDemo, type RunningGateway } from '../../gateway/index.ts';
import { launchChromium, openSignedIn, screenshot, type SignedInPage } from '../support/clients.ts';
import { bidOnPage, demoToken, PHONE, price, printLogs, textOf } from '../support/e2e-pages.ts';
import { postBid, startTestGavel } from '../support/gavel.ts';
import { startProxy, type StoppableProxy } from '../support/tcp-proxy.ts';

const LOT = 'timed-1';

interface Standing {
  price: string;
  asking: string;
  bidCount: number;
}

describe('a network cut between the bidder’s browser and Gavel', () => {
  let proxy: StoppableProxy;
  let g: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    // The proxy first: its origin is the public one the gateway tells the pages (the hub's URL included).
    proxy = await startProxy();
    g = await startTestGavel({ demo: true, publicOrigin: proxy.url });
    await seedDemo(g.store!);
    proxy.pointAt(Number(new URL(g.url).port));
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await g?.close();
  });

  /** The lot as the gateway has it, asked directly (not through the proxy). */
  const standing = async (): Promise<Standing> => {
    const res = await fetch(`${g.url}/v1/auctions/${LOT}`);
    const body = (await res.json()) as { auction: { price: string; asking: string; bidCount: number } };
    return { price: body.auction.price, asking: body.auction.asking, bidCount: body.auction.bidCount };
  };
  /** As the page shows an amount (Chromium's default locale, en-US). */
  const euros = (amount: string): string => withCurrency(amount, 'EUR', 'en-US');

  it('shows "not live" while cut, refuses to bid, then catches up with the bids placed meanwhile', async () => {
    let alice: SignedInPage | undefined;
    try {
      alice = await openSignedIn(browser, proxy.url, `/bid#lot=${LOT}`, 'bidder-alice', PHONE);
      const a = alice.page;
      // The hub's stream comes through the proxy too (else the cut would not reach it).
      const hub = await fetch(`${g.url}/v1/hub-token`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${await demoToken(g.url, 'bidder-alice')}` },
      });
      const { hubUrl } = (await hub.json()) as { hubUrl: string };
      expect(new URL(hubUrl).origin).toBe(proxy.url);

      // Alice leads.
      const before = await standing();
      await bidOnPage(a, euros(before.asking));
      await a.waitForSelector('#my-status[data-state="leading"]');

      // The cut: every socket through the proxy dies, and new ones are refused.
      proxy.stop();
      await a.waitForSelector('#conn[data-state="reconnecting"]', { timeout: 20_000 });
      await a.waitForSelector('#price-box[data-stale="true"]');
      expect(await textOf(a, 'live-mark')).toContain('Not live — reconnecting');
      expect(await a.isDisabled('#bid-button')).toBe(true);
      expect(await a.getAttribute('#my-status', 'data-stale')).toBe('true');
      expect(await textOf(a, 'my-status')).not.toContain('You lead');

      // Meanwhile Bob and Carol bid, through the gateway directly.
      const led = await standing();
      for (const user of ['bidder-bob', 'bidder-carol']) {
        const asking = (await standing()).asking;
        const res = await postBid(g.url, LOT, await demoToken(g.url, user), { amount: asking }, randomUUID());
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
      const after = await standing();
      expect(after.bidCount).toBe(led.bidCount + 2);
      // The page is still cut (it tried to reconnect and was refused): it shows the old price.
      await expect.poll(() => proxy.refused, { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await textOf(a, 'price')).toBe(euros(led.price));
      expect(await a.isDisabled('#bid-button')).toBe(true);
      await screenshot(a, 'network-cut-not-live-390');

      // The network comes back: the page reconnects by itself and shows what it missed.
      proxy.resume();
      await a.waitForSelector('#conn[data-state="live"]', { timeout: 30_000 });
      await a.waitForSelector('#price-box[data-stale="false"]');
      await price(a, euros(after.price), 10_000);
      await a.waitForSelector('#my-status[data-state="outbid"]', { timeout: 10_000 });
      expect(await textOf(a, 'my-status')).not.toContain('You lead');
      expect(await textOf(a, 'live-mark')).toBe('');
      await a.waitForSelector('#bid-button:not([disabled])');
      expect(await textOf(a, 'bid-button')).toContain(euros(after.asking));
      await screenshot(a, 'network-cut-caught-up-390');
    } catch (err) {
      printLogs([alice], ['alice']);
      throw err;
    } finally {
      await alice?.context.close();
    }
  }, 120_000);
});
