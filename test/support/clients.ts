import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { decodeJwt } from 'jose';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { seedDemo, type RunningGateway } from '../../gateway/index.ts';
import { startTestGavel } from './gavel.ts';
import { tracked } from './registry.ts';

/** Where the end-to-end tests leave their screenshots (git-ignored). */
export const ARTIFACTS = new URL('../artifacts/', import.meta.url);

/** The embedded Gavel with its demo seeded: what `npm start` serves, on a free port. */
export async function startDemoGavel(): Promise<RunningGateway> {
  const g = await startTestGavel({ demo: true });
  await seedDemo(g.store!);
  return g;
}

/** Debian's Chromium, headless; never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  return tracked('Chromium', browser);
}

export interface SignedInPage {
  context: BrowserContext;
  page: Page;
  /** What the page printed to its console, for a failing test's message. */
  logs: string[];
}

/** A fresh browser context (its own cookies and storage) on `path`, signed in with the demo button of `user`. */
export async function openSignedIn(
  browser: Browser,
  baseUrl: string,
  path: string,
  user: string,
  viewport: { width: number; height: number },
): Promise<SignedInPage> {
  const context = tracked(`browser context of ${user}`, await browser.newContext({ viewport }));
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${baseUrl}${path}`);
  // The passwordless sign-in says what it is.
  const label = await page.textContent(`[data-user="${user}"]`);
  if (label?.startsWith('Demo: sign in as ') !== true || !(await page.isVisible('#demo-note')))
    throw new Error(`the demo sign-in button of ${user} is not labelled as the demo: "${label ?? ''}"`);
  await page.click(`[data-user="${user}"]`);
  await page.waitForSelector('#conn[data-state="live"]');
  return { context, page, logs };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

/**
 * Records which hub stream (SSE socket) belongs to which user, from the `mercureAuthorization`
 * cookie's subject, so a test can cut one browser's connection at the server as a network loss would.
 */
export function trackHubStreams(server: Server): { cut(userId: string): number } {
  const sockets = new Map<string, Set<Socket>>();
  server.on('request', (req: IncomingMessage) => {
    if (req.url?.startsWith('/.well-known/mercure') !== true) return;
    const token = /(?:^|;\s*)mercureAuthorization=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const sub = token === undefined ? undefined : decodeJwt(token).sub;
    if (sub === undefined) return;
    let set = sockets.get(sub);
    if (set === undefined) sockets.set(sub, (set = new Set()));
    set.add(req.socket);
    req.socket.once('close', () => set.delete(req.socket));
  });
  return {
    cut(userId) {
      const set = sockets.get(userId) ?? new Set<Socket>();
      const n = set.size;
      for (const s of set) s.destroy();
      return n;
    },
  };
}
