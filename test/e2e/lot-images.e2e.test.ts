import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, openSignedIn, screenshot } from '../support/clients.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';

/**
 * An uploaded lot image on the bidder's page, in `npm start`'s process: the admin uploads a
 * photograph (multipart, through the admin API), the catalogue links it, the gateway serves it at
 * `/media/…`, and the phone shows the thumbnail on the lot card and the display size on the lot page.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
const SALE = 'e2e-images';
const LOT = 'e2e-images-1';
const ALT = 'A still life of lemons on a pewter plate';

/** A picture worth looking at: a warm gradient with a lemon-coloured disc, as a 2400 × 1800 JPEG. */
async function painting(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="1800">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#3b2a1e"/><stop offset="1" stop-color="#a0764a"/></linearGradient></defs>
    <rect width="2400" height="1800" fill="url(#g)"/>
    <ellipse cx="1300" cy="1150" rx="700" ry="180" fill="#8c8f93"/>
    <circle cx="1150" cy="980" r="230" fill="#e8c33a"/><circle cx="1500" cy="1020" r="190" fill="#d9b02c"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

async function adminCall(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${gavel!.admin}${path}`, {
    method,
    headers: { Authorization: `Bearer ${gavel!.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return res;
}

beforeAll(async () => {
  gavel = await startEmbedded('images-e2e');
  const iso = (ms: number): string => new Date(ms).toISOString();
  await adminCall('POST', '/sales', {
    id: SALE,
    mode: 'timed',
    currency: 'EUR',
    title: 'Old masters, timed',
    startsAt: iso(Date.now() + 3_600_000),
    endsAt: iso(Date.now() + 7_200_000),
  });
  await adminCall('POST', `/sales/${SALE}/lots`, {
    id: LOT,
    lotNumber: 1,
    title: 'Still life with lemons',
    opening: '800.00',
    estimateLow: '1200.00',
    estimateHigh: '1800.00',
    increments: [{ from: '0.00', step: '50.00' }],
  });
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await painting())], { type: 'image/jpeg' }), 'lemons.jpg');
  form.append('alt', ALT);
  const upload = await fetch(`${gavel.admin}/lots/${LOT}/images`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${gavel.adminToken}` },
    body: form,
  });
  expect(upload.status, await upload.clone().text()).toBe(201);
  await adminCall('POST', `/sales/${SALE}/publish`);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

/** The loaded picture of `selector`: its current source and natural width (0 = not loaded). */
async function loaded(page: Page, selector: string): Promise<{ src: string; width: number; alt: string }> {
  await page.waitForFunction(
    (s) => {
      const img = document.querySelector<HTMLImageElement>(s);
      return img !== null && img.complete && img.naturalWidth > 0 && img.currentSrc.includes('/media/');
    },
    selector,
    { timeout: 15_000 },
  );
  return page.$eval(selector, (img) => {
    const i = img as HTMLImageElement;
    return { src: i.currentSrc, width: i.naturalWidth, alt: i.alt };
  });
}

describe('lot images on the bidder page', () => {
  for (const [label, viewport] of [
    ['390', { width: 390, height: 844 }],
    ['1024', { width: 1024, height: 768 }],
  ] as const) {
    it(`shows the thumbnail on the card and the display size on the lot page (${label} px)`, async () => {
      const { page, context } = await openSignedIn(browser!, gavel!.api, '/bid', 'bidder-alice', viewport);
      const card = await loaded(page, `[data-lot="${LOT}"] img`);
      expect(card.src).toMatch(/\/media\/lots\/e2e-images-1\/[a-f0-9]{16}-thumb\.webp$/);
      expect(card.width).toBe(320);
      await screenshot(page, `lot-images-sale-${label}`);

      await page.click(`[data-lot="${LOT}"]`);
      const shown = await loaded(page, '#lot-image');
      expect(shown.alt).toBe(ALT);
      expect(shown.src).toMatch(/-(thumb|display)\.webp$/);
      await expectAccessible(page, `the lot page with its image at ${label} px`);
      await screenshot(page, `lot-images-lot-${label}`);
      await context.close();
    }, 60_000);
  }
});
