import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, screenshot } from '../support/clients.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';

/**
 * `npm start` as a new bidder meets it: sign up with a name and an email, read the link in the
 * local outbox (/dev/mail: the embedded default has no mail server), follow it, confirm, and land
 * on /bid signed in — through the HttpOnly session cookie exchanged for a bearer token.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
let base: string;

beforeAll(async () => {
  gavel = await startEmbedded('sign-in');
  base = gavel.api;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

describe('sign-up by email link (embedded default)', () => {
  it('signs a new bidder up with the link from the local outbox, and lands them on /bid signed in', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      // From the bidder page's sign-in panel to the email sign-in.
      await page.goto(`${base}/bid`);
      await Promise.all([page.waitForURL(`${base}/sign-in`), page.click('#email-sign-in')]);
      await page.fill('#signup-name', 'Grace Hopper');
      await page.fill('#signup-email', 'grace@example.com');
      await screenshot(page, 'sign-up');
      await expectAccessible(page, '/sign-in');
      await Promise.all([
        page.waitForURL(`${base}/sign-in/sent`),
        page.click('form:has(#signup-name) button'),
      ]);
      expect(await page.textContent('h1')).toBe('Check your email');
      await expectAccessible(page, '/sign-in/sent');

      await page.goto(`${base}/dev/mail`);
      const mail = page.locator('article.mail[data-to="grace@example.com"]');
      await expect.poll(() => mail.count()).toBe(1);
      const text = (await mail.locator('pre').textContent()) ?? '';
      const link = /http:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec(text)?.[0];
      expect(link, text).toBeDefined();
      expect(link!.startsWith(`${base}/sign-in/link?token=`)).toBe(true);

      // Following the link shows a button; only the POST behind it signs in.
      await page.goto(link!);
      expect((await context.cookies()).map((c) => c.name)).not.toContain('gavel_session');
      await expectAccessible(page, '/sign-in/link');
      await Promise.all([page.waitForURL(`${base}/bid`), page.click('#confirm-sign-in')]);
      const cookie = (await context.cookies()).find((c) => c.name === 'gavel_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(await page.evaluate(() => document.cookie)).not.toContain('gavel_session');

      // Signed in: the bidder page shows who, without a demo button or a pasted token.
      await page.waitForFunction(() => document.querySelector('#who')?.textContent === 'Grace Hopper');
      expect(await page.isVisible('#sign-in')).toBe(false);
      // …and its sale room goes live with the bearer token the session was exchanged for.
      await page.waitForSelector('#conn[data-state="live"]');
      await page.waitForSelector('#app:not([hidden])');
      await screenshot(page, 'signed-in-by-email-link');

      // Sign out ends the session at the server too: the page asks to sign in again, the cookie is gone.
      await page.click('#sign-out');
      await page.waitForSelector('#sign-in:not([hidden])');
      expect((await context.cookies()).map((c) => c.name)).not.toContain('gavel_session');

      // The link worked once: a second confirmation is refused.
      await page.goto(link!);
      await page.click('#confirm-sign-in');
      await page.waitForSelector('text=This link does not work any more');
      expect((await context.cookies()).map((c) => c.name)).not.toContain('gavel_session');
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\npage logs:\n${logs.join('\n')}`, {
        cause: err,
      });
    } finally {
      await context.close();
    }
  }, 90_000);

  it('signs the demo auctioneer in by email link, onto the floor console as the auctioneer', async () => {
    const context = await browser!.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/sign-in`);
      await page.fill('#email', 'auctioneer@gavel.local');
      await Promise.all([page.waitForURL(`${base}/sign-in/sent`), page.click('form:has(#email) button')]);
      await page.goto(`${base}/dev/mail`);
      const mail = page.locator('article.mail[data-to="auctioneer@gavel.local"] pre');
      await expect.poll(() => mail.count()).toBe(1);
      const link = /http:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec((await mail.textContent()) ?? '')![0];
      await page.goto(link);
      await Promise.all([page.waitForURL(`${base}/floor`), page.click('#confirm-sign-in')]);
      await page.waitForFunction(() => document.querySelector('#who')?.textContent === 'Demo Auctioneer');
      expect(await page.isVisible('#sign-in')).toBe(false);
    } finally {
      await context.close();
    }
  }, 90_000);
});
