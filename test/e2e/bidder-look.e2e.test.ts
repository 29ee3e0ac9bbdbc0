import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from '../support/clients.ts';
import { postWithKey } from '../support/gavel.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';
import { bidWhenOpen, demoToken, onPage, openTimedSale } from '../support/embedded-admin.ts';

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
    ],
  });
  const alice = await demoToken(gavel, 'bidder-alice');
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
        await demoToken(gavel!, 'bidder-bob'),
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
