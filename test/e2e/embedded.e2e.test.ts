import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserTokens } from '../../common/auth.ts';
import { twilioSignature } from '../../common/twilio.ts';
import { launchChromium, openSignedIn } from '../support/clients.ts';
import { postWithKey } from '../support/gavel.ts';
import { startEmbedded, type RunningEmbedded } from '../support/embedded.ts';
import { until } from '../support/orchestrator.ts';
import { adminBuilders } from '../support/builders.ts';

/**
 * The README's run command, as a user gets it: `npm start`'s process (gateway, engine, hub and the
 * back office on PGlite in one process) with the demo sale seeded through the back office. A live
 * lot is opened, bid on and hammered through the public API, and the back office records the
 * result with the invoice — the whole path from ingress to ledger to result. Its stdout is a pipe,
 * not a terminal, as in a log collector: no token is printed, so the test signs in as a user would
 * without a terminal (the demo sign-in; an admin token signed with the ADMIN_JWT_KEY it set).
 */
let gavel: RunningEmbedded | undefined;
let api: string;
let admin: string;
const tokens: Record<string, string> = {};
const USER_KEY = 'embedded-test-user-key-0123456789abcdef0123';
const ADMIN_KEY = 'embedded-test-admin-key-0123456789abcdef012';
const TWILIO_TOKEN = 'embedded-test-twilio-token';

beforeAll(async () => {
  gavel = await startEmbedded('embedded', {
    LIFECYCLE_TICK_MS: '50',
    GATEWAY_JWT_KEY: USER_KEY,
    ADMIN_JWT_KEY: ADMIN_KEY,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
  });
  ({ api, admin } = gavel);
  for (const [name, user] of [
    ['Alice Martin', 'bidder-alice'],
    ['Bob Okafor', 'bidder-bob'],
    ['Auctioneer', 'demo-auctioneer'],
  ] as const) {
    const res = await fetch(`${api}/v1/demo/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    tokens[name] = ((await res.json()) as { token: string }).token;
  }
  tokens.Admin = gavel.adminToken;
}, 180_000);

afterAll(async () => {
  await gavel?.stop();
});

const post = (path: string, token: string, body?: unknown) => postWithKey(`${api}${path}`, token, body);

async function adminGet(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${admin}${path}`, { headers: { Authorization: `Bearer ${tokens.Admin!}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('npm start (embedded default)', () => {
  it('prints the URLs but no credential (stdout is no terminal), and serves the demo sale from the back office', async () => {
    const out = gavel!.output();
    expect(out).toContain('/floor');
    expect(out).toContain('/bid');
    expect(out).toContain('Demo tokens are not printed: stdout is not a terminal');
    // Neither a JWT, nor a signed webhook, nor the keys it was given.
    expect(out).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    expect(out).not.toContain('X-Twilio-Signature');
    for (const secret of [USER_KEY, ADMIN_KEY, TWILIO_TOKEN]) expect(out).not.toContain(secret);
    // The embedded admin API takes admin tokens of ADMIN_JWT_KEY, not of the gateway's key.
    const gatewayKeyAdmin = await new UserTokens({ key: USER_KEY, audience: 'admin' }).sign({
      id: 'ops',
      role: 'admin',
      name: 'Ops',
    });
    const refused = await fetch(`${admin}/sales`, {
      headers: { Authorization: `Bearer ${gatewayKeyAdmin}` },
    });
    expect(refused.status).toBe(401);
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

  it('takes an SMS bid signed with its TWILIO_AUTH_TOKEN: the number the back office holds is the bidder, the reply is the answer', async () => {
    // Bob's number, as the demo seeds it, texting lot 103 (timed-3).
    const url = `${api}/v1/messaging/twilio`;
    const form = new URLSearchParams({
      MessageSid: 'SMembedded1',
      From: '+447700900102',
      Body: '#103 20000',
    });
    const signature = twilioSignature(TWILIO_TOKEN, url, form);
    const send = async (): Promise<string> => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
        body: form.toString(),
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

// Last: it adds a sale, which the tests above (the seeded demo, exactly) must not see.
describe("npm start: one catalogue, the back office's", () => {
  it('serves a sale made and published through the admin API in the catalogue of the gateway', async () => {
    const ok = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${admin}${path}`, {
        method,
        headers: { Authorization: `Bearer ${tokens.Admin!}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return (await res.json()) as Record<string, unknown>;
    };
    const listed = async (): Promise<{ id: string; title: string; lotCount: number }[]> => {
      const res = await fetch(`${api}/v1/sales`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { sales: { id: string; title: string; lotCount: number }[] }).sales;
    };
    // The seeded demo sales come from the back office too, so the list is not empty before.
    expect((await listed()).map((s) => s.id)).not.toContain('autumn-sale');
    const b = adminBuilders(ok);
    await b.setUp({
      sale: { id: 'autumn-sale', title: 'Autumn sale' },
      lots: [{ id: 'autumn-1', title: 'A bronze horse' }],
    });
    // A draft is not in the public catalogue; once published it is.
    expect((await listed()).map((s) => s.id)).not.toContain('autumn-sale');
    await b.publish('autumn-sale');
    expect((await listed()).find((s) => s.id === 'autumn-sale')).toMatchObject({
      title: 'Autumn sale',
      lotCount: 1,
    });
    const res = await fetch(`${api}/v1/sales/autumn-sale`);
    expect(res.status).toBe(200);
    const { sale } = (await res.json()) as { sale: { lots: { id: string; title: string }[] } };
    expect(sale.lots.map((l) => [l.id, l.title])).toEqual([['autumn-1', 'A bronze horse']]);
  });
});
