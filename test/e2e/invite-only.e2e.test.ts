import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { adminBuilders } from '../support/builders.ts';
import { launchChromium, openSignedIn, screenshot } from '../support/clients.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';
import { postWithKey } from '../support/gavel.ts';
import { connectSse, type SseConnection } from '../support/sse-client.ts';

/**
 * An invite-only sale on `npm start`: staff (the admin API) make a closed-door live sale and invite
 * an address; the invitee follows the link from the local outbox (/dev/mail), signs up on the
 * landing page and lands on the sale, whose updates reach their page live. An uninvited bidder and
 * an anonymous visitor find it in no page, API, catalogue or hub stream; the floor (staff) does.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
/** The invitee's browser, signed in by the invitation, kept open on the sale. */
let iris: { context: BrowserContext; page: Page } | undefined;
let api: string;
const SALE = 'private-view';
const LOT = 'pv-1';
const TITLE = 'The Private View';
const LOT_TITLE = 'A small study in ochre';
const TOPIC_BASE = 'https://gavel.local';

beforeAll(async () => {
  gavel = await startEmbedded('invite-only');
  api = gavel.api;
  const ok = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${gavel!.admin}${path}`, {
      method,
      headers: { Authorization: `Bearer ${gavel!.adminToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  await adminBuilders(ok).setUp({
    sale: { id: SALE, mode: 'live', title: TITLE, visibility: 'invite_only' },
    lots: [
      { id: LOT, title: LOT_TITLE, opening: '1000.00', estimateLow: '1500.00', estimateHigh: '2500.00' },
    ],
    publish: true,
  });
  // Staff invite the address (the admin API; the panel calls the same).
  const invited = await ok('POST', `/sales/${SALE}/invitations`, { emails: ['Iris@Example.com'] });
  expect(invited.sent).toEqual(['Iris@Example.com']);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await iris?.context.close();
  await browser?.close();
  await gavel?.stop();
});

/** A demo user's API token (the demo sign-in, from this machine). */
async function demoToken(user: string): Promise<string> {
  const res = await fetch(`${api}/v1/demo/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

const get = (path: string, token?: string): Promise<Response> =>
  fetch(`${api}${path}`, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });

/** A hub subscriber (with the hub token the gateway gives `bearer`, none when anonymous) to `topics`. */
async function hubFeed(bearer: string | undefined, topics: string[]): Promise<SseConnection> {
  let token: string | undefined;
  if (bearer !== undefined) {
    const res = await fetch(`${api}/v1/hub-token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}` },
    });
    token = ((await res.json()) as { token: string }).token;
  }
  const q = new URLSearchParams();
  for (const t of topics) q.append('topic', t);
  const feed = await connectSse(`${api}/.well-known/mercure?${q.toString()}`, {
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  expect(feed.status).toBe(200);
  return feed;
}

/** The events of `feed` up to the first that satisfies `marker` (which must come). */
async function eventsBefore(
  feed: SseConnection,
  marker: (e: { event?: string; data: string }) => boolean,
): Promise<{ event?: string; data: string }[]> {
  for (let count = 1; ; count++) {
    const events = await feed.waitFor(count, 20_000);
    const at = events.findIndex(marker);
    if (at >= 0) return events.slice(0, at);
  }
}

const aboutLot = (e: { event?: string; data: string }): boolean => e.data.includes(`"${LOT}"`);
const textOf = (page: Page): Promise<string> => page.evaluate(() => document.body.innerText);

describe('an invite-only sale (embedded default)', () => {
  let irisToken = '';

  it('takes the invitee from the emailed link through sign-up to the sale', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    iris = { context, page };
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      await page.goto(`${api}/dev/mail`);
      const mail = page.locator('article.mail[data-to="Iris@Example.com"] pre');
      await expect.poll(() => mail.count()).toBe(1);
      const text = (await mail.textContent()) ?? '';
      expect(text).toContain(TITLE);
      const link = /http:\/\/\S+\/invite\/[\w-]{43}/.exec(text)?.[0];
      expect(link, text).toBeDefined();
      expect(link!.startsWith(`${api}/invite/`)).toBe(true);

      // The landing page: the sale, the address, a name to sign up with, one button. Nothing used up yet.
      await page.goto(link!);
      expect(await page.textContent('h1')).toBe(TITLE);
      expect(await textOf(page)).toContain('Iris@Example.com');
      expect((await context.cookies()).map((c) => c.name)).not.toContain('gavel_session');
      await expectAccessible(page, '/invite (phone)');
      await screenshot(page, 'invite-landing-phone');
      await page.setViewportSize({ width: 1024, height: 768 });
      await expectAccessible(page, '/invite (tablet)');
      await screenshot(page, 'invite-landing-tablet');
      await page.setViewportSize({ width: 390, height: 844 });

      await page.fill('#invite-name', 'Iris Murdoch');
      await Promise.all([page.waitForURL(`${api}/bid?sale=${SALE}`), page.click('#accept-invitation')]);
      expect((await context.cookies()).find((c) => c.name === 'gavel_session')).toMatchObject({
        httpOnly: true,
      });
      await page.waitForFunction(() => document.querySelector('#who')?.textContent === 'Iris Murdoch');
      await page.waitForSelector('#conn[data-state="live"]');
      expect(await textOf(page)).toContain(LOT_TITLE);
      await screenshot(page, 'invited-bidder-sale');

      // Her API token, as the page holds it (exchanged from the cookie session).
      irisToken = await page.evaluate(async () => {
        const res = await fetch('/v1/session/token', { method: 'POST' });
        return ((await res.json()) as { token: string }).token;
      });
      const sales = (await (await get('/v1/sales', irisToken)).json()) as { sales: { id: string }[] };
      expect(sales.sales.map((s) => s.id)).toContain(SALE);

      // The link worked once (asked from another tab: hers stays on the sale).
      const again = await context.newPage();
      await again.goto(link!);
      expect(await again.textContent('h1')).toBe('Already accepted');
      await expectAccessible(again, '/invite (used)');
      await again.close();
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\npage logs:\n${logs.join('\n')}`, {
        cause: err,
      });
    }
  }, 120_000);

  it('shows the sale to no uninvited bidder nor anonymous visitor: pages, API, catalogue', async () => {
    const bob = await demoToken('bidder-bob');
    for (const token of [undefined, bob]) {
      const who = token === undefined ? 'anonymous' : 'bob';
      const list = (await (await get('/v1/sales', token)).json()) as {
        sales: { id: string; title: string }[];
      };
      expect(
        list.sales.map((s) => s.id),
        who,
      ).not.toContain(SALE);
      expect(list.sales.length, who).toBeGreaterThan(0);
      for (const path of [`/v1/sales/${SALE}`, `/v1/auctions/${LOT}`, `/v1/auctions/${LOT}/bids`]) {
        const res = await get(path, token);
        expect([who, path, res.status]).toEqual([who, path, 404]);
      }
      const hub = (await (
        await fetch(`${api}/v1/hub-token`, {
          method: 'POST',
          headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
        })
      ).json()) as { subscribe: string[] };
      expect(hub.subscribe.join(' '), who).not.toMatch(/private-view|\{id\}/);
    }
    const bid = await postWithKey(`${api}/v1/auctions/${LOT}/bids`, bob, { amount: '1000.00' });
    expect(bid.status).toBe(404);

    // Pages: the uninvited bidder's sale room (even asked for the sale by name) and the anonymous home.
    const signedIn = await openSignedIn(browser!, api, `/bid?sale=${SALE}`, 'bidder-bob', {
      width: 390,
      height: 844,
    });
    try {
      await signedIn.page.waitForSelector('#app:not([hidden])');
      const text = await textOf(signedIn.page);
      expect(text).not.toContain(TITLE);
      expect(text).not.toContain(LOT_TITLE);
    } finally {
      await signedIn.context.close();
    }
    const anon = await browser!.newContext({ viewport: { width: 1024, height: 768 } });
    try {
      const page = await anon.newPage();
      for (const path of ['/', '/bid', `/bid?sale=${SALE}`, `/invite/${'x'.repeat(43)}`]) {
        await page.goto(`${api}${path}`);
        expect(await textOf(page), path).not.toContain(TITLE);
      }
    } finally {
      await anon.close();
    }
  }, 120_000);

  it('lists the sale on the floor console (staff)', async () => {
    const floor = await openSignedIn(browser!, api, '/floor', 'demo-auctioneer', {
      width: 1024,
      height: 768,
    });
    try {
      const options = await floor.page.locator('#sale-select option').allTextContents();
      expect(options).toContain(TITLE);
    } finally {
      await floor.context.close();
    }
  }, 120_000);

  it("sends the lot's updates through the hub to the invitee only (and her page), not to the uninvited", async () => {
    expect(irisToken).not.toBe('');
    const clerk = await demoToken('demo-auctioneer');
    const bob = await demoToken('bidder-bob');
    const alice = await demoToken('bidder-alice');
    const demo = (await (await get('/v1/auctions/timed-1')).json()) as {
      auction: { saleId: string; asking: string };
    };
    const topics = [
      `${TOPIC_BASE}/sales/${SALE}`,
      `${TOPIC_BASE}/auctions/${LOT}`,
      `${TOPIC_BASE}/sales/${demo.auction.saleId}`,
    ];
    const [anon, uninvited, invited] = await Promise.all([
      hubFeed(undefined, topics),
      hubFeed(bob, topics),
      hubFeed(irisToken, topics),
    ]);
    const card = () =>
      iris!.page.evaluate(
        (title) => document.querySelector<HTMLElement>(`section[aria-label="${title}"]`)?.innerText ?? '',
        TITLE,
      );
    expect(await card()).toContain(LOT_TITLE);
    expect(await card()).not.toMatch(/\bOpen\b/);
    try {
      // Staff open the lot on the floor: an engine decision, published as a private update.
      const opened = await postWithKey(`${api}/v1/auctions/${LOT}/floor/open`, clerk);
      expect(opened.status).toBe(200);
      const [ev] = await invited.waitFor(1, 20_000);
      expect(ev?.event).toBe('auction');
      expect(aboutLot(ev!)).toBe(true);
      // Then a public update (a bid on the demo sale): the hub dispatched the private one before it.
      const marker = await postWithKey(`${api}/v1/auctions/timed-1/bids`, alice, {
        amount: demo.auction.asking,
      });
      expect(marker.status).toBe(201);
      const isMarker = (e: { event?: string; data: string }) => e.data.includes('"timed-1"');
      for (const feed of [anon, uninvited])
        expect((await eventsBefore(feed, isMarker)).filter(aboutLot)).toEqual([]);
      expect((await eventsBefore(invited, isMarker)).filter(aboutLot).length).toBeGreaterThan(0);
      // Her page, open on the sale since she accepted, shows the lot open: it came live through the hub.
      await iris!.page.waitForFunction(
        (title) =>
          /\bOpen\b/.test(
            document.querySelector<HTMLElement>(`section[aria-label="${title}"]`)?.innerText ?? '',
          ),
        TITLE,
        { timeout: 20_000 },
      );
      await screenshot(iris!.page, 'invited-bidder-lot-open');
    } finally {
      for (const f of [anon, uninvited, invited]) f.close();
    }
  }, 120_000);
});
