import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createLogger } from '../../common/logger.ts';
import { errorHandler } from '../../common/http-errors.ts';
import {
  BidderSelfService,
  DevMailbox,
  generateVapidKeys,
  startAccounts,
  type AccountsService,
} from '../../orchestrator/index.ts';
import { migrate, pgliteDatabase, type Database } from '../../orchestrator/ledger.ts';
import type { ClientAssets } from '../routes/clients.ts';
import { csrfTokenFor } from '../session/csrf.ts';
import { meRoutes } from './routes.ts';

/**
 * "Notifications on this device" on the bidder's page and its JSON (`/v1/me/push`) through
 * `app.request()` on in-memory PGlite: the toggle's section and CSP, the CSRF token, the checks on
 * a subscription, and a site without Web Push saying so.
 */
const ORIGIN = 'https://bids.example.com';
const logger = createLogger('push-routes-test', 'silent');
const vapid = generateVapidKeys('mailto:ops@house.example');
const same = { 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN };
let db: Database;
let accounts: AccountsService;
const mailbox = new DevMailbox();

const clients = Promise.resolve({
  assets: new Map(),
  pages: { landing: { en: '', fr: '' }, floor: '', bid: { en: '', fr: '' }, room: '' },
  scripts: { push: '/assets/push.0123456789ab.js' },
  serviceWorker: 'self.addEventListener("push", () => {});',
} satisfies ClientAssets);

function app(push: boolean, withClients: boolean): Hono {
  const sync = { syncEligibility: () => Promise.resolve([]), syncBidder: () => Promise.resolve() };
  const a = new Hono();
  a.onError(errorHandler(logger));
  const bidders = new BidderSelfService({
    db,
    sync,
    push: push ? { publicKey: vapid.publicKey, allowLoopbackHttp: false } : undefined,
  });
  a.route(
    '/',
    meRoutes({ accounts, bidders, publicOrigin: ORIGIN, clients: withClients ? clients : undefined }),
  );
  return a;
}

const browserKeys = () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
};

let secret: string;
let cookie: string;

beforeAll(async () => {
  db = await pgliteDatabase();
  await migrate(db);
  accounts = startAccounts(db, { mailbox, logger }).accounts;
  await accounts.requestLink({ email: 'push@example.com', name: 'Push Bidder', origin: ORIGIN });
  const token = new URL(/https:\/\/\S+/.exec(mailbox.list()[0]!.text)![0]).searchParams.get('token')!;
  secret = (await accounts.consumeLink(token, undefined)).secret;
  cookie = `__Host-gavel_session=${secret}`;
}, 60_000);
afterAll(() => db.close());

