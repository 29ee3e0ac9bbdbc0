import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, screenshot } from '../support/clients.ts';
import { adminCall, startEmbedded, type RunningEmbedded } from '../support/embedded.ts';

/**
 * The bidder's pages in French (docs/bidders.md, "Languages"), in `npm start`'s process: a browser
 * whose language is French (Playwright's `locale: 'fr-FR'` sends Accept-Language fr-FR) gets
 * `<html lang="fr">`, French words and French money; the EN | FR switch turns the page English and
 * keeps the lot open. And `/sign-in?next=`: a bidder who signs up by email link from a lot page
 * lands back on that lot.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
const SALE = 'e2e-i18n';
const LOT = 'e2e-i18n-1';
const PHONE = { width: 390, height: 844 };

const admin = (method: string, path: string, body?: unknown): Promise<void> =>
  adminCall(gavel!, method, path, body);

beforeAll(async () => {
  gavel = await startEmbedded('i18n-e2e', { LIFECYCLE_TICK_MS: '50' });
  const iso = (ms: number): string => new Date(ms).toISOString();
  const later = Date.now() + 3_600_000;
  await admin('POST', '/sales', {
    id: SALE,
    mode: 'timed',
    currency: 'EUR',
    title: 'Tableaux modernes',
    startsAt: iso(later),
    endsAt: iso(later + 3_600_000),
  });
  await admin('POST', `/sales/${SALE}/lots`, {
    id: LOT,
    lotNumber: 1,
    title: 'Nature morte aux citrons',
    opening: '18000.00',
    increments: [{ from: '0.00', step: '1000.00' }],
  });
  await admin('POST', `/sales/${SALE}/publish`);
  await admin('POST', `/sales/${SALE}/registrations`, {
    bidderId: 'bidder-alice',
    approve: true,
    limit: '50000.00',
  });
  const now = Date.now();
  await admin('PATCH', `/sales/${SALE}`, { startsAt: iso(now - 1000), endsAt: iso(now + 3_600_000) });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

/** A fresh French phone; `fn` runs on its page, which prints its console when `fn` fails. */
async function frenchPhone(fn: (p: Page, context: BrowserContext) => Promise<void>): Promise<void> {
  const context = await browser!.newContext({ viewport: PHONE, locale: 'fr-FR' });
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    await fn(page, context);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\npage logs:\n${logs.join('\n')}`, {
      cause: err,
    });
  } finally {
    await context.close();
  }
}

const text = async (p: Page, selector: string): Promise<string> =>
  (await p.$eval(selector, (el) => (el as HTMLElement).innerText)).trim();
const htmlLang = (p: Page): Promise<string | null> => p.getAttribute('html', 'lang');

describe('the bidder pages in French', () => {
  it('speaks French to a French browser, money included, and the switch turns it English on the same lot', async () => {
    await frenchPhone(async (p, context) => {
      await p.goto(`${gavel!.api}/bid#lot=${LOT}`);
      expect(await htmlLang(p)).toBe('fr');
      await p.waitForSelector('#sign-in:not([hidden])');
      expect(await text(p, '#sign-in-title')).toBe('Connectez-vous pour enchérir');
      expect(await p.title()).toBe('Gavel — enchérir en ligne');
      await p.click('[data-user="bidder-alice"]');
      await p.waitForSelector('#conn[data-state="live"]', { timeout: 30_000 });
      expect(await text(p, '#conn')).toBe('En direct');
      await p.waitForSelector('#bid-button:not([disabled])', { timeout: 30_000 });
      // French money: a (narrow) no-break space between thousands, a decimal comma, the code after.
      expect(await text(p, '#bid-button')).toMatch(/^Enchérir 18\s000,00\sEUR$/u);
      expect(await text(p, '#leader')).toBe('Aucune enchère pour l’instant');
      expect(await text(p, '#lot-status')).toBe('Ouvert');
      expect(await text(p, 'label[for="max-input"]')).toBe('Ou laissez un ordre d’achat');
      expect(await p.getAttribute('.lang-switch a[aria-current]', 'data-lang')).toBe('fr');
      await expectAccessible(p, 'the lot page in French');
      await screenshot(p, 'i18n-lot-fr-390');

      // EN: the cookie is set for a year, the page reloads in English on the same lot, still signed in.
      await Promise.all([p.waitForEvent('load'), p.click('.lang-switch a[data-lang="en"]')]);
      expect(await htmlLang(p)).toBe('en');
      expect(new URL(p.url()).hash).toBe(`#lot=${LOT}`);
      await p.waitForSelector('#bid-button:not([disabled])', { timeout: 30_000 });
      expect(await text(p, '#bid-button')).toBe('Bid EUR 18,000.00');
      expect(await text(p, '#sign-out')).toBe('Sign out');
      const lang = (await context.cookies()).find((c) => c.name === 'lang');
      expect(lang).toMatchObject({ value: 'en', sameSite: 'Lax', path: '/' });
      const yearAway = Date.now() / 1000 + 365 * 24 * 3600;
      expect(Math.abs(lang!.expires - yearAway)).toBeLessThan(3600);
      await expectAccessible(p, 'the lot page switched to English');

      // The choice outlives the browser's own language: a new visit stays English.
      await p.goto(`${gavel!.api}/`);
      expect(await htmlLang(p)).toBe('en');
      expect(await text(p, 'a[href="/bid"]')).toBe('Bid online');
      await expectAccessible(p, 'the landing page with its switch');
    });
  }, 120_000);

  it('signs a new bidder up from a lot page and lands back on that lot (/sign-in?next=)', async () => {
    await frenchPhone(async (p) => {
      const base = gavel!.api;
      await p.goto(`${base}/bid#lot=${LOT}`);
      await p.waitForSelector('#sign-in:not([hidden])');
      await Promise.all([p.waitForURL(/\/sign-in\?next=/), p.click('#email-sign-in')]);
      expect(new URL(p.url()).searchParams.get('next')).toBe(`/bid#lot=${LOT}`);
      expect(await htmlLang(p)).toBe('fr');
      expect(await text(p, 'h1')).toBe('Se connecter à Gavel');
      await expectAccessible(p, '/sign-in in French');
      await p.fill('#signup-name', 'Colette Renard');
      await p.fill('#signup-email', 'colette@example.com');
      await Promise.all([p.waitForURL(`${base}/sign-in/sent`), p.click('form:has(#signup-name) button')]);
      expect(await text(p, 'h1')).toBe('Consultez vos e-mails');

      await p.goto(`${base}/dev/mail`);
      const mail = p.locator('article.mail[data-to="colette@example.com"] pre');
      await expect.poll(() => mail.count(), { timeout: 20_000 }).toBe(1);
      const link = /http:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec((await mail.textContent()) ?? '')?.[0];
      expect(link).toBeDefined();
      await p.goto(link!);
      await Promise.all([p.waitForURL(`${base}/bid#lot=${LOT}`), p.click('#confirm-sign-in')]);
      // Signed in by the cookie, on the lot the bidder came from, in French.
      await p.waitForFunction(() => document.querySelector('#who')?.textContent === 'Colette Renard', null, {
        timeout: 30_000,
      });
      await p.waitForSelector('#lot:not([hidden])', { timeout: 30_000 });
      expect(await text(p, '#lot-title')).toBe('Nature morte aux citrons');
      expect(await htmlLang(p)).toBe('fr');
    });
  }, 120_000);
});
