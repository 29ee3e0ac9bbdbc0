import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from '../support/clients.ts';
import { postWithKey } from '../support/gavel.ts';
import { adminCall, startEmbedded, type RunningEmbedded } from '../support/embedded.ts';
import { bidWhenOpen, onPage, openTimedSale } from '../support/embedded-admin.ts';
import { demoToken } from '../support/e2e-pages.ts';

/**
 * The bidder's sale room as it reads (docs/bidders.md), on `npm start`'s process: a timed sale made
 * through the admin API where Alice leads one lot and Bob has outbid her on another. The lot cards'
 * standing badges differ by state — "Outbid" reads as a warning, never in the leader's green.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
const SALE = 'e2e-look';
const OUTBID = 'e2e-look-1';
const LEADING = 'e2e-look-2';
/** Lots for the house's bid confirmation: once per lot from 150, at every bid from 150, never. */
const ONCE = 'e2e-look-3';
const EVERY = 'e2e-look-4';
const NEVER = 'e2e-look-5';
const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  gavel = await startEmbedded('look-e2e');
  await openTimedSale(gavel, {
    id: SALE,
    title: 'Silver and objects of vertu',
    bidders: ['bidder-alice', 'bidder-bob'],
    lots: [
      { id: OUTBID, title: 'A George III sugar caster', opening: '100.00', step: '10.00' },
      { id: LEADING, title: 'A pair of salts', opening: '100.00', step: '10.00' },
      { id: ONCE, title: 'A tea caddy', opening: '100.00', step: '100.00' },
      { id: EVERY, title: 'A snuff box', opening: '200.00', step: '100.00' },
      { id: NEVER, title: 'A centrepiece', opening: '10000.00', step: '500.00' },
    ],
  });
  const alice = await demoToken(gavel.api, 'bidder-alice');
  await bidWhenOpen(gavel, OUTBID, alice, '100.00');
  await bidWhenOpen(gavel, LEADING, alice, '100.00');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

const asAlice = (path: string, fn: (p: Page) => Promise<void>): Promise<void> =>
  onPage(browser!, gavel!, 'bidder-alice', path, PHONE, fn);

/** The badge's computed text and background colours as [r, g, b] each. */
async function badgeColours(p: Page, lot: string): Promise<{ text: number[]; back: number[] }> {
  const sel = `#sales [data-lot="${lot}"] .you-lead`;
  await p.waitForSelector(sel, { timeout: 15_000 });
  const [text, back] = await p.$eval(sel, (el) => {
    const cs = getComputedStyle(el);
    return [cs.color, cs.backgroundColor];
  });
  const rgb = (c: string): number[] => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  return { text: rgb(text), back: rgb(back) };
}

/** A colour reads green when its green channel leads red and blue clearly. */
const greenish = ([r = 0, g = 0, b = 0]: number[]): boolean => g > r + 30 && g > b + 30;
/** A warning's hue: red leads green (amber and red alike), and blue is lowest. */
const warmish = ([r = 0, g = 0, b = 0]: number[]): boolean => r > g + 30 && r > b;

describe('the sale room’s standing badges', () => {
  it('shows Outbid as a warning and You lead in green', async () => {
    await asAlice('/bid#', async (p) => {
      await p.waitForSelector(`#sales [data-lot="${OUTBID}"] .you-lead[data-state="leading"]`);
      // Bob outbids Alice while her sale room is open: the notice turns that card's badge.
      const over = await postWithKey(
        `${gavel!.api}/v1/auctions/${OUTBID}/bids`,
        await demoToken(gavel!.api, 'bidder-bob'),
        {
          amount: '110.00',
        },
      );
      expect(over.status).toBe(201);
      await p.waitForSelector(`#sales [data-lot="${OUTBID}"] .you-lead[data-state="outbid"]`, {
        timeout: 15_000,
      });
      const outbid = await badgeColours(p, OUTBID);
      const leading = await badgeColours(p, LEADING);
      expect(
        await p.$eval(`#sales [data-lot="${OUTBID}"] .you-lead`, (e) => e.getAttribute('data-state')),
      ).toBe('outbid');
      expect(greenish(leading.text), `leading text ${leading.text.join(',')}`).toBe(true);
      expect(greenish(outbid.text), `outbid text ${outbid.text.join(',')}`).toBe(false);
      expect(warmish(outbid.text), `outbid text ${outbid.text.join(',')}`).toBe(true);
      await screenshot(p, 'look-badges-390');
    });
  }, 60_000);
});

const confirmation = (ask: string, from: string): Promise<void> =>
  adminCall(gavel!, 'PATCH', `/sales/${SALE}`, { confirmBids: ask, confirmBidsFrom: from });

/** Bids the asking price, or leaves the maximum `max`. */
async function bidOn(p: Page, max?: string): Promise<void> {
  if (max === undefined) {
    await p.waitForSelector('#bid-button:not([disabled])', { timeout: 20_000 });
    await p.click('#bid-button');
  } else {
    await p.waitForSelector('#max-button:not([disabled])', { timeout: 20_000 });
    await p.fill('#max-input', max);
    await p.click('#max-button');
  }
}
/** The bid went out without a question (a confirmation would have held it back). */
async function acceptedAsIs(p: Page): Promise<void> {
  await p.waitForSelector('#message[data-code="ACCEPTED"]', { timeout: 15_000 });
  expect(await p.$('#confirm[open]')).toBeNull();
}
async function confirmed(p: Page, yes = true): Promise<void> {
  await p.waitForSelector('#confirm[open]', { timeout: 15_000 });
  await p.click(yes ? '#confirm-yes' : '#confirm-no');
  if (yes) await p.waitForSelector('#message[data-code="ACCEPTED"]', { timeout: 15_000 });
}

describe('the house’s bid confirmation', () => {
  it('asks once per lot from the house’s amount', async () => {
    await confirmation('once_per_lot', '150.00');
    await asAlice(`/bid#lot=${ONCE}`, async (p) => {
      await bidOn(p); // 100.00: under the amount
      await acceptedAsIs(p);
      await bidOn(p, '300.00');
      await confirmed(p);
      await bidOn(p, '400.00'); // confirmed once on this lot: no second question
      await acceptedAsIs(p);
    });
  }, 90_000);

  it('asks at every bid when the house says so, and a Cancel sends nothing', async () => {
    await confirmation('every_bid', '150.00');
    await asAlice(`/bid#lot=${EVERY}`, async (p) => {
      await bidOn(p); // 200.00
      await confirmed(p);
      await p.waitForSelector('#my-status[data-state="leading"]');
      await bidOn(p, '500.00');
      await confirmed(p, false);
      expect(await p.$eval('#message', (m) => m.getAttribute('data-code'))).toBeNull();
      await bidOn(p, '500.00');
      await confirmed(p);
      await screenshot(p, 'look-confirm-every-390');
    });
  }, 90_000);

  it('never asks when the house says never, even for 10,000', async () => {
    await confirmation('never', '0.00');
    await asAlice(`/bid#lot=${NEVER}`, async (p) => {
      await bidOn(p);
      await acceptedAsIs(p);
    });
  }, 90_000);
});
