import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunningGateway } from '../../gateway/index.ts';
import type { GavelTrace } from '../../clients/src/trace.ts';
import {
  launchChromium,
  openSignedIn,
  screenshot,
  startDemoGavel,
  trackHubStreams,
  type SignedInPage,
} from '../support/clients.ts';

/** The bound of the issue: screens show a decision within 200 ms of it — the median of every screen and decision. */
const LATENCY_BOUND_MS = 200;
/**
 * No single one later than this: live, not caught up by a refetch. Chromium's three pages, the
 * server and the test share two cores; beside a CPU hog a single render took 201 ms (seq 1, the
 * first after the pages loaded) while the rest took 5-63 ms — a scheduling delay, not Gavel's.
 */
const LATENCY_CEILING_MS = 1_000;
const TABLET = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

interface Truth {
  seq: number;
  status: string;
  /** As the screens print it: "EUR 10,500.00", or "—" before the first bid. */
  price: string;
  leader: string | null;
}

/** The lot as the gateway's snapshot says it is: what every screen must show. */
async function truthOf(url: string, lot: string): Promise<Truth> {
  const res = await fetch(`${url}/v1/auctions/${lot}`);
  const { auction } = (await res.json()) as {
    auction: { seq: number; status: string; price: string; leader: string | null; currency: string };
  };
  const [int = '0', frac = ''] = auction.price.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return {
    seq: auction.seq,
    status: auction.status,
    price: auction.leader === null ? '—' : `${auction.currency} ${grouped}.${frac}`,
    leader: auction.leader,
  };
}

/** Waits until the page's price, leader and status are the truth's (the DOM, not the page's state). */
async function shows(page: Page, t: Truth, timeout = 3_000): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const text = (id: string): string => document.getElementById(id)?.textContent ?? '';
      const status = document.getElementById('lot-status')?.dataset.status;
      const leaderOk =
        want.leader === null ? text('leader') === 'No bids yet' : text('leader').includes(want.leader);
      return text('price') === want.price && leaderOk && status === want.status;
    },
    t,
    { timeout },
  );
}

/**
 * Bids the asking price. Large sums (≥ 10,000.00) are confirmed, once per lot: `confirm` says whether
 * this bid should ask (`lot` is what the question must name), or go straight in.
 */
async function bid(p: Page, expected: string, confirm: { lot: string } | false = { lot: '' }): Promise<void> {
  await p.waitForSelector('#bid-button:not([disabled])');
  expect(await p.textContent('#bid-button')).toBe(`Bid ${expected}`);
  await p.click('#bid-button');
  if (confirm !== false) {
    await p.waitForSelector('#confirm[open]');
    const question = (await p.textContent('#confirm-text')) ?? '';
    expect(question).toContain(expected);
    expect(question).toContain(confirm.lot);
    await p.click('#confirm-yes');
  }
  await p.waitForSelector('#message[data-code="ACCEPTED"]');
  if (confirm === false) expect(await p.isVisible('#confirm[open]')).toBe(false);
}

async function floorAction(floor: Page, run: () => Promise<void>): Promise<void> {
  const before = await floor.evaluate(() => window.gavelTrace.decisions.length);
  await run();
  await floor.waitForFunction((n) => window.gavelTrace.decisions.length > n, before);
  expect(await floor.getAttribute('#message', 'data-level')).not.toBe('error');
}

const traceOf = (p: Page): Promise<GavelTrace> => p.evaluate(() => window.gavelTrace);

