import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, screenshot } from '../support/clients.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';
import { freePort } from '../support/net.ts';

/**
 * Passkeys, the staff's authenticator app and staff invitations on `npm start`, driven by Chromium.
 * WebAuthn needs a domain for its rpID (an IP address is refused), so this Gavel's PUBLIC_ORIGIN is
 * `http://localhost:<port>` (a secure context, as https is). The authenticator is Chromium's
 * virtual one (DevTools protocol), with resident keys and user verification.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  gavel = await startEmbedded('passkeys', { PORT: String(port), PUBLIC_ORIGIN: base });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

interface Tab {
  context: BrowserContext;
  page: Page;
  logs: string[];
}

async function open(viewport: { width: number; height: number }, authenticator = false): Promise<Tab> {
  const context = await browser!.newContext({ viewport });
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  if (authenticator) {
    await context.addInitScript(() => {
      if (localStorage.getItem('test-no-autofill') === '1')
        PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
  }
  return { context, page, logs };
}

/** Runs `fn`, and on failure adds what the page printed. */
async function withLogs(tab: Tab, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\npage logs:\n${tab.logs.join('\n')}`,
      {
        cause: err,
      },
    );
  } finally {
    await tab.context.close();
  }
}

/** The newest sign-in link mailed to `to`, from the local outbox; `after`: how many such mails came before. */
async function linkFor(page: Page, to: string, after = 0): Promise<string> {
  await expect
    .poll(
      async () => {
        await page.goto(`${base}/dev/mail`);
        return page.locator(`article.mail[data-to="${to}"]`).count();
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(after);
  const text = (await page.locator(`article.mail[data-to="${to}"] pre`).first().textContent()) ?? '';
  const link = /http:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec(text)?.[0];
  if (link === undefined) throw new Error(`no link in the mail to ${to}: ${text}`);
  return link;
}

const mails = async (page: Page, to: string): Promise<number> => {
  await page.goto(`${base}/dev/mail`);
  return page.locator(`article.mail[data-to="${to}"]`).count();
};

/** Asks for a sign-in link for `email` and follows it; answers where the sign-in landed. */
async function signInByLink(page: Page, email: string): Promise<string> {
  const before = await mails(page, email);
  await page.goto(`${base}/sign-in`);
  await page.fill('#email', email);
  await Promise.all([page.waitForURL(`${base}/sign-in/sent`), page.click('form:has(#email) button')]);
  await page.goto(await linkFor(page, email, before));
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in/link')),
    page.click('#confirm-sign-in'),
  ]);
  return new URL(page.url()).pathname;
}

/** GET /v1/session with the page's cookies (from the test: the pages' CSP allows no such fetch). */
const whoAmI = async (page: Page) => {
  const r = await page.context().request.get(`${base}/v1/session`);
  return { status: r.status(), body: (await r.json()) as { account?: { name: string; roles: string[] } } };
};

const totpOf = (secret: string) =>
  new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

describe('passkeys (embedded default, Chromium virtual authenticator)', () => {
  it('a bidder signs up by link, adds a passkey, signs out, and signs in with the passkey', async () => {
    const tab = await open({ width: 390, height: 844 }, true);
    const { page } = tab;
    await withLogs(tab, async () => {
      await page.goto(`${base}/sign-in`);
      await page.fill('#signup-name', 'Ada Lovelace');
      await page.fill('#signup-email', 'ada@example.com');
      await Promise.all([
        page.waitForURL(`${base}/sign-in/sent`),
        page.click('form:has(#signup-name) button'),
      ]);
      await page.goto(await linkFor(page, 'ada@example.com'));
      await Promise.all([page.waitForURL(`${base}/bid`), page.click('#confirm-sign-in')]);

      await page.goto(`${base}/account`);
      await page.waitForSelector('#add-passkey:not([hidden])');
      await expectAccessible(page, '/account (bidder, no passkey)');
      await page.fill('#passkey-name', 'Ada’s phone');
      await Promise.all([
        page.waitForURL(`${base}/account?notice=passkey-added`, { timeout: 30_000 }),
        page.click('#add-passkey button'),
      ]);
      await expect.poll(() => page.locator('#passkeys li').count()).toBe(1);
      expect(await page.textContent('#passkeys')).toContain('Ada’s phone');
      await expectAccessible(page, '/account (bidder, one passkey)');
      await screenshot(page, 'account-passkey-390');

      // First the button: this tab's autofill is turned off (Chromium's virtual authenticator answers
      // an autofill request at once, as a person picking the passkey there would).
      await page.evaluate(() => localStorage.setItem('test-no-autofill', '1'));
      await Promise.all([page.waitForURL(`${base}/sign-in`), page.click('form[action="/sign-out"] button')]);
      expect((await whoAmI(page)).status).toBe(401);
      await page.waitForSelector('#passkey-sign-in:not([hidden])');
      await expectAccessible(page, '/sign-in with passkey');
      await screenshot(page, 'sign-in-passkey-390');
      await Promise.all([page.waitForURL(`${base}/bid`, { timeout: 30_000 }), page.click('#passkey-button')]);
      const me = await whoAmI(page);
      expect(me.status).toBe(200);
      expect(me.body.account?.name).toBe('Ada Lovelace');
      await page.waitForFunction(() => document.querySelector('#who')?.textContent === 'Ada Lovelace');

      // Then the autofill (conditional UI): signed out, the sign-in page offers the passkey by itself.
      await page.evaluate(() => localStorage.removeItem('test-no-autofill'));
      await page.goto(`${base}/account`);
      await Promise.all([
        page.waitForURL(`${base}/bid`, { timeout: 30_000 }),
        page.click('form[action="/sign-out"] button'),
      ]);
      expect((await whoAmI(page)).body.account?.name).toBe('Ada Lovelace');
      await page.waitForFunction(() => document.querySelector('#who')?.textContent === 'Ada Lovelace');
    });
  }, 120_000);

  it('a staff admin turns the authenticator app on; the next sign-in asks for its code', async () => {
    const tab = await open({ width: 1024, height: 768 }, true);
    const { page } = tab;
    await withLogs(tab, async () => {
      expect(await signInByLink(page, 'admin@gavel.local')).toBe('/floor');
      await page.goto(`${base}/account`);
      await Promise.all([
        page.waitForURL(`${base}/account/totp`),
        page.click('form[action="/account/totp"] button'),
      ]);
      await expectAccessible(page, 'authenticator set-up');
      await screenshot(page, 'totp-set-up-1024');
      const secret = (await page.textContent('#totp-secret'))!.trim();
      expect(await page.textContent('#totp-uri')).toContain(`secret=${secret}`);
      // A wrong code: the same page, saying so.
      await page.fill('#totp-code', '000000' === totpOf(secret).generate() ? '111111' : '000000');
      await page.click('form[action="/account/totp/confirm"] button');
      await page.waitForSelector('p.error[role="alert"]');
      expect(await page.textContent('#totp-secret')).toBe(secret);
      await page.fill('#totp-code', totpOf(secret).generate());
      await page.click('form[action="/account/totp/confirm"] button');
      await page.waitForSelector('#recovery-codes');
      const recovery = ((await page.textContent('#recovery-codes')) ?? '').trim().split('\n');
      expect(recovery).toHaveLength(8);
      await expectAccessible(page, 'recovery codes');

      await page.goto(`${base}/account`);
      await Promise.all([page.waitForURL(`${base}/sign-in`), page.click('form[action="/sign-out"] button')]);
      expect(await signInByLink(page, 'admin@gavel.local')).toBe('/sign-in/code');
      // Waiting for the code, the session signs no one in.
      expect((await whoAmI(page)).status).toBe(401);
      await expectAccessible(page, '/sign-in/code');
      await screenshot(page, 'sign-in-code-1024');
      await page.fill('#code', '12');
      await page.click('form[action="/sign-in/code"] button');
      await page.waitForSelector('p.error[role="alert"]');
      // The code of the next 30-second step: the confirming code's step was used.
      await page.fill('#code', totpOf(secret).generate({ timestamp: Date.now() + 30_000 }));
      await Promise.all([
        page.waitForURL(`${base}/floor`),
        page.click('form[action="/sign-in/code"] button'),
      ]);
      const me = await whoAmI(page);
      expect(me.status).toBe(200);
      expect(me.body.account?.roles).toEqual(['admin']);

      // Staff: the admin invites an auctioneer, who signs in with the link and has that role.
      await page.goto(`${base}/admin/staff`);
      await expectAccessible(page, '/admin/staff');
      await screenshot(page, 'admin-staff-1024');
      await page.fill('#invite-name', 'Nina Clerk');
      await page.fill('#invite-email', 'nina@house.example');
      await Promise.all([
        page.waitForURL(`${base}/admin/staff?notice=invited`),
        page.click('form[action="/admin/staff/invite"] button'),
      ]);
      const nina = page.locator('li[data-email="nina@house.example"]');
      await expect.poll(() => nina.count()).toBe(1);
      expect(await nina.textContent()).toContain('No live session');

      const invitee = await open({ width: 390, height: 844 });
      await withLogs(invitee, async () => {
        const p2 = invitee.page;
        await p2.goto(await linkFor(p2, 'nina@house.example'));
        await Promise.all([p2.waitForURL(`${base}/floor`), p2.click('#confirm-sign-in')]);
        const her = await whoAmI(p2);
        expect(her.body.account).toMatchObject({ name: 'Nina Clerk', roles: ['auctioneer'] });

        // The admin sees her session, makes her an admin too, then disables her: her session ends.
        await page.goto(`${base}/admin/staff`);
        await screenshot(page, 'admin-staff-with-session-1024');
        await page.setViewportSize({ width: 390, height: 844 });
        await expectAccessible(page, '/admin/staff at 390 px');
        await screenshot(page, 'admin-staff-390');
        await nina.locator('input[value="admin"]').check();
        await Promise.all([
          page.waitForURL(`${base}/admin/staff?notice=roles`),
          nina.locator('form[action$="/roles"] button').click(),
        ]);
        expect((await whoAmI(p2)).body.account?.roles).toEqual(['admin', 'auctioneer']);
        await Promise.all([
          page.waitForURL(`${base}/admin/staff?notice=disabled`),
          nina.locator('form[action$="/status"] button').click(),
        ]);
        expect((await whoAmI(p2)).status).toBe(401);
        expect(await nina.textContent()).toContain('Disabled');
      });

      // A passkey sign-in asks for the code too: here a recovery code, which then is used up.
      await page.goto(`${base}/account`);
      await page.waitForSelector('#add-passkey:not([hidden])');
      await Promise.all([
        page.waitForURL(`${base}/account?notice=passkey-added`, { timeout: 30_000 }),
        page.click('#add-passkey button'),
      ]);
      await Promise.all([
        page.waitForURL(`${base}/sign-in/code`, { timeout: 30_000 }),
        page.click('form[action="/sign-out"] button'),
      ]);
      expect((await whoAmI(page)).status).toBe(401);
      await page.fill('#code', recovery[0]!);
      await Promise.all([
        page.waitForURL(`${base}/floor`),
        page.click('form[action="/sign-in/code"] button'),
      ]);
      expect((await whoAmI(page)).body.account?.name).toBe('Demo Admin');
      await page.goto(`${base}/account`);
      expect(await page.textContent('main')).toContain('7 recovery codes left');
    });
  }, 180_000);
});
