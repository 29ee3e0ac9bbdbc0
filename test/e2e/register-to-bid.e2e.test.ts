import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, screenshot } from '../support/clients.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';

/**
 * `npm start` as a new bidder and the house meet it (docs/bidders.md): the bidder signs up with the
 * link from the local outbox, completes their profile, registers for the demo's timed sale accepting
 * its terms and asking for a limit; an admin approves through the admin API; the bidder gets the
 * email at /dev/mail and bids on /bid. The demo sales let unverified bidders bid up to EUR 5,000.00
 * (their KYC-free limit), so no identity check is needed for a EUR 3,000.00 limit. When the house
 * changes the terms, the bidder is asked to accept them again.
 */
const SALE = 'autumn-timed';
const EMAIL = 'ada@example.com';
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
let base: string;

beforeAll(async () => {
  gavel = await startEmbedded('register');
  base = gavel.api;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

async function admin(
  method: 'POST' | 'PATCH',
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${gavel!.admin}${path}`, {
    method,
    headers: { Authorization: `Bearer ${gavel!.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The newest mail to `to` whose subject matches, from /dev/mail (polled: the outbox delivers within a second or so). */
async function mailTo(page: Page, to: string, subject: RegExp): Promise<string> {
  let text = '';
  await expect
    .poll(
      async () => {
        await page.goto(`${base}/dev/mail`);
        const mails = page.locator(`article.mail[data-to="${to}"]`);
        for (let i = 0; i < (await mails.count()); i++) {
          const m = mails.nth(i);
          if (subject.test((await m.locator('h2').textContent()) ?? '')) {
            text = (await m.locator('pre').textContent()) ?? '';
            return true;
          }
        }
        return false;
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(true);
  return text;
}

describe('register to bid (embedded default)', () => {
  it('signs up, completes the profile, registers with the terms, is approved, is told, and bids', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      // The house publishes the sale's terms (version 1).
      await admin('POST', `/sales/${SALE}/terms`, {
        body: 'Conditions of sale.\n\n1. The buyer pays the hammer price, the premium and the tax.',
      });

      // Sign up by email link.
      await page.goto(`${base}/sign-in`);
      await page.fill('#signup-name', 'Ada Lovelace');
      await page.fill('#signup-email', EMAIL);
      await Promise.all([
        page.waitForURL(`${base}/sign-in/sent`),
        page.click('form:has(#signup-name) button'),
      ]);
      const signUp = await mailTo(page, EMAIL, /sign/i);
      const link = /http:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec(signUp)![0];
      await page.goto(link);
      await Promise.all([page.waitForURL(`${base}/bid`), page.click('#confirm-sign-in')]);

      // "My bidding", linked from the account page: the profile first.
      await page.goto(`${base}/account`);
      await Promise.all([
        page.waitForURL(`${base}/account/bidding`),
        page.click('a[href="/account/bidding"]'),
      ]);
      expect(await page.textContent('h1')).toBe('My bidding');
      await expectAccessible(page, '/account/bidding (new bidder)');
      await screenshot(page, 'register-my-bidding-new-390');
      // A bad phone number is refused on the page, naming the field; nothing is saved.
      await page.fill('#phone', '12');
      await page.selectOption('#country', 'GB');
      await page.click('#save-profile');
      await page.waitForSelector('#phone-error');
      expect(await page.textContent('#phone-error')).toContain('phone');
      expect(await page.getAttribute('#phone', 'aria-invalid')).toBe('true');
      await expectAccessible(page, '/account/bidding (profile error)');
      await page.fill('#phone', '07700 900456');
      await page.check('#ch-whatsapp');
      await Promise.all([
        page.waitForURL(`${base}/account/bidding?done=profile`),
        page.click('#save-profile'),
      ]);
      expect(await page.inputValue('#phone')).toBe('+447700900456');
      expect(await page.isChecked('#ch-whatsapp')).toBe(true);

      // Register for the timed sale: the terms shown with their version, accepted, a limit asked for.
      await Promise.all([
        page.waitForURL(`${base}/account/sales/${SALE}/register`),
        page.click(`#register-${SALE}`),
      ]);
      expect(await page.textContent('#terms-h')).toBe('Terms of sale, version 1');
      expect(await page.textContent('#terms')).toContain('The buyer pays the hammer price');
      await expectAccessible(page, '/account/sales/…/register');
      await screenshot(page, 'register-terms-390');
      // Without accepting the terms: refused, the field named.
      await page.fill('#limit', '3000.00');
      await page.click('#register');
      await page.waitForSelector('#accept-error');
      await page.check('#accept');
      await Promise.all([
        page.waitForURL(`${base}/account/bidding?done=registered`),
        page.click('#register'),
      ]);
      const card = page.locator(`section[aria-labelledby="regs-h"] article[data-sale="${SALE}"]`);
      expect(await card.locator('.status').textContent()).toBe('Awaiting the house’s approval');
      expect(await card.textContent()).toContain('EUR 3,000.00');
      expect(await card.textContent()).toContain('version 1 accepted');
      await screenshot(page, 'register-pending-390');

      // The house approves (the admin API; the panel is another page) with the limit asked for.
      // (The page's CSP allows no fetch: the browser context's request API carries the same cookie.)
      const me = (await (await context.request.get(`${base}/v1/session`)).json()) as {
        account: { id: string };
      };
      const approved = await admin('PATCH', `/sales/${SALE}/registrations/${me.account.id}`, {
        status: 'approved',
      });
      expect(approved.eligibility).toMatchObject({ limit: 300_000, reasons: [] }); // (the admin API's eligibility is in minor units);
      // Once, by email (the local outbox), whatever the outbox repeats.
      const notice = await mailTo(page, EMAIL, /approved/i);
      expect(notice).toMatch(/paddle is 1\d{3}/);
      expect(notice).toContain('your limit EUR 3,000.00');
      await page.goto(`${base}/dev/mail`);
      expect(await page.locator(`article.mail[data-to="${EMAIL}"] h2:has-text("approved")`).count()).toBe(1);

      await page.goto(`${base}/account/bidding`);
      expect(await card.locator('.status').textContent()).toBe('Approved to bid');

      // …and bids on /bid, signed in by the cookie session, as the bidder the registration names.
      await page.goto(`${base}/bid#lot=timed-1`);
      await page.waitForSelector('#conn[data-state="live"]');
      await page.waitForSelector('#bid-button:not([disabled])', { timeout: 15_000 });
      await page.click('#bid-button');
      await page.waitForSelector('#message[data-code="ACCEPTED"]', { timeout: 15_000 });
      await page.waitForSelector('#my-status[data-state="leading"]');
      await screenshot(page, 'register-first-bid-390');

      // New terms: the bidder is asked to accept them again, and does.
      await admin('POST', `/sales/${SALE}/terms`, { body: 'Conditions of sale, revised.\n\n1. As before.' });
      await page.goto(`${base}/account/bidding`);
      expect(await card.textContent()).toContain('now version 2');
      await Promise.all([
        page.waitForURL(`${base}/account/sales/${SALE}/register`),
        card.locator('a[href$="/register"]').click(),
      ]);
      await Promise.all([page.waitForURL(`${base}/account/bidding?done=terms`), page.click('#accept-terms')]);
      expect(await card.textContent()).toContain('version 2 accepted');
      expect(await card.textContent()).not.toContain('now version 2');

      // The tablet width.
      await page.setViewportSize({ width: 1024, height: 768 });
      await expectAccessible(page, '/account/bidding (1024 px)');
      await screenshot(page, 'register-my-bidding-1024');
      await page.goto(`${base}/account/sales/${SALE}/register`);
      await expectAccessible(page, '/account/sales/…/register (1024 px)');
      await screenshot(page, 'register-terms-1024');
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\npage logs:\n${logs.join('\n')}`, {
        cause: err,
      });
    } finally {
      await context.close();
    }
  }, 180_000);
});
