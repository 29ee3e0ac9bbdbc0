import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { DEMO_BIDDERS, type RunningGateway } from '../../gateway/index.ts';
import { postBid } from '../support/gavel.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, openSignedIn, screenshot, startDemoGavel } from '../support/clients.ts';

/**
 * The clerk's console (issue #13) in Chromium on the seeded demo's live sale (lot 1: opening
 * EUR 10,000, reserve EUR 15,000; lot 2: opening EUR 2,500): every engine action on a button, the
 * buttons saying what they will do, fields that do not leak into the next lot, errors for people.
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

const status = (p: Page, s: string): Promise<unknown> =>
  p.waitForSelector(`#lot-status[data-status="${s}"]`, { timeout: 10_000 });
const text = async (p: Page, sel: string): Promise<string> => ((await p.textContent(sel)) ?? '').trim();
/** The console's own answer has landed: the button is enabled again and shows `want`. */
const label = (p: Page, sel: string, want: string): Promise<unknown> =>
  p.waitForFunction(([s, w]) => document.querySelector(s)?.textContent?.trim() === w, [sel, want] as const, {
    timeout: 10_000,
  });

/** Nothing sticks out sideways: the console fits the tablet's width without scrolling. */
const overflow = (p: Page): Promise<number> =>
  p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe("the clerk's console", () => {
  it('runs a lot with every action on a button, and says what each will do', async () => {
    // Two absentee maximums before the sale: the commission bar shows them, highest first.
    for (const [b, max] of [
      [DEMO_BIDDERS[0], '12000.00'],
      [DEMO_BIDDERS[1], '16000.00'],
    ] as const) {
      const token = await g.tokens.sign({ id: b.id, role: 'bidder', name: b.name });
      const res = await postBid(g.url, 'live-1', token, { amount: '10000.00', max }, randomUUID());
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const floor = await openSignedIn(browser, g.url, '/floor', 'demo-auctioneer', {
      width: 1024,
      height: 768,
    });
    const p = floor.page;
    // The saleroom's projector follows the same lot, read-only.
    const room = await openSignedIn(browser, g.url, '/room', 'demo-auctioneer', { width: 1280, height: 720 });
    const r = room.page;
    try {
      await r.waitForFunction(
        () => document.getElementById('lot-title')?.textContent === 'Blue Interior, 1962',
      );
      expect(await text(r, '#price')).toBe('EUR 10,000.00');
      expect(await r.locator('#conversions li').allTextContents()).toEqual([
        'USD 10,800',
        'GBP 8,500',
        'CHF 9,400',
        'JPY 1,620,000',
      ]);
      await expectAccessible(r, '/room');

      await status(p, 'scheduled');
      expect(await text(p, '#open-lot')).toBe('Open at EUR 10,000.00');
      expect(await text(p, '#undo')).toBe('Nothing to undo');
      expect(await p.isDisabled('#undo')).toBe(true);
      await p.waitForSelector('#commission li:not(.none)');
      const commission = await p.locator('#commission li').allTextContents();
      expect(commission).toHaveLength(2);
      expect(commission[0]).toMatch(/max EUR 16,000\.00$/);
      expect(commission[1]).toMatch(/max EUR 12,000\.00$/);
      expect(await text(p, '#progress')).toBe('0 sold of 0 offered (2 lots) · EUR 0.00 hammer');
      expect(await overflow(p)).toBeLessThanOrEqual(0);
      await expectAccessible(p, '/floor');
      await screenshot(p, 'floor-console-1024');

      await p.click('#open-lot');
      await status(p, 'open');
      await label(p, '#undo', 'Undo opening');

      // The best maximum took the lot at the opening, one step over the second: below the reserve,
      // and the hammer says so before the tap.
      await p.waitForFunction(() => document.getElementById('leader')?.textContent?.includes('Absentee'));
      expect(await text(p, '#commission')).toBe('Executed at the opening');
      expect(await text(p, '#reserve-state')).toBe('Not met');
      await label(p, '#hammer', 'Hammer — below reserve (unsold)');

      // A jump bid: the asking price the clerk types.
      await p.fill('#asking-input', '20000.00');
      await p.click('#set-asking');
      await label(p, '#floor-bid', 'Floor bid EUR 20,000.00');

      // An error reads for people first; the code comes last.
      await p.fill('#increment-input', '12.345');
      await p.click('#set-increment');
      await p.waitForSelector('#message[data-level="error"]');
      expect(await text(p, '#message')).toMatch(/^Check the amount\..*\((BAD_SCALE|BAD_AMOUNT)\)$/);

      // Hold with a message, and resume from the hold.
      await p.fill('#hold-message', 'Telephone line check');
      await p.click('#hold');
      await status(p, 'on_hold');
      expect(await p.isEnabled('#resume-from-hold')).toBe(true);
      expect(await p.isDisabled('#hammer')).toBe(true);
      await p.click('#resume-from-hold');
      await status(p, 'open');

      await p.fill('#paddle', '14');
      await p.click('#floor-bid');
      await p.waitForFunction(() => document.getElementById('leader')?.textContent?.includes('Paddle 14'));
      expect(await text(p, '#reserve-state')).toBe('Met');
      await label(p, '#hammer', 'Hammer — sold to Paddle 14 for EUR 20,000.00');
      await p.click('#hammer');
      await status(p, 'sold');
      await label(p, '#undo', 'Undo hammer');
      expect(await text(p, '#progress')).toBe('1 sold of 1 offered (2 lots) · EUR 20,000.00 hammer');
      await label(r, '#lot-status', 'Sold — Paddle 14 — EUR 20,000.00');
      expect(await r.locator('#conversions li').first().textContent()).toBe('USD 21,600');
      await screenshot(r, 'room-screen-sold');
      await screenshot(p, 'floor-console-sold');

      // The next lot starts with empty fields: the EUR 20,000 typed for lot 1 does not open lot 2.
      await p.click('#next-lot');
      await p.waitForFunction(
        () => document.getElementById('lot-title')?.textContent === 'Bronze Figure, Reclining',
      );
      expect(await p.inputValue('#asking-input')).toBe('');
      expect(await p.inputValue('#hold-message')).toBe('');
      expect(await text(p, '#open-lot')).toBe('Open at EUR 2,500.00');
      // Next lot opens lot 2 at its own opening (not the EUR 20,000 typed for lot 1), and the room moves on with it.
      await label(p, '#asking', 'EUR 2,500.00');
      await r.waitForFunction(
        () => document.getElementById('lot-title')?.textContent === 'Bronze Figure, Reclining',
      );

      // Withdraw asks for a second tap.
      await p.click('#withdraw');
      expect(await text(p, '#withdraw')).toBe('Confirm: withdraw this lot');
      expect(await text(p, '#lot-status')).not.toBe('Withdrawn');
      await p.click('#withdraw');
      await status(p, 'withdrawn');
      await label(p, '#undo', 'Undo withdrawal');
    } catch (err) {
      await screenshot(r, 'room-screen-failed');
      throw new Error(
        `${String(err)}\nroom status: ${await text(r, '#lot-status')}\n${floor.logs.join('\n')}\n${room.logs.join('\n')}`,
        { cause: err },
      );
    } finally {
      await floor.context.close();
      await room.context.close();
    }
    // Generous: a whole lot through two browser contexts takes ~20 s on a loaded machine.
  }, 90_000);

  it('fits a 1280 × 800 tablet without sideways scrolling', async () => {
    const floor = await openSignedIn(browser, g.url, '/floor', 'demo-auctioneer', {
      width: 1280,
      height: 800,
    });
    try {
      expect(await overflow(floor.page)).toBeLessThanOrEqual(0);
      await screenshot(floor.page, 'floor-console-1280');
    } finally {
      await floor.context.close();
    }
  });
});
