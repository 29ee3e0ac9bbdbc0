import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium, openSignedIn, screenshot } from '../support/clients.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';
import { signInAdmin } from '../support/panel.ts';

/**
 * The back-office panel on `npm start`, as the house's admin uses it: signs in by email link (the
 * local outbox), creates a sale and a lot, publishes it — the lot reaches /bid and /floor —, verifies
 * a bidder by hand and approves their registration, and downloads the ledger CSV, which must match
 * the ledger as the admin API gives it. Every panel page passes axe; screenshots at 1280 and 1024 px.
 */
let gavel: RunningEmbedded | undefined;
let browser: Browser | undefined;
let base: string;

const SALE = 'e2e-panel-sale';
const LOT = 'e2e-panel-lot';
const LAPTOP = { width: 1280, height: 900 };
const TABLET = { width: 1024, height: 768 };

beforeAll(async () => {
  gavel = await startEmbedded('admin-panel');
  base = gavel.api;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gavel?.stop();
});

/** `2026-12-07T15:04` for an instant, in UTC (the sale's zone here). */
const utcLocal = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** Checks the page with axe and keeps a screenshot at both widths. */
async function record(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await page.setViewportSize(TABLET);
  await expectAccessible(page, `${name} at 1024 px`);
  await screenshot(page, `admin-${name}-1024`);
  await page.setViewportSize(LAPTOP);
  await screenshot(page, `admin-${name}-1280`);
}