describe('floor console and bidder clients in Chromium', () => {
  let g: RunningGateway;
  let browser: Browser;
  let streams: ReturnType<typeof trackHubStreams>;

  beforeAll(async () => {
    g = await startDemoGavel();
    streams = trackHubStreams(g.server);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  it('one live lot: every screen shows each decision live (median within 200 ms), and a cut bidder catches up', async () => {
    const floor = await openSignedIn(browser, g.url, '/floor', 'demo-auctioneer', TABLET);
    const alice = await openSignedIn(browser, g.url, '/bid#lot=live-1', 'bidder-alice', PHONE);
    const bob = await openSignedIn(browser, g.url, '/bid#lot=live-1', 'bidder-bob', PHONE);
    const all: SignedInPage[] = [floor, alice, bob];
    const everyScreen = async (screens: SignedInPage[] = all): Promise<Truth> => {
      const t = await truthOf(g.url, 'live-1');
      await Promise.all(screens.map((s) => shows(s.page, t)));
      return t;
    };
    try {
      expect(await floor.page.textContent('#lot-title')).toBe('Blue Interior, 1962');
      await everyScreen();

      await floorAction(floor.page, () => floor.page.click('#open-lot'));
      const opened = await everyScreen();
      expect(opened.status).toBe('open');

      // The question names the lot as the catalogue does, never its internal id.
      await bid(alice.page, 'EUR 10,000.00', { lot: 'on lot 1, Blue Interior, 1962?' });
      expect(await alice.page.textContent('#confirm-text')).not.toContain('live-1');
      const first = await everyScreen();
      expect(first.price).toBe('EUR 10,000.00');
      await alice.page.waitForSelector('#my-status[data-state="leading"]');

      await bid(bob.page, 'EUR 10,500.00');
      const second = await everyScreen();
      expect(second.leader).not.toBe(first.leader);
      // Alice is told from her private topic, with her previous position.
      await alice.page.waitForSelector('#my-status[data-state="outbid"]');
      expect(await alice.page.textContent('#my-status')).toContain('You bid EUR 10,000.00');
      // The room sees internet bids marked as such.
      expect(await floor.page.textContent(`#activity [data-seq="${second.seq}"] .badge`)).toBe('Internet');

      await floor.page.fill('#paddle', '112');
      await floorAction(floor.page, () => floor.page.click('#floor-bid'));
      const floorBid = await everyScreen();
      expect([floorBid.price, floorBid.leader]).toEqual(['EUR 11,000.00', 'Paddle 112']);
      expect(await bob.page.textContent(`#activity [data-seq="${floorBid.seq}"] .badge`)).toBe('Floor');
      await bob.page.waitForSelector('#my-status[data-state="outbid"]');

      // Alice loses her connection: offline, and her open stream is reset at the server.
      await alice.context.setOffline(true);
      expect(streams.cut('bidder-alice')).toBeGreaterThan(0);
      await alice.page.waitForSelector('#conn:not([data-state="live"])');
      const missed: number[] = [];
      // Bob confirmed a large bid on this lot already: the next goes straight in.
      await bid(bob.page, 'EUR 11,500.00', false);
      missed.push((await everyScreen([floor, bob])).seq);
      await floor.page.fill('#asking-input', '15000.00');
      await floorAction(floor.page, () => floor.page.click('#set-asking'));
      missed.push((await everyScreen([floor, bob])).seq);
      await floor.page.fill('#paddle', '7');
      await floorAction(floor.page, () => floor.page.click('#floor-bid'));
      const during = await everyScreen([floor, bob]);
      missed.push(during.seq);
      expect(during.price).toBe('EUR 15,000.00');
      // Really cut: Alice still shows the state from before.
      expect(await alice.page.textContent('#price')).toBe('EUR 11,000.00');
      await screenshot(alice.page, 'bidder-alice-offline');

      await alice.context.setOffline(false);
      await alice.page.waitForSelector('#conn[data-state="live"]', { timeout: 15_000 });
      await shows(alice.page, during, 5_000);
      // The missed updates were replayed from the hub (Last-Event-ID), not only papered over by a snapshot.
      for (const seq of missed)
        await alice.page.waitForSelector(`#activity [data-seq="${seq}"]`, { timeout: 3_000 });

      await floorAction(floor.page, () => floor.page.click('#fair-warning'));
      await everyScreen();
      await floorAction(floor.page, () => floor.page.click('#hammer'));
      const sold = await everyScreen();
      expect([sold.status, sold.price, sold.leader]).toEqual(['sold', 'EUR 15,000.00', 'Paddle 7']);
      await alice.page.waitForSelector('#my-status[data-state="lost"]');
      await bob.page.waitForSelector('#my-status[data-state="lost"]');

      await screenshot(floor.page, 'floor-console');
      // Next lot: the console moves on to lot 2 and opens it.
      await floorAction(floor.page, () => floor.page.click('#next-lot'));
      await floor.page.waitForSelector('#lot-status[data-status="open"]');
      expect(await floor.page.textContent('#lot-title')).toBe('Bronze Figure, Reclining');
      await screenshot(alice.page, 'bidder-alice');
      await screenshot(bob.page, 'bidder-bob');
      await bob.page.goto(`${g.url}/bid#`);
      await bob.page.waitForSelector('#room:not([hidden]) [data-lot="live-1"]');
      await screenshot(bob.page, 'bidder-sale-room');

      // Latency: each decision's time (from the HTTP answer of whoever made it) to the moment each
      // screen's DOM showed it. Alice's screen is excluded for the decisions made while she was cut.
      const traces = await Promise.all(all.map((s) => traceOf(s.page)));
      const decisions = traces
        .flatMap((t) => t.decisions)
        .filter((d) => d.auctionId === 'live-1')
        .sort((a, b) => a.seq - b.seq);
      expect(decisions.map((d) => d.seq)).toEqual([...Array(sold.seq).keys()].map((i) => i + 1));
      const names = ['floor', 'alice', 'bob'];
      const rows: string[] = [];
      const late: string[] = [];
      const latencies: number[] = [];
      for (const d of decisions) {
        const cells = traces.map((t, i) => {
          if (names[i] === 'alice' && missed.includes(d.seq)) return 'cut';
          const r = t.renders.find((x) => x.auctionId === d.auctionId && x.seq === d.seq);
          if (r === undefined) {
            late.push(`${names[i]} never rendered seq ${d.seq}`);
            return 'never';
          }
          const ms = r.at - d.decidedAt;
          latencies.push(ms);
          if (ms > LATENCY_CEILING_MS) late.push(`${names[i]} rendered seq ${d.seq} after ${ms} ms`);
          return `${ms} ms (${r.via})`;
        });
        rows.push(`seq ${d.seq}: ${cells.map((c, i) => `${names[i]} ${c}`).join(', ')}`);
      }
      console.log(`decision → screen:\n  ${rows.join('\n  ')}`);
      expect(late).toEqual([]);
      latencies.sort((a, b) => a - b);
      const median = latencies[Math.floor(latencies.length / 2)]!;
      expect(median, `median of ${latencies.length}: ${latencies.join(', ')} ms`).toBeLessThanOrEqual(
        LATENCY_BOUND_MS,
      );
    } catch (err) {
      for (const [i, s] of all.entries()) console.log(['floor', 'alice', 'bob'][i], s.logs.join('\n'));
      throw err;
    } finally {
      await Promise.all(all.map((s) => s.context.close()));
    }
  }, 120_000);

  it('the floor console drops its connection, bids arrive meanwhile, and it catches up', async () => {
    const floor = await openSignedIn(browser, g.url, '/floor', 'demo-auctioneer', TABLET);
    const carol = await openSignedIn(browser, g.url, '/bid#lot=live-2', 'bidder-carol', PHONE);
    const bob = await openSignedIn(browser, g.url, '/bid#lot=live-2', 'bidder-bob', PHONE);
    try {
      expect(await floor.page.textContent('#lot-title')).toBe('Bronze Figure, Reclining');
      // Opening, the console is sent what was published after its resume point (the first test's
      // `next` opened this lot): a replay. It is shown in the activity, and is no latency figure.
      const opened = await truthOf(g.url, 'live-2');
      expect(opened.status).toBe('open');
      await floor.page.waitForSelector(`#activity [data-seq="${opened.seq}"]`);
      expect(await floor.page.textContent('#latency')).toBe('— ms');
      const before = await truthOf(g.url, 'live-2');
      await floor.context.setOffline(true);
      expect(streams.cut('demo-auctioneer')).toBeGreaterThan(0);
      await floor.page.waitForSelector('#conn:not([data-state="live"])');
      const missed: number[] = [];
      for (const p of [carol.page, bob.page, carol.page]) {
        await p.waitForSelector('#bid-button:not([disabled])');
        await p.click('#bid-button');
        await p.waitForSelector('#message[data-code="ACCEPTED"]');
        const t = await truthOf(g.url, 'live-2');
        await Promise.all([shows(carol.page, t), shows(bob.page, t)]);
        missed.push(t.seq);
      }
      expect(await floor.page.textContent('#price')).toBe(before.price);
      await floor.context.setOffline(false);
      await floor.page.waitForSelector('#conn[data-state="live"]', { timeout: 15_000 });
      await shows(floor.page, await truthOf(g.url, 'live-2'), 5_000);
      for (const seq of missed)
        await floor.page.waitForSelector(`#activity [data-seq="${seq}"] .badge:text("Internet")`);
      // The missed bids came as a replay after the reconnect: still no latency figure from them.
      expect(await floor.page.textContent('#latency')).toBe('— ms');
      await screenshot(floor.page, 'floor-console-caught-up');
    } finally {
      await Promise.all([floor.context.close(), carol.context.close(), bob.context.close()]);
    }
  }, 60_000);

  it('a confidential maximum bids for its owner: the rival is outbid at once, and the maximum stays hers', async () => {
    const alice = await openSignedIn(browser, g.url, '/bid#lot=timed-2', 'bidder-alice', PHONE);
    const bob = await openSignedIn(browser, g.url, '/bid#lot=timed-2', 'bidder-bob', PHONE);
    try {
      await alice.page.waitForSelector('#max-button:not([disabled])');
      await alice.page.fill('#max-input', '8000.005');
      await alice.page.click('#max-button');
      await alice.page.waitForSelector('#message[data-code="BAD_SCALE"], #message[data-code="BAD_AMOUNT"]');
      await alice.page.fill('#max-input', '8000.00');
      await alice.page.click('#max-button');
      await alice.page.waitForSelector('#message[data-code="ACCEPTED"]');
      expect(await alice.page.textContent('#message')).toContain('up to EUR 8,000.00');

      // Bob bids the asking price; Alice's maximum answers in the same decision.
      await bob.page.waitForSelector('#bid-button:not([disabled])');
      await bob.page.click('#bid-button');
      await bob.page.waitForSelector('#message[data-code="OUTBID"]');
      const t = await truthOf(g.url, 'timed-2');
      expect(t.price).toBe('EUR 5,500.00');
      await Promise.all([shows(alice.page, t), shows(bob.page, t)]);
      await alice.page.waitForSelector('#my-status[data-state="leading"]');
      await bob.page.waitForSelector('#my-status[data-state="outbid"]');
      // The leader is not offered a bid against herself, only a higher maximum.
      expect(await alice.page.textContent('#bid-button')).toBe('You lead');
      expect(await alice.page.isDisabled('#bid-button')).toBe(true);
      expect(await alice.page.textContent('#max-button')).toBe('Raise maximum');
      expect(await bob.page.content()).not.toContain('8,000');
      await screenshot(alice.page, 'bidder-maximum');
    } finally {
      await Promise.all([alice.context.close(), bob.context.close()]);
    }
  }, 60_000);

  it('a refused bid is explained on the bidder screen (over the approval limit)', async () => {
    const bob = await openSignedIn(browser, g.url, '/bid#lot=timed-3', 'bidder-bob', PHONE);
    const carol = await openSignedIn(browser, g.url, '/bid#lot=timed-3', 'bidder-carol', PHONE);
    try {
      expect(await carol.page.textContent('#countdown')).toMatch(/^Ends in \d+d \d\d:\d\d:\d\d/);
      await bid(bob.page, 'EUR 20,000.00');
      await shows(carol.page, await truthOf(g.url, 'timed-3'));
      await carol.page.waitForSelector('#bid-button:not([disabled])');
      await carol.page.click('#bid-button');
      await carol.page.click('#confirm-yes');
      await carol.page.waitForSelector('#message[data-code="OVER_LIMIT"]');
      expect(await carol.page.textContent('#message')).toContain('above your approved bidding limit');
      await screenshot(carol.page, 'bidder-refused');
    } finally {
      await Promise.all([bob.context.close(), carol.context.close()]);
    }
  }, 60_000);
});
