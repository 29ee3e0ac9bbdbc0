import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, screenshot } from '../support/clients.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';

/**
 * "Notifications on this device" in real Chromium on `npm start` (docs/push-notifications.md): the
 * toggle registers the service worker (/sw.js, scope /); headless Chromium has no push service to
 * reach, so subscribing fails — and the page says so in words and stays off. The service worker is
 * then handed a push through the DevTools protocol (as a push service would deliver it) and shows
 * it as a notification with the lot's text.
 */
const EMAIL = 'push-e2e@example.com';
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
let base: string;

beforeAll(async () => {
  gavel = await startEmbedded('push');
  base = gavel.api;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

async function signUp(page: Page): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.fill('#signup-name', 'Push Bidder');
  await page.fill('#signup-email', EMAIL);
  await Promise.all([page.waitForURL(`${base}/sign-in/sent`), page.click('form:has(#signup-name) button')]);
  let link = '';
  await expect
    .poll(
      async () => {
        await page.goto(`${base}/dev/mail`);
        const text = (await page.locator(`article.mail[data-to="${EMAIL}"] pre`).first().textContent()) ?? '';
        link = /http:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec(text)?.[0] ?? '';
        return link !== '';
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(true);
  await page.goto(link);
  await Promise.all([page.waitForURL(`${base}/bid`), page.click('#confirm-sign-in')]);
}

describe('notifications on this device (embedded default, Chromium)', () => {
  it('registers the service worker, explains a failed subscribe, and shows a delivered push', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    await context.grantPermissions(['notifications'], { origin: base });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await signUp(page);
      await page.goto(`${base}/account/bidding`);
      // The script found a service worker and push support: the toggle shows, off.
      await page.waitForSelector('#push[data-ready="true"]', { timeout: 30_000 });
      const toggle = page.locator('#push-toggle');
      expect(await toggle.isVisible()).toBe(true);
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
      const box = (await toggle.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(48);
      const scope = await page.evaluate(
        async () => (await navigator.serviceWorker.getRegistration('/'))?.scope,
      );
      expect(scope).toBe(`${base}/`);
      await expectAccessible(page, '/account/bidding (push toggle)');

      // Headless Chromium cannot reach a push service: the page says so and stays off.
      await toggle.click();
      await expect
        .poll(async () => (await page.textContent('#push-status')) ?? '', { timeout: 30_000 })
        .toMatch(/could not reach its notification service/);
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
      expect(await page.textContent('#push-devices')).toBe('Off on all your devices.');
      await screenshot(page, 'push-toggle-failed-390');
      await expectAccessible(page, '/account/bidding (push failed)');

      // A push delivered to the service worker (as the push service would) becomes a notification.
      const cdp = await context.newCDPSession(page);
      const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof registrations }) =>
        registrations.push(...e.registrations),
      );
      await cdp.send('ServiceWorker.enable');
      await expect
        .poll(() => registrations.some((r) => r.scopeURL === `${base}/` && !r.isDeleted), { timeout: 15_000 })
        .toBe(true);
      const registrationId = registrations.find(
        (r) => r.scopeURL === `${base}/` && !r.isDeleted,
      )!.registrationId;
      const message = {
        kind: 'outbid',
        title: 'You have been outbid on lot 101',
        body: 'Lot 101: A test lot. The price is now EUR 1,200.00. Bid again before it closes.',
        url: '/bid?sale=autumn-timed#lot=timed-1',
        tag: 'outbid:timed-1',
        lotId: 'timed-1',
        saleId: 'autumn-timed',
        at: new Date().toISOString(),
      };
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: base,
        registrationId,
        data: JSON.stringify(message),
      });
      await expect
        .poll(
          () =>
            page.evaluate(async () => {
              const reg = await navigator.serviceWorker.getRegistration('/');
              const shown = (await reg?.getNotifications()) ?? [];
              return shown.map((n) => [n.title, n.body, n.tag]);
            }),
          { timeout: 15_000 },
        )
        .toEqual([[message.title, message.body, message.tag]]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);
});
