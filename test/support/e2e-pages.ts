/**
 * What the Chromium tests kept writing each for themselves: the viewports, a demo bidder's API
 * token, the embedded admin API, several signed-in screens at once, and the bidder lot page's
 * waits (status, phase, a bid that answers a confirmation when one is asked).
 */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { openSignedIn, type SignedInPage } from './clients.ts';
import type { RunningEmbedded } from './embedded.ts';

export const PHONE = { width: 390, height: 844 };
export const TABLET = { width: 1024, height: 768 };
export const DESKTOP = { width: 1280, height: 800 };

/** A demo user's API token (the demo sign-in answers only this machine). */
export async function demoToken(origin: string, user: string): Promise<string> {
  const res = await fetch(`${origin}/v1/demo/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  expect(res.status, `demo sign-in of ${user}`).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** The embedded admin API with the admin's token: each call must succeed; its JSON answer. */
export function adminApi(
  g: Pick<RunningEmbedded, 'admin' | 'adminToken'>,
): (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>> {
  return async (method, path, body) => {
    const res = await fetch(`${g.admin}${path}`, {
      method,
      headers: { Authorization: `Bearer ${g.adminToken}`, 'Content-Type': 'application/json' },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
    });
    const text = await res.text();
    expect(res.status, `${method} ${path}: ${text}`).toBeLessThan(300);
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  };
}

/** One screen to open: who signs in, where, at what size. */
export interface Screen {
  user: string;
  path: string;
  viewport: { width: number; height: number };
}

/** Opens the screens one after the other (each its own context) and answers them in the same order. */
export async function openScreens(
  browser: Browser,
  origin: string,
  screens: readonly Screen[],
): Promise<SignedInPage[]> {
  const opened: SignedInPage[] = [];
  for (const s of screens) opened.push(await openSignedIn(browser, origin, s.path, s.user, s.viewport));
  return opened;
}

/** Prints what each screen logged, for a failing test's message. */
export function printLogs(screens: readonly (SignedInPage | undefined)[], names: readonly string[]): void {
  for (const [i, s] of screens.entries())
    if (s !== undefined) console.error(`--- ${names[i] ?? i}\n${s.logs.join('\n')}`);
}

/** An element's text by id ('' when it has none). */
export const textOf = async (p: Page, id: string): Promise<string> => (await p.textContent(`#${id}`)) ?? '';

/** Waits until the lot page's status (`#lot-status[data-status]`) is `status` (or one of them). */
export async function lotStatus(
  p: Page,
  status: string | readonly string[],
  timeout = 20_000,
): Promise<void> {
  const want = typeof status === 'string' ? [status] : status;
  const selector = want.map((s) => `#lot-status[data-status="${s}"]`).join(', ');
  await p.waitForSelector(selector, { state: 'attached', timeout });
}

/** Waits until the lot page's phase (`#lot-status[data-phase]`: open, closing_soon, extended…) is `phase`. */
export async function lotPhase(p: Page, phase: string, timeout = 20_000): Promise<void> {
  await p.waitForSelector(`#lot-status[data-phase="${phase}"]`, { state: 'attached', timeout });
}

/** Waits until the lot page shows `shown` as the current bid. */
export async function price(p: Page, shown: string, timeout = 20_000): Promise<void> {
  await p.waitForSelector(`#price:text-is("${shown}")`, { state: 'attached', timeout });
}

/**
 * Bids the asking price from the lot page, which must be `expected` (e.g. "EUR 110.00"); answers the
 * confirmation when the page asks for one (its threshold is the page's business), then waits for
 * the acceptance.
 */
export async function bidOnPage(p: Page, expected: string, timeout = 15_000): Promise<void> {
  await p.waitForSelector('#bid-button:not([disabled])', { timeout });
  expect(await textOf(p, 'bid-button')).toContain(expected);
  await p.click('#bid-button');
  const asked = await p.waitForSelector('#confirm[open], #message[data-code="ACCEPTED"]', { timeout });
  if ((await asked.getAttribute('id')) === 'confirm') {
    expect(await textOf(p, 'confirm-text')).toContain(expected);
    await p.click('#confirm-yes');
    await p.waitForSelector('#message[data-code="ACCEPTED"]', { timeout });
  }
}
