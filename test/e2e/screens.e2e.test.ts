import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/index.ts';
import { axeViolations } from '../support/axe.ts';
import { launchChromium, openSignedIn, screenshot, startDemoGavel } from '../support/clients.ts';

/**
 * The pages at the sizes issue #13 names — a 390 px phone, a 1024 px tablet, 1280 and 1440 px
 * desktops — in the light and the dark scheme (docs/bidders.md "Look"): the bidder's sale room, a
 * lot page, the live sale room, the floor console and the saleroom screen, on the seeded demo. None
 * scrolls sideways, the console fits the tablet and the laptop without scrolling down, and axe finds
 * no serious or critical violation (contrast included) in either scheme. Each is saved as
 * test/artifacts/screens/<page>-<width>-<scheme>.png for a person to look at.
 */
let g: RunningGateway;
let browser: Browser;

const SIZES = [
  { width: 390, height: 844 },
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
  { width: 1440, height: 900 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

beforeAll(async () => {
  g = await startDemoGavel();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await g?.close();
});

interface Screen {
  name: string;
  user: string;
  path: string;
  /** The page has drawn what it shows. */
  ready: (p: Page) => Promise<unknown>;
  /** Must fit the screen's height at these widths (the console). */
  noVerticalScrollAt?: readonly number[];
}

const titled = (p: Page): Promise<unknown> =>
  p.waitForFunction(() => (document.getElementById('lot-title')?.textContent ?? '') !== '', undefined, {
    timeout: 20_000,
  });

const SCREENS: Screen[] = [
  {
    name: 'sale-room',
    user: 'bidder-alice',
    path: '/bid?sale=autumn-timed#',
    ready: (p) => p.waitForSelector('#sales .lot-card-link', { timeout: 20_000 }),
  },
  { name: 'lot-page', user: 'bidder-alice', path: '/bid?sale=autumn-timed#lot=timed-1', ready: titled },
  {
    name: 'live-room',
    user: 'bidder-alice',
    path: '/bid?sale=evening-live#',
    ready: (p) => p.waitForSelector('#live-strip:not([hidden])', { timeout: 20_000 }),
  },
  { name: 'floor', user: 'demo-auctioneer', path: '/floor', ready: titled, noVerticalScrollAt: [1024, 1280] },
  { name: 'room', user: 'demo-auctioneer', path: '/room', ready: titled },
];

/** How far the page scrolls sideways and downwards (0: it fits). */
const overflow = (p: Page): Promise<{ x: number; y: number }> =>
  p.evaluate(() => {
    const el = document.scrollingElement ?? document.documentElement;
    return { x: el.scrollWidth - window.innerWidth, y: el.scrollHeight - window.innerHeight };
  });

/** Two animation frames: the new size or scheme is laid out and painted. */
const settled = (p: Page): Promise<void> =>
  p.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

describe('the pages at phone, tablet and desktop sizes, light and dark', () => {
  for (const screen of SCREENS)
    it(`${screen.name}: no sideways scroll, axe clean, screenshots saved`, async () => {
      const signed = await openSignedIn(browser, g.url, screen.path, screen.user, SIZES[0]);
      const p = signed.page;
      const problems: string[] = [];
      try {
        await screen.ready(p);
        for (const size of SIZES) {
          await p.setViewportSize(size);
          for (const colorScheme of SCHEMES) {
            await p.emulateMedia({ colorScheme });
            await settled(p);
            const at = `${screen.name} at ${size.width}×${size.height} ${colorScheme}`;
            const { x, y } = await overflow(p);
            if (x > 0) problems.push(`${at}: scrolls ${x} px sideways`);
            if (screen.noVerticalScrollAt?.includes(size.width) === true && y > 0)
              problems.push(`${at}: scrolls ${y} px down`);
            for (const v of await axeViolations(p)) problems.push(`${at}: ${v}`);
            await screenshot(p, `screens/${screen.name}-${size.width}-${colorScheme}`);
          }
        }
      } catch (err) {
        console.error(signed.logs.join('\n'));
        throw err;
      } finally {
        await signed.context.close();
      }
      expect(problems).toEqual([]);
    }, 300_000);
});
