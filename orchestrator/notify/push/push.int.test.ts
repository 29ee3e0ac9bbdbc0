import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJWK, jwtVerify } from 'jose';
import type { PushMessage } from '../../../common/contracts/push.ts';
import {
  LATER,
  startSaleNow,
  startTestBackOffice,
  until,
  type TestBackOffice,
} from '../../../test/support/orchestrator.ts';
import {
  browserKeys,
  decryptPush,
  startPushService,
  type BrowserKeys,
  type PushServiceStandIn,
} from '../../../test/support/push-service.ts';
import { generateVapidKeys } from './vapid.ts';

/**
 * Web Push end to end on PostgreSQL and Redis: bidders subscribe through the bidders-self API (as
 * a gateway in another process does) with keys made here, a real timed sale runs on the engine, and
 * a local stand-in push service receives what the back office sends — which the test decrypts
 * (RFC 8291, its own code) and reads: outbid, closing soon, won; sent once per notification and
 * browser even when the outbox repeats; a 410 removes the subscription. On a live sale: the lot two
 * ahead coming up for its absentee bidder, and an outbid by a floor bid.
 */
const SERVICE_TOKEN = 'push-test-service-token-0123456789';
const vapid = generateVapidKeys('mailto:push-test@gavel.example');

describe('Web Push through the outbox', () => {
  let t: TestBackOffice;
  let push: PushServiceStandIn;
  const keys: Record<string, BrowserKeys> = { 'p-alice': browserKeys(), 'p-bob': browserKeys() };

  const self = (method: string, path: string, body?: unknown) =>
    fetch(`${t.orch.url!}/bidders-self/v1${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${SERVICE_TOKEN}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const subscribe = (bidderId: string, endpoint: string, k: { p256dh: string; auth: string }) =>
    self('PUT', `/bidders/${bidderId}/push`, { endpoint, keys: { p256dh: k.p256dh, auth: k.auth } });
  /** What the stand-in received for a path, decrypted. */
  const messagesTo = (path: string, k: BrowserKeys): PushMessage[] =>
    push.received
      .filter((r) => r.path === path && r.status === 201)
      .map((r) => JSON.parse(decryptPush(r.body, k)) as PushMessage);

  /** A timed sale in EUR with one lot (no soft close, no grace), published, its start still ahead. */
  const oneLotSale = async (sale: string, lot: string, lotNumber: number, title: string): Promise<void> => {
    await t.ok('POST', '/sales', {
      id: sale,
      mode: 'timed',
      currency: 'EUR',
      title: 'Push',
      ...LATER,
      kycFreeLimit: '1000000.00',
      // Closing soon 5 s before the end: after the bids, so it goes to their bidders.
      closingSoonSeconds: 5,
    });
    await t.ok('POST', `/sales/${sale}/lots`, {
      id: lot,
      lotNumber,
      title,
      opening: '100.00',
      increments: [{ from: '0', step: '10.00' }],
      softCloseSeconds: 0,
      graceMs: 0,
    });
    await t.ok('POST', `/sales/${sale}/publish`);
  };

  beforeAll(async () => {
    push = await startPushService();
    t = await startTestBackOffice('push', {
      notify: { push: { vapid, allowLoopbackHttp: true } },
      accounts: { serviceToken: SERVICE_TOKEN },
    });
  }, 30_000);
  afterAll(async () => {
    await t.close();
    await push.close();
  });

  it('refuses an endpoint that is not a push service and keys that are not keys', async () => {
    await t.ok('POST', '/bidders', { id: 'p-carol', name: 'Carol' });
    const k = browserKeys();
    const cases: [string, { p256dh: string; auth: string }, string][] = [
      ['https://127.0.0.1/push/x', k, 'BAD_PUSH_ENDPOINT'],
      ['http://push.example.com/x', k, 'BAD_PUSH_ENDPOINT'],
      ['https://user:pw@push.example.com/x', k, 'BAD_PUSH_ENDPOINT'],
      ['https://push.example.com/x', { p256dh: k.p256dh.slice(2), auth: k.auth }, 'BAD_PUSH_KEYS'],
      ['https://push.example.com/x', { p256dh: k.p256dh, auth: 'c2hvcnQ' }, 'BAD_PUSH_KEYS'],
    ];
    for (const [endpoint, ks, code] of cases) {
      const res = await subscribe('p-carol', endpoint, ks);
      expect(res.status, endpoint).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const bad = await self('PUT', '/bidders/p-carol/push', { endpoint: 'https://push.example.com/x' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    // An https push service is accepted, and removed again.
    const ok = await subscribe('p-carol', 'https://push.example.com/x', k);
    expect(await ok.json()).toEqual({ publicKey: vapid.publicKey, devices: 1, muted: [] });
    const off = await self('DELETE', '/bidders/p-carol/push', { endpoint: 'https://push.example.com/x' });
    expect(await off.json()).toEqual({ publicKey: vapid.publicKey, devices: 0, muted: [] });
  });

  it('pushes outbid, closing soon and won, encrypted for the browser, once each', async () => {
    for (const [id, name] of [
      ['p-alice', 'Alice'],
      ['p-bob', 'Bob'],
    ] as const)
      await t.ok('POST', '/bidders', { id, name });
    await oneLotSale('p-sale', 'p-lot', 7, 'Ormolu Clock');
    for (const b of ['p-alice', 'p-bob'])
      await t.ok('POST', '/sales/p-sale/registrations', { bidderId: b, limit: '9000.00', approve: true });
    for (const b of ['p-alice', 'p-bob']) {
      const res = await subscribe(b, `${push.origin}/push/${b}`, keys[b]!);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ publicKey: vapid.publicKey, devices: 1, muted: [] });
    }
    // Bob's browser dropped its subscription: the push service answers 410 Gone.
    push.answer('/push/p-bob', 410);
    // Alice's push service is down for the first message: the outbox retries it.
    push.answer('/push/p-alice', 503, 1);

    await startSaleNow(t, 'p-sale', 10_000);
    await until('p-lot open', async () =>
      (await t.engine.snapshot('p-lot'))?.status === 'open' ? true : undefined,
    );
    expect((await t.bid('p-lot', 'p-alice', 10_000)).outcome).toBe('accepted');
    // Bob bids with a maximum: Alice is outbid at 110.00, and Bob's maximum is never in her push.
    expect((await t.bid('p-lot', 'p-bob', 11_000, { max: 77_700 })).outcome).toBe('accepted');
    // Alice raises beyond it: Bob is outbid (his push service says 410).
    expect((await t.bid('p-lot', 'p-alice', 80_000)).outcome).toBe('accepted');

    const kinds = () => messagesTo('/push/p-alice', keys['p-alice']!).map((m) => m.kind);
    await until(
      'Alice told of the outbid, the close coming and her win',
      () => (['outbid', 'closing_soon', 'won'].every((k) => kinds().includes(k as never)) ? true : undefined),
      30_000,
    );
    const alice = messagesTo('/push/p-alice', keys['p-alice']!);
    const outbid = alice.find((m) => m.kind === 'outbid')!;
    expect(outbid).toMatchObject({
      title: 'You have been outbid on lot 7',
      body: 'Lot 7: Ormolu Clock. The price is now EUR 110.00. Bid again before it closes.',
      url: '/bid?sale=p-sale#lot=p-lot',
      tag: 'outbid:p-lot',
      lotId: 'p-lot',
      saleId: 'p-sale',
    });
    const won = alice.find((m) => m.kind === 'won')!;
    // Her own bid of 800.00 (no maximum) is the hammer.
    expect(won.title).toBe('You won lot 7');
    expect(won.body).toBe('Lot 7: Ormolu Clock, hammer EUR 800.00. The invoice is in your account.');
    expect(alice.find((m) => m.kind === 'closing_soon')!.title).toBe('Lot 7 closes soon');
    // Nothing confidential: Bob's maximum never appears in what Alice was pushed (her outbid came before it was beaten).
    expect(JSON.stringify(alice)).not.toMatch(/777|p-bob|Bob/);

    // The first try failed (503) and was repeated: one message per kind reached her in the end.
    const sent = push.received.filter((r) => r.path === '/push/p-alice');
    expect(sent.filter((r) => r.status === 503)).toHaveLength(1);
    expect(alice.map((x) => x.kind).sort()).toEqual(['closing_soon', 'outbid', 'won']);

    // The send is a Web Push request: aes128gcm, a TTL, and a VAPID token for the push service's origin.
    const first = sent.at(-1)!;
    expect(first.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(first.headers.ttl)).toBeGreaterThan(0);
    const m = /^vapid t=([^,]+), k=(.+)$/.exec(String(first.headers.authorization))!;
    expect(m[2]).toBe(vapid.publicKey);
    const pub = Buffer.from(vapid.publicKey, 'base64url');
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: pub.subarray(1, 33).toString('base64url'),
        y: pub.subarray(33).toString('base64url'),
      },
      'ES256',
    );
    const { payload } = await jwtVerify(m[1]!, key, { algorithms: ['ES256'] });
    expect(payload).toMatchObject({ aud: push.origin, sub: 'mailto:push-test@gavel.example' });

    // Bob's push service said 410: his subscription is gone.
    await until('Bob’s subscription removed', async () => {
      const rows = await t.orch.db.query(`SELECT 1 FROM push_subscriptions WHERE bidder_id = 'p-bob'`);
      return rows.length === 0 ? true : undefined;
    });
    const bobSettings = (await (await self('GET', '/bidders/p-bob/push')).json()) as { devices: number };
    expect(bobSettings.devices).toBe(0);

    // The outbox repeats every event of the lot (at least once): nothing is pushed twice.
    const outboxDone = async (): Promise<true | undefined> => {
      const [p] = await t.orch.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox_events WHERE payload->>'lotId' = 'p-lot' AND published_at IS NULL`,
      );
      return p!.n === 0 ? true : undefined;
    };
    await until('the outbox delivered every event of the lot', outboxDone);
    const before = push.received.length;
    await t.orch.db.query(
      `UPDATE outbox_events SET published_at = NULL, available_at = now() WHERE payload->>'lotId' = 'p-lot'`,
    );
    await until('the outbox passed again', outboxDone);
    expect(push.received.length).toBe(before);
  }, 60_000);

  it('tells an absentee bidder their live lot is coming up, and a bidder outbid from the floor', async () => {
    await t.ok('POST', '/bidders', { id: 'p-dora', name: 'Dora' });
    await t.ok('POST', '/sales', {
      id: 'p-live',
      mode: 'live',
      currency: 'EUR',
      title: 'Evening',
      startsAt: LATER.startsAt,
      kycFreeLimit: '1000000.00',
    });
    for (const n of [1, 2, 3])
      await t.ok('POST', '/sales/p-live/lots', {
        id: `p-live-${n}`,
        lotNumber: n,
        title: `Live lot ${n}`,
        opening: '100.00',
        increments: [{ from: '0', step: '10.00' }],
      });
    await t.ok('POST', '/sales/p-live/publish');
    await t.ok('POST', '/sales/p-live/registrations', {
      bidderId: 'p-dora',
      limit: '9000.00',
      approve: true,
    });
    const dora = browserKeys();
    expect((await subscribe('p-dora', `${push.origin}/push/p-dora`, dora)).status).toBe(200);
    await t.ok('PATCH', '/sales/p-live', { startsAt: new Date(Date.now() - 1000).toISOString() });
    await until('p-live open', async () =>
      ((await t.ok('GET', '/sales/p-live')).sale as { status: string }).status === 'open' ? true : undefined,
    );
    // Dora leaves an absentee bid on lot 3 before the auctioneer starts.
    expect((await t.bid('p-live-3', 'p-dora', 10_000, { max: 20_000 })).outcome).toBe('accepted');
    // In the ledger before lot 1 opens: the ledger writer follows each lot on its own, and the
    // coming-up notice reads lot 3's absentees from the ledger when it records lot 1's opening.
    await until('the absentee bid in the ledger', async () =>
      (await t.orch.db.query(`SELECT 1 FROM bids WHERE auction_id = 'p-live-3'`)).length > 0
        ? true
        : undefined,
    );
    // Lot 1 opens: lot 3 is two lots away.
    const opened = await t.engine.floorAction({
      auctionId: 'p-live-1',
      action: 'open',
      idempotencyKey: 'pl-open',
    });
    expect(opened.outcome).toBe('accepted');
    // Dora bids online on lot 1, and the floor outbids her.
    expect((await t.bid('p-live-1', 'p-dora', 10_000)).outcome).toBe('accepted');
    const floorBid = await t.engine.floorAction({
      auctionId: 'p-live-1',
      action: 'floor_bid',
      paddle: '7',
      amount: 11_000,
      idempotencyKey: 'pl-floor',
    });
    expect(floorBid.outcome).toBe('accepted');

    await until(
      'Dora told lot 3 is coming up and that the floor outbid her on lot 1',
      () => (messagesTo('/push/p-dora', dora).length >= 2 ? true : undefined),
      30_000,
    );
    const got = messagesTo('/push/p-dora', dora);
    expect(got.map((m) => [m.kind, m.lotId, m.title]).sort()).toEqual([
      ['coming_up', 'p-live-3', 'Lot 3 is coming up'],
      ['outbid', 'p-live-1', 'You have been outbid on lot 1'],
    ]);
    expect(got.find((m) => m.kind === 'outbid')!.body).toContain('EUR 110.00');
  }, 60_000);

  it('sends no push of a kind the bidder turned off, and the other kinds still', async () => {
    for (const [id, name] of [
      ['p-dan', 'Dan'],
      ['p-eve', 'Eve'],
    ] as const)
      await t.ok('POST', '/bidders', { id, name });
    const k = { 'p-dan': browserKeys(), 'p-eve': browserKeys() };
    // Dan wants only his wins; a kind that is not one is refused, naming the field.
    const bad = await self('PATCH', '/bidders/p-dan/push', { muted: ['outbid', 'gossip'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^muted/);
    const set = await self('PATCH', '/bidders/p-dan/push', {
      muted: ['closing_soon', 'outbid', 'coming_up'],
    });
    expect(await set.json()).toEqual({
      publicKey: vapid.publicKey,
      devices: 0,
      muted: ['outbid', 'closing_soon', 'coming_up'],
    });
    await oneLotSale('p-sale-m', 'p-lot-m', 8, 'Bracket Clock');
    for (const b of ['p-dan', 'p-eve'] as const) {
      await t.ok('POST', '/sales/p-sale-m/registrations', { bidderId: b, limit: '9000.00', approve: true });
      expect((await subscribe(b, `${push.origin}/push/${b}`, k[b])).status).toBe(200);
    }
    await startSaleNow(t, 'p-sale-m', 10_000);
    await until('p-lot-m open', async () =>
      (await t.engine.snapshot('p-lot-m'))?.status === 'open' ? true : undefined,
    );
    expect((await t.bid('p-lot-m', 'p-dan', 10_000)).outcome).toBe('accepted');
    expect((await t.bid('p-lot-m', 'p-eve', 11_000)).outcome).toBe('accepted'); // Dan outbid
    expect((await t.bid('p-lot-m', 'p-dan', 12_000)).outcome).toBe('accepted'); // Eve outbid; Dan wins
    const kindsOf = (b: 'p-dan' | 'p-eve') => messagesTo(`/push/${b}`, k[b]).map((m) => m.kind);
    await until('Dan told of his win', () => (kindsOf('p-dan').includes('won') ? true : undefined), 30_000);
    // Every event of the lot has gone through the outbox (Dan's outbid and closing soon included).
    await until('the outbox done with p-lot-m', async () => {
      const [p] = await t.orch.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox_events WHERE payload->>'lotId' = 'p-lot-m' AND published_at IS NULL`,
      );
      return p!.n === 0 ? true : undefined;
    });
    const outbidQueued = await t.orch.db.query(
      `SELECT 1 FROM outbox_events WHERE type = 'lot.outbid' AND payload->>'lotId' = 'p-lot-m' AND payload->>'bidderId' = 'p-dan'`,
    );
    expect(outbidQueued.length, 'Dan’s outbid was queued, and not pushed').toBe(1);
    expect(kindsOf('p-dan')).toEqual(['won']);
    // Eve turned nothing off: her outbid and closing soon came.
    expect(kindsOf('p-eve').sort()).toEqual(['closing_soon', 'outbid']);
  }, 90_000);
});
