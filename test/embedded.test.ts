import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openSignedIn } from './support/clients.ts';
import { postWithKey } from './support/gavel.ts';
import { freePort } from './support/net.ts';
import { until } from './support/orchestrator.ts';

/**
 * The README's run command, as a user gets it: `npm start`'s process (gateway, engine, hub and the
 * back office on PGlite in one process) with the demo sale seeded through the back office. A live
 * lot is opened, bid on and hammered through the public API, and the back office records the
 * result with the invoice — the whole path from ingress to ledger to result.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess;
let out = '';
let dir: string;
let api: string;
let admin: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gavel-embedded-'));
  const [port, adminPort] = [await freePort(), await freePort()];
  child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      GAVEL_ADMIN_PORT: String(adminPort),
      GAVEL_DATA_DIR: join(dir, 'pglite'),
      GAVEL_MODE: 'embedded',
      LOG_LEVEL: 'warn',
      LIFECYCLE_TICK_MS: '50',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await until(
    'npm start to print its tokens',
    () => (out.includes('Stop with Ctrl-C') ? true : undefined),
    45_000,
  );
  for (const m of out.matchAll(/^\s{4}(Alice Martin|Bob Okafor|Auctioneer|Admin)\s+(\S+)/gm))
    tokens[m[1]!] = m[2]!;
  api = `http://127.0.0.1:${port}`;
  admin = `http://127.0.0.1:${adminPort}/admin/v1`;
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, token: string, body?: unknown) => postWithKey(`${api}${path}`, token, body);

async function adminGet(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${admin}${path}`, { headers: { Authorization: `Bearer ${tokens.Admin!}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('npm start (embedded default)', () => {
  it('prints the URLs and the demo sign-ins, and serves the demo sale from the back office', async () => {
    expect(Object.keys(tokens).sort()).toEqual(['Admin', 'Alice Martin', 'Auctioneer', 'Bob Okafor']);
    expect(out).toContain('/floor');
    expect(out).toContain('/bid');
    const sales = (await adminGet('/sales')).sales as { id: string; status: string }[];
    expect(sales.map((s) => [s.id, s.status]).sort()).toEqual([
      ['autumn-timed', 'open'],
      ['evening-live', 'open'],
    ]);
    const bid = await post('/v1/auctions/timed-1/bids', tokens['Alice Martin']!, { amount: '1000.00' });
    expect(bid.status).toBe(201);
    const lot = await until('the bid in the back office', async () => {
      const l = await adminGet('/lots/timed-1');
      return (l.engine as { bidCount: number }).bidCount === 1 ? l : undefined;
    });
    expect((lot.lot as { title: string }).title).toBe('Walnut Sideboard');
  });

  it('takes the printed SMS bid: the number the back office holds is the bidder, the reply is the answer', async () => {
    const m = /curl -X POST (\S+\/v1\/messaging\/twilio) -H 'X-Twilio-Signature: (\S+)' -d '(\S+)'/.exec(out);
    expect(m, 'npm start prints a signed SMS webhook').not.toBeNull();
    const send = async (): Promise<string> => {
      const res = await fetch(m![1]!, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': m![2]! },
        body: m![3]!,
      });
      expect(res.status).toBe(200);
      return res.text();
    };
    const reply = await send();
    expect(reply).toContain('<Message>Lot 103: bid accepted, you lead at EUR 20,000.00.');
    // Pasted twice: the same message id, the same answer, one bid.
    expect(await send()).toBe(reply);
    const lot = await until('the texted bid in the back office', async () => {
      const l = await adminGet('/lots/timed-3');
      return (l.engine as { bidCount: number }).bidCount >= 1 ? l : undefined;
    });
    expect(lot.engine).toMatchObject({ bidCount: 1, price: '20000.00' });
  });

  it('a live lot opened, bid on and hammered on the floor is recorded by the back office with its invoice', async () => {
    const clerk = tokens.Auctioneer!;
    expect((await post('/v1/auctions/live-2/floor/open', clerk)).status).toBe(200);
    expect(
      (await post('/v1/auctions/live-2/bids', tokens['Bob Okafor']!, { amount: '2500.00' })).status,
    ).toBe(201);
    expect((await post('/v1/auctions/live-2/floor/hammer', clerk)).status).toBe(200);
    // The next lot opening closes live-2's undo window; then the finaliser records it.
    expect((await post('/v1/auctions/live-2/floor/next', clerk, { nextAuctionId: 'live-1' })).status).toBe(
      200,
    );
    const results = await until('live-2 finalised', async () => {
      const r = (await adminGet('/sales/evening-live/results')).results as Record<string, unknown>[];
      return r.length > 0 ? r : undefined;
    });
    expect(results).toEqual([
      {
        lotId: 'live-2',
        lotNumber: 2,
        outcome: 'sold',
        hammer: '2500.00',
        buyer: 'bidder-bob',
        premium: '625.00',
        tax: '0.00',
        total: '3125.00',
      },
    ]);
    const audit = (await adminGet('/audit?entityType=sale')).entries as { action: string }[];
    expect(audit.map((a) => a.action)).toContain('sale.seed');
  });

  it('an admin cancels a bid and the bidder’s screen in Chromium goes back to the standing before it', async () => {
    const browser = await launchChromium();
    try {
      const alice = await openSignedIn(browser, api, '/bid#lot=timed-2', 'bidder-alice', {
        width: 390,
        height: 844,
      });
      const first = await post('/v1/auctions/timed-2/bids', tokens['Alice Martin']!, { amount: '5000.00' });
      expect(first.status).toBe(201);
      const bob = await post('/v1/auctions/timed-2/bids', tokens['Bob Okafor']!, { amount: '6000.00' });
      expect(bob.status).toBe(201);
      await alice.page.waitForFunction(
        () => document.getElementById('price')?.textContent === 'EUR 6,000.00',
      );
      const seq = (bob.body.bid as { seq: number }).seq;
      // The ledger has the bid within a pass; then the admin cancels it.
      const cancelled = await until('the cancellation', async () => {
        const res = await fetch(`${admin}/lots/timed-2/bids/${seq}/cancel`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tokens.Admin!}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ reason: 'bidder reported a typing error' }),
        });
        return res.status === 200 ? ((await res.json()) as { standing: { price: string } }) : undefined;
      });
      expect(cancelled.standing.price).toBe('5000.00');
      await alice.page.waitForFunction(
        () => document.getElementById('price')?.textContent === 'EUR 5,000.00',
      );
      await alice.page.waitForSelector('#my-status[data-state="leading"]');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
