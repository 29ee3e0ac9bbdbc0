import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Signs the demo admin in as a person would (npm start): /admin/sales sends the visitor to /sign-in,
 * the link is read from the local outbox (/dev/mail) and confirmed; answers the page on /admin/sales.
 */
export async function signInAdmin(context: BrowserContext, base: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/admin/sales`);
  // Not signed in: the panel sends the visitor to sign in.
  await page.waitForURL(`${base}/sign-in`);
  await page.fill('#email', 'admin@gavel.local');
  await Promise.all([page.waitForURL(`${base}/sign-in/sent`), page.click('form:has(#email) button')]);
  await page.goto(`${base}/dev/mail`);
  const mail = page.locator('article.mail[data-to="admin@gavel.local"] pre');
  await expect.poll(() => mail.count(), { timeout: 15_000 }).toBe(1);
  const link = /http:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec((await mail.textContent()) ?? '')![0];
  await page.goto(link);
  await Promise.all([page.waitForURL(/\/floor$/), page.click('#confirm-sign-in')]);
  await page.goto(`${base}/admin/sales`);
  return page;
}