/** A demo bidder's API token (the demo sign-in, from this machine). */
async function bidderToken(user: string): Promise<string> {
  const res = await fetch(`${base}/v1/demo/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function placeBid(token: string, amount: string, key: string): Promise<number> {
  const res = await fetch(`${base}/v1/auctions/${LOT}/bids`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ amount }),
  });
  return res.status;
}

async function adminApi<T>(path: string): Promise<T> {
  const res = await fetch(`${gavel!.admin}${path}`, {
    headers: { Authorization: `Bearer ${gavel!.adminToken}` },
  });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

describe('the back-office panel (embedded default)', () => {
  it('runs a sale from the panel: create, publish, approve, and export a ledger that matches', async () => {
    const context = await browser!.newContext({ viewport: LAPTOP, acceptDownloads: true });
    const logs: string[] = [];
    context.on('page', (p) => p.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`)));
    try {
      const page = await signInAdmin(context, base);
      expect(await page.textContent('h1')).toBe('Sales');
      await record(page, 'sales');

      // A new sale: a refused currency is shown next to its field, with what was typed kept.
      await page.click('text=New sale');
      await page.fill('#f-id', SALE);
      await page.fill('#f-title', 'Panel Test — Works on Paper');
      await page.fill('#f-currency', 'ZZZ');
      await page.fill('#f-timezone', 'UTC');
      // Opens a few seconds from now (the lifecycle opens it), ends in an hour.
      await page.fill('#f-startsAt', utcLocal(Date.now() + 60_000));
      await page.fill('#f-endsAt', utcLocal(Date.now() + 3_600_000));
      await page.fill('#f-cddThreshold', '10000.00');
      await page.click('button:has-text("Create the sale")');
      await page.waitForSelector('#f-currency-error');
      expect(await page.textContent('#f-currency-error')).toContain('ISO 4217');
      expect(await page.inputValue('#f-title')).toBe('Panel Test — Works on Paper');
      await record(page, 'sale-refused');
      await page.fill('#f-currency', 'EUR');
      await Promise.all([
        page.waitForURL(`${base}/admin/sales/${SALE}?done=created`),
        page.click('button:has-text("Create the sale")'),
      ]);
      await page.waitForSelector('text=Created.');

      // A lot, then publish.
      await page.click('text=Add a lot');
      await page.fill('#f-id', LOT);
      await page.fill('#f-lotNumber', '1');
      await page.fill('#f-title', 'Rembrandt, an etching');
      await page.fill('#f-opening', '100.00');
      await page.fill('#f-reserve', '150.00');
      await page.fill('#f-estimateLow', '200.00');
      await page.fill('#f-estimateHigh', '400.00');
      await record(page, 'lot-new');
      await Promise.all([page.waitForURL(/done=created/), page.click('button:has-text("Add the lot")')]);
      expect(await page.textContent('table')).toContain('Rembrandt, an etching');
      await Promise.all([
        page.waitForURL(/done=published/),
        page.click('button:has-text("Publish the sale")'),
      ]);
      await page.waitForSelector('.badge.scheduled, .badge.open');
      await record(page, 'sale');

      // The lot is in the one catalogue: the bidder's page and the floor console show it.
      const bidder = await openSignedIn(browser!, base, '/bid', 'bidder-alice', { width: 390, height: 844 });
      await bidder.page.waitForFunction(
        () => document.body.innerText.includes('Rembrandt, an etching'),
        undefined,
        {
          timeout: 30_000,
        },
      );
      await bidder.context.close();
      const floor = await openSignedIn(browser!, base, '/floor', 'demo-auctioneer', TABLET);
      await floor.page.waitForFunction(() => document.body.innerText.includes('Works on Paper'), undefined, {
        timeout: 30_000,
      });
      await floor.context.close();

      // A new bidder (made through the admin API: bidders sign up elsewhere) is verified by hand — KYC is off here.
      const created = await fetch(`${gavel!.admin}/bidders`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${gavel!.adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: 'e2e-grace', name: 'Grace Panel', email: 'grace.panel@example.com' }),
      });
      expect(created.status).toBe(201);
      await page.goto(`${base}/admin/bidders?q=grace.panel`);
      await record(page, 'bidders');
      await page.click('a[href="/admin/bidders/e2e-grace"]');
      await page.fill('#kyc-reason', 'ok');
      await page.click('button:has-text("Mark identity verified")');
      await page.waitForSelector('#kyc-reason-error');
      await record(page, 'bidder-refused');
      await page.fill('#kyc-reason', 'passport seen at the front desk');
      await Promise.all([
        page.waitForURL(/done=verified/),
        page.click('button:has-text("Mark identity verified")'),
      ]);
      expect(await page.textContent('section[aria-labelledby="kyc-h"] table')).toContain(
        'passport seen at the front desk',
      );
      await record(page, 'bidder');
      const grace = await adminApi<{ bidder: { kycStatus: string } }>('/bidders/e2e-grace');
      expect(grace.bidder.kycStatus).toBe('verified');

      // Alice (a demo bidder, identity checked) registers and is approved with a limit.
      await page.goto(`${base}/admin/sales/${SALE}/registrations`);
      await page.fill('#f-bidderId', 'bidder-alice');
      await Promise.all([page.waitForURL(/done=registered/), page.click('button:has-text("Register")')]);
      expect(await page.textContent('tbody')).toContain('pending');
      await page.fill('#limit-bidder-alice', '5000.00');
      await Promise.all([page.waitForURL(/done=decided/), page.click('button:has-text("Approve")')]);
      expect(await page.textContent('tbody')).toContain('approved');
      await record(page, 'registrations');
      const regs = await adminApi<{ registrations: { bidderId: string; status: string; limit: string }[] }>(
        `/sales/${SALE}/registrations`,
      );
      expect(regs.registrations).toEqual([
        expect.objectContaining({ bidderId: 'bidder-alice', status: 'approved', limit: '5000.00' }),
      ]);

      // No terms are published (version 0), so none to accept: Alice bids once the sale opens.
      const token = await bidderToken('bidder-alice');
      await expect
        .poll(async () => placeBid(token, '100.00', `k-open-${Date.now()}`), {
          timeout: 120_000,
          interval: 2_000,
        })
        .toBe(201);
      expect(await placeBid(token, '50.00', 'k-low')).toBe(409); // below the asking price: refused, and recorded
      expect(await placeBid(token, '9000.00', 'k-over')).toBe(403); // over the limit

      // The live view and the lot's page show the bids.
      await page.goto(`${base}/admin/sales/${SALE}/live`);
      await expect
        .poll(async () => page.textContent('#live-table tbody'), { timeout: 30_000 })
        .toContain('100.00');
      await record(page, 'live');
      await page.goto(`${base}/admin/lots/${LOT}`);
      await record(page, 'lot');
      // The house cancels Alice's accepted bid, with a reason (the browser itself asks for 3 characters at least).
      const accepted = page.locator('form[aria-label^="Cancel bid"]');
      await expect.poll(() => accepted.count(), { timeout: 30_000 }).toBe(1);
      await accepted.locator('input[name="reason"]').fill('bidder phoned: wrong lot');
      await Promise.all([page.waitForURL(/done=bid-cancelled/), accepted.locator('button').click()]);
      expect(await page.textContent('section[aria-labelledby="bids-h"] tbody')).toContain(
        'cancelled: bidder phoned: wrong lot',
      );

      // The ledger CSV, downloaded from the results page, holds every decision the ledger has.
      type Entry = {
        seq: number;
        outcome: string;
        amount: string | null;
        channel: string;
        correlationId: string;
      };
      // The ledger writer has caught up once the last bid (the one over the limit) is in.
      await expect
        .poll(
          async () =>
            (await adminApi<{ entries: Entry[] }>(`/lots/${LOT}/bids`)).entries.map((e) => e.amount),
          { timeout: 30_000 },
        )
        .toContain('9000.00');
      const ledger = (await adminApi<{ entries: Entry[] }>(`/lots/${LOT}/bids`)).entries;
      await page.goto(`${base}/admin/sales/${SALE}/results`);
      await record(page, 'results');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('a[href$="/ledger.csv"]'),
      ]);
      expect(download.suggestedFilename()).toBe(`${SALE}-ledger.csv`);
      const rows = parse<Record<string, string>>(await readFile(await download.path(), 'utf8'), {
        columns: true,
      });
      expect(rows.map((r) => [Number(r.seq), r.outcome, r.amount, r.channel, r.correlation_id])).toEqual(
        ledger.map((e) => [e.seq, e.outcome, e.amount ?? '', e.channel, e.correlationId ?? '']),
      );
      expect(rows.map((r) => r.outcome)).toEqual(expect.arrayContaining(['accepted', 'rejected']));
      expect(rows.filter((r) => r.cancel_reason !== '').map((r) => [r.outcome, r.cancel_reason])).toEqual([
        ['accepted', 'bidder phoned: wrong lot'],
      ]);
      for (const r of rows) expect(Date.parse(r.decided_at!)).not.toBeNaN();

      // Every change above is in the audit log with the signed-in admin as its actor.
      await page.goto(`${base}/admin/audit?entityType=sale&entityId=${SALE}`);
      const audit = (await page.textContent('tbody')) ?? '';
      expect(audit).toContain('sale.create');
      expect(audit).toContain('sale.publish');
      expect(audit).toMatch(/admin:acc_/);
      await record(page, 'audit');
      expect(logs).toEqual([]);
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\npage logs:\n${logs.join('\n')}`, {
        cause: err,
      });
    } finally {
      await context.close();
    }
  }, 400_000);

  it('refuses an auctioneer the panel', async () => {
    const context = await browser!.newContext({ viewport: TABLET });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/sign-in`);
      await page.fill('#email', 'auctioneer@gavel.local');
      await Promise.all([page.waitForURL(`${base}/sign-in/sent`), page.click('form:has(#email) button')]);
      await page.goto(`${base}/dev/mail`);
      const mail = page.locator('article.mail[data-to="auctioneer@gavel.local"] pre');
      await expect.poll(() => mail.count(), { timeout: 15_000 }).toBe(1);
      const link = /http:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec((await mail.textContent()) ?? '')![0];
      await page.goto(link);
      await Promise.all([page.waitForURL(/\/floor$/), page.click('#confirm-sign-in')]);
      const res = await page.goto(`${base}/admin/sales`);
      expect(res?.status()).toBe(403);
      await expectAccessible(page, 'the panel refusing an auctioneer');
    } finally {
      await context.close();
    }
  }, 120_000);
});