describe('notifications on this device', () => {
  it('offers the toggle with the VAPID key, and lets the page load its script and service worker', async () => {
    const page = await app(true, true).request(`${ORIGIN}/account/bidding`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/assets/push.0123456789ab.js"></script>');
    expect(html).toContain(`data-key="${vapid.publicKey}"`);
    expect(html).toContain(`data-csrf="${csrfTokenFor(secret)}"`);
    expect(html).toContain('Off on all your devices.');
  });

  it('says it in French on a French page: the toggle, its state and one checkbox per kind', async () => {
    const page = await app(true, true).request(`${ORIGIN}/account/bidding`, {
      headers: { Cookie: `${cookie}; lang=fr` },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Notifications sur cet appareil');
    expect(html).toContain('Désactivées sur tous vos appareils.');
    expect(html).toContain('Activer les notifications');
    expect(html).toContain('<legend>Me prévenir quand</legend>');
    expect(html).toContain('Je suis surenchéri·e');
    expect(html).toContain('Je remporte un lot');
    expect(html).not.toContain('Turn on notifications');
    const noScript = await app(true, false).request(`${ORIGIN}/account/bidding`, {
      headers: { Cookie: cookie, 'Accept-Language': 'fr' },
    });
    expect(await noScript.text()).toContain('Les notifications ont besoin du script de ce site');
  });

  it('says so when the site has no Web Push, or no script to run the toggle, and loads no script', async () => {
    const off = await app(false, true).request(`${ORIGIN}/account/bidding`, { headers: { Cookie: cookie } });
    expect(await off.text()).toContain('Notifications on this device are not offered here.');
    expect(off.headers.get('content-security-policy')).not.toContain('script-src');
    const noScript = await app(true, false).request(`${ORIGIN}/account/bidding`, {
      headers: { Cookie: cookie },
    });
    expect(await noScript.text()).toContain('Notifications need this site’s script');
    expect(noScript.headers.get('content-security-policy')).not.toContain('script-src');
  });

  it('takes a subscription with the CSRF token, checks it, counts the devices, and removes it', async () => {
    const a = app(true, true);
    const call = (method: string, body: unknown, csrf: string | null = csrfTokenFor(secret)) =>
      a.request(`${ORIGIN}/v1/me/push`, {
        method,
        headers: {
          ...same,
          Cookie: cookie,
          'Content-Type': 'application/json',
          ...(csrf === null ? {} : { 'X-CSRF-Token': csrf }),
        },
        body: JSON.stringify(body),
      });
    const code = async (res: Response): Promise<string> =>
      ((await res.json()) as { error: { code: string } }).error.code;
    const keys = browserKeys();
    const endpoint = 'https://fcm.googleapis.com/fcm/send/abc123';
    const sub = { endpoint, expirationTime: null, keys };

    expect((await call('PUT', sub, null)).status).toBe(403);
    const cross = await a.request(`${ORIGIN}/v1/me/push`, {
      method: 'PUT',
      headers: { Origin: 'https://evil.example', Cookie: cookie, 'X-CSRF-Token': csrfTokenFor(secret) },
      body: JSON.stringify(sub),
    });
    expect(cross.status).toBe(403);
    // The back office here allows no http endpoint, not even on loopback.
    const http = await call('PUT', { ...sub, endpoint: 'http://127.0.0.1:9/push' });
    expect([http.status, await code(http)]).toEqual([400, 'BAD_PUSH_ENDPOINT']);
    const internal = await call('PUT', { ...sub, endpoint: 'https://10.0.0.5/push' });
    expect([internal.status, await code(internal)]).toEqual([400, 'BAD_PUSH_ENDPOINT']);
    const badKey = await call('PUT', { ...sub, keys: { ...keys, p256dh: 'AAAA' } });
    expect([badKey.status, await code(badKey)]).toEqual([400, 'BAD_PUSH_KEYS']);
    const noKeys = await call('PUT', { endpoint });
    expect([noKeys.status, await code(noKeys)]).toEqual([400, 'VALIDATION_FAILED']);

    const on = await call('PUT', sub);
    expect(on.status).toBe(200);
    expect(await on.json()).toEqual({ publicKey: vapid.publicKey, devices: 1, muted: [] });
    // The same browser again (a refreshed key): still one device.
    expect(await (await call('PUT', { ...sub, keys: browserKeys() })).json()).toMatchObject({ devices: 1 });
    const read = await a.request(`${ORIGIN}/v1/me/push`, { headers: { ...same, Cookie: cookie } });
    expect(await read.json()).toEqual({ publicKey: vapid.publicKey, devices: 1, muted: [] });
    expect((await call('DELETE', { endpoint }, null)).status).toBe(403);
    // Per kind: the list of kinds turned off, with the CSRF token; an unknown kind is refused.
    expect((await call('PATCH', { muted: ['outbid'] }, null)).status).toBe(403);
    const odd = await call('PATCH', { muted: ['gossip'] });
    expect([odd.status, await code(odd)]).toEqual([400, 'VALIDATION_FAILED']);
    const kinds = await call('PATCH', { muted: ['won', 'outbid'] });
    expect(await kinds.json()).toMatchObject({ devices: 1, muted: ['outbid', 'won'] });
    // The account page ticks the kinds still on.
    const page = await (
      await a.request(`${ORIGIN}/account/bidding`, { headers: { ...same, Cookie: cookie } })
    ).text();
    const ticked = [...page.matchAll(/name="push-kind"\s+value="(\w+)"\s*(checked)?/g)].map((m) => [
      m[1],
      !!m[2],
    ]);
    expect(ticked).toEqual([
      ['outbid', false],
      ['closing_soon', true],
      ['coming_up', true],
      ['won', false],
    ]);
    expect(await (await call('DELETE', { endpoint })).json()).toEqual({
      publicKey: vapid.publicKey,
      devices: 0,
      muted: ['outbid', 'won'],
    });
  });

  it('answers 501 PUSH_DISABLED where the house has no VAPID keys', async () => {
    const res = await app(false, true).request(`${ORIGIN}/v1/me/push`, {
      method: 'PUT',
      headers: {
        ...same,
        Cookie: cookie,
        'Content-Type': 'application/json',
        'X-CSRF-Token': csrfTokenFor(secret),
      },
      body: JSON.stringify({ endpoint: 'https://fcm.googleapis.com/fcm/send/x', keys: browserKeys() }),
    });
    expect(res.status).toBe(501);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PUSH_DISABLED');
  });
});
