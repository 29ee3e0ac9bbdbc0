import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCatalogue } from '../../common/catalogue.ts';
import type { FloorLot, MissedBid, SaleAudience, SaleMessage } from '../../common/contracts/index.ts';
import { createLogger } from '../../common/logger.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import type { RunningHub } from '../../hub/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { postBid } from '../../test/support/gavel.ts';
import { hubToken, publish, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';
import { tracked } from '../../test/support/registry.ts';
import { connectSse, eventsBeforeMarker, type SseConnection } from '../../test/support/sse-client.ts';
import { TEST_MASK_KEY } from '../../test/support/tokens.ts';
import { gatewayConfigFromEnv, startGateway, type RunningGateway } from '../index.ts';

/**
 * The floor console's room on the deployed topology (real Redis: the engine's Lua state, two hub
 * instances sharing the Redis Streams transport, the gateway publishing into their stream): the
 * audience counted across both hubs, messages to bidders reaching a bidder's SSE stream (private
 * for an invite-only sale), kept for a page that joins later, idempotent; the missed-bid warning on
 * the staff-only topic; the internet leader's paddle on the floor view.
 */
describe('floor console room: audience, messages, missed bids, paddles (real Redis, two hubs)', () => {
  const ns = redisNamespace('floor-room');
  const publisherKey = randomBytes(32).toString('hex');
  const subscriberKey = randomBytes(32).toString('hex');
  const t = makeTopics('https://gavel.local');
  const saleId = `live-${randomUUID().slice(0, 8)}`;
  const clubId = `club-${randomUUID().slice(0, 8)}`;
  const lots = [`${saleId}-1`, `${saleId}-2`, `${saleId}-3`];
  const clubLot = `${clubId}-1`;
  let hubA: RunningHub;
  let hubB: RunningHub;
  let g: RunningGateway;
  const user: Record<'alice' | 'bob' | 'carol' | 'clerk', string> = {
    alice: '',
    bob: '',
    carol: '',
    clerk: '',
  };

  beforeAll(async () => {
    const stream = `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`;
    [hubA, hubB] = await Promise.all([
      startTestHub({ publisherKey, subscriberKey, transportUrl: stream }),
      startTestHub({ publisherKey, subscriberKey, transportUrl: stream }),
    ]);
    const lot = (id: string) => ({
      id,
      lotNumber: id.slice(-1),
      title: id,
      description: '',
      estimateLow: '',
      estimateHigh: '',
    });
    const catalogue = staticCatalogue(
      [
        { id: saleId, title: 'Evening sale', mode: 'live', currency: 'EUR', lots: lots.map(lot) },
        {
          id: clubId,
          title: 'Closed door',
          mode: 'live',
          currency: 'EUR',
          visibility: 'invite_only',
          lots: [lot(clubLot)],
        },
      ],
      new Map([[clubId, ['alice']]]),
      new Map([[saleId, { alice: '1042', bob: '1043' }]]),
    );
    const config = {
      ...gatewayConfigFromEnv({}),
      port: 0,
      host: '127.0.0.1',
      demo: false,
      maskKey: TEST_MASK_KEY,
      mode: 'distributed' as const,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: ns.prefix,
      hubUrl: `${hubA.url}/.well-known/mercure`,
      hubPublishUrl: stream,
      publisherKey,
      subscriberKey,
      userJwtKey: randomBytes(32).toString('hex'),
    };
    g = tracked(
      'floor-room gateway',
      await startGateway(config, createLogger('gavel', 'silent'), { catalogue, clients: false }),
    );
    const now = Date.now();
    for (const id of lots) {
      await g.store!.configure(
        timedSetup(id, now, { saleId, mode: 'live', status: 'scheduled', opening: 100_000 }),
      );
      for (const b of ['alice', 'bob']) await g.store!.setEligibility(id, b, 100_000_000);
    }
    await g.store!.configure(timedSetup(clubLot, now, { saleId: clubId, private: true }));
    user.alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    user.bob = await g.tokens.sign({ id: 'bob', role: 'bidder', name: 'Bob' });
    user.carol = await g.tokens.sign({ id: 'carol', role: 'bidder', name: 'Carol' });
    user.clerk = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await hubA?.close();
    await hubB?.close();
    await ns.cleanup();
  });

  async function mint(bearer: string | undefined): Promise<string> {
    const res = await fetch(`${g.url}/v1/hub-token`, {
      method: 'POST',
      headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  }

  /** A page's subscription on hub `hub`, with the hub token `bearer`'s caller gets (undefined: anonymous). */
  async function feed(hub: RunningHub, topics: string[], bearer: string | undefined): Promise<SseConnection> {
    const token = bearer === undefined ? undefined : await mint(bearer);
    const s = await connectSse(subscribeUrl(hub.url, topics), {
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    });
    expect(s.status).toBe(200);
    return s;
  }

  const call = async (
    method: 'GET' | 'POST',
    path: string,
    bearer: string | undefined,
    body?: unknown,
    key: string | null = randomUUID(),
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = {};
    if (bearer !== undefined) headers.Authorization = `Bearer ${bearer}`;
    if (method === 'POST' && key !== null) headers['Idempotency-Key'] = key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${g.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };

  const code = (r: { body: Record<string, unknown> }): string | undefined =>
    (r.body.error as { code?: string } | undefined)?.code;

  /** A public marker on the sale's topic: whatever the hubs dispatched before it has arrived. */
  const marker = async (type: string): Promise<void> => {
    const res = await publish(hubB.url, await hubToken({ publish: ['*'] }, { key: publisherKey }), {
      topic: t.sale(saleId),
      data: '{}',
      type,
    });
    expect(res.status).toBe(200);
  };

  async function waitForEvent(f: SseConnection, type: string): Promise<{ data: string }[]> {
    for (let count = 1; ; count++) {
      const events = await f.waitFor(count, 15_000);
      const found = events.filter((e) => e.event === type);
      if (found.length > 0) return found;
    }
  }

  /** Polls the audience until `pred` holds (the hubs record subscriptions in Redis asynchronously). */
  async function audienceUntil(pred: (a: SaleAudience) => boolean): Promise<SaleAudience> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await call('GET', `/v1/sales/${saleId}/audience`, user.clerk);
      expect(r.status).toBe(200);
      const a = r.body as unknown as SaleAudience;
      if (pred(a)) return a;
      if (Date.now() > deadline) throw new Error(`audience never matched: ${JSON.stringify(a)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('counts the bidders following the sale across both hub instances, for staff only', async () => {
    const before = await audienceUntil(() => true);
    expect(before).toMatchObject({ saleId, bidders: 0 });
    // Alice on hub A with two pages (one per lot topic and the sale's), Bob on hub B, an anonymous screen.
    const a1 = await feed(hubA, [t.sale(saleId)], user.alice);
    const a2 = await feed(hubB, [t.auction(lots[0]!)], user.alice);
    const b1 = await feed(hubB, [t.sale(saleId), t.bidder('bob')], user.bob);
    const anon = await feed(hubA, [t.sale(saleId)], undefined);
    const other = await feed(hubA, [t.sale(clubId)], user.alice);
    const seen = await audienceUntil((a) => a.bidders === 2 && a.connections === 4);
    expect(seen).toMatchObject({ saleId, bidders: 2, connections: 4 });
    expect(Number.isNaN(Date.parse(seen.countedAt))).toBe(false);

    for (const bearer of [user.alice, undefined]) {
      const r = await call('GET', `/v1/sales/${saleId}/audience`, bearer);
      expect([r.status, code(r)]).toEqual(
        bearer === undefined ? [401, 'UNAUTHENTICATED'] : [403, 'FORBIDDEN'],
      );
    }
    expect(code(await call('GET', '/v1/sales/no-such-sale/audience', user.clerk))).toBe('UNKNOWN_SALE');

    for (const f of [a1, a2, b1, anon, other]) f.close();
    expect(await audienceUntil((a) => a.connections === 0)).toMatchObject({ bidders: 0, connections: 0 });
  }, 60_000);

  it('sends a message to the bidders’ streams, keeps it for later pages, and sends it once per key', async () => {
    const bidder = await feed(hubB, [t.sale(saleId), t.bidder('bob')], user.bob);
    const key = randomUUID();
    const sent = await call(
      'POST',
      `/v1/sales/${saleId}/messages`,
      user.clerk,
      { text: '  Fair warning — last chance  ', lotId: lots[0] },
      key,
    );
    expect(sent.status).toBe(201);
    const message = sent.body.message as SaleMessage;
    expect(message).toMatchObject({ saleId, lotId: lots[0], text: 'Fair warning — last chance' });
    const [ev] = await waitForEvent(bidder, 'sale.message');
    expect(JSON.parse(ev!.data)).toEqual(message);

    // The same key again: the same message, and no second event.
    const again = await call(
      'POST',
      `/v1/sales/${saleId}/messages`,
      user.clerk,
      { text: 'Fair warning — last chance', lotId: lots[0] },
      key,
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect((again.body.message as SaleMessage).id).toBe(message.id);
    const upToMarker = await eventsBeforeMarker(bidder, marker, 15_000);
    expect(upToMarker.filter((e) => e.event === 'sale.message')).toHaveLength(1);
    const reused = await call(
      'POST',
      `/v1/sales/${saleId}/messages`,
      user.clerk,
      { text: 'Something else' },
      key,
    );
    expect([reused.status, code(reused)]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);

    // A page that joins later: the latest message, for anyone who may see the sale.
    for (const bearer of [user.carol, undefined]) {
      const latest = await call('GET', `/v1/sales/${saleId}/message`, bearer);
      expect(latest.status).toBe(200);
      expect(latest.body.message).toEqual(message);
    }
    const whole = await call('POST', `/v1/sales/${saleId}/messages`, user.clerk, {
      text: 'Next lot coming up',
    });
    expect(whole.status).toBe(201);
    expect((await call('GET', `/v1/sales/${saleId}/message`, user.bob)).body.message).toMatchObject({
      text: 'Next lot coming up',
      lotId: null,
    });
    bidder.close();
  }, 60_000);

  it('refuses bad messages with the catalogue’s codes', async () => {
    const path = `/v1/sales/${saleId}/messages`;
    const cases: [string | undefined, unknown, string | null, number, string][] = [
      [user.alice, { text: 'hi' }, randomUUID(), 403, 'FORBIDDEN'],
      [undefined, { text: 'hi' }, randomUUID(), 401, 'UNAUTHENTICATED'],
      [user.clerk, { text: 'hi' }, null, 400, 'MISSING_IDEMPOTENCY_KEY'],
      [user.clerk, { text: '   ' }, randomUUID(), 400, 'VALIDATION_FAILED'],
      [user.clerk, { text: 'x'.repeat(281) }, randomUUID(), 400, 'VALIDATION_FAILED'],
      [user.clerk, {}, randomUUID(), 400, 'VALIDATION_FAILED'],
      [user.clerk, { text: 'hi', lotId: clubLot }, randomUUID(), 400, 'VALIDATION_FAILED'],
    ];
    for (const [bearer, body, key, status, c] of cases) {
      const r = await call('POST', path, bearer, body, key);
      expect([JSON.stringify(body), r.status, code(r)]).toEqual([JSON.stringify(body), status, c]);
    }
    const unknown = await call('POST', '/v1/sales/nope/messages', user.clerk, { text: 'hi' });
    expect([unknown.status, code(unknown)]).toEqual([404, 'UNKNOWN_SALE']);
    expect(code(await call('GET', `/v1/sales/${clubId}/message`, user.bob))).toBe('UNKNOWN_SALE');
  });

  it('publishes an invite-only sale’s message as a private update: the invited get it, others do not', async () => {
    const anon = await feed(hubA, [t.sale(clubId), t.sale(saleId)], undefined);
    const bob = await feed(hubA, [t.sale(clubId), t.sale(saleId)], user.bob);
    const alice = await feed(hubB, [t.sale(clubId)], user.alice);
    const r = await call('POST', `/v1/sales/${clubId}/messages`, user.clerk, { text: 'Pausing briefly' });
    expect(r.status).toBe(201);
    const [ev] = await waitForEvent(alice, 'sale.message');
    expect(JSON.parse(ev!.data)).toMatchObject({ saleId: clubId, text: 'Pausing briefly' });
    for (const f of [anon, bob])
      expect((await eventsBeforeMarker(f, marker, 15_000)).filter((e) => e.event === 'sale.message')).toEqual(
        [],
      );
    for (const f of [anon, bob, alice]) f.close();
  }, 60_000);

  it('warns staff of an internet bid that arrived just after the hammer, with its paddle; bidders never see it', async () => {
    const lot = lots[1]!;
    const clerkFeed = await feed(hubA, [t.sale(saleId), t.staffSale(saleId)], user.clerk);
    // Bob asks for the staff topic too: his token does not cover it.
    const bobFeed = await feed(hubB, [t.sale(saleId), t.staffSale(saleId)], user.bob);
    const floor = (path: string) => call('POST', `/v1/auctions/${lot}/floor/${path}`, user.clerk);
    expect((await floor('open')).status).toBe(200);
    expect((await postBid(g.url, lot, user.alice, { amount: '1000.00' }, randomUUID())).status).toBe(201);
    // The console's floor view names the internet leader's paddle.
    const view = await call('GET', `/v1/auctions/${lot}/floor`, user.clerk);
    expect((view.body.lot as FloorLot).leader).toMatchObject({
      kind: 'bid',
      bidderId: 'alice',
      onlinePaddle: '1042',
    });
    expect((await floor('hammer')).status).toBe(200);
    const late = await postBid(g.url, lot, user.bob, { amount: '1100.00' }, randomUUID());
    expect([late.status, late.body.error?.code]).toEqual([409, 'CLOSED']);

    const [ev] = await waitForEvent(clerkFeed, 'floor.missed_bid');
    const missed = JSON.parse(ev!.data) as MissedBid;
    expect(missed).toMatchObject({
      auctionId: lot,
      saleId,
      currency: 'EUR',
      amount: '1100.00',
      paddle: '1043',
      closedBy: 'hammer',
      status: 'sold',
    });
    expect(missed.lateByMs).toBeGreaterThanOrEqual(0);
    expect(missed.lateByMs).toBeLessThan(3_000);
    expect(missed.bidder).toMatch(/^Bidder /);
    expect(
      (await eventsBeforeMarker(bobFeed, marker, 15_000)).filter((e) => e.event === 'floor.missed_bid'),
    ).toEqual([]);
    clerkFeed.close();
    bobFeed.close();
  }, 60_000);

  it('does not warn of a bid on a lot that was never opened, or on a timed lot', async () => {
    const clerkFeed = await feed(hubA, [t.sale(saleId), t.staffSale(saleId)], user.clerk);
    // Scheduled, not finished: refused as NOT_STARTED or CLOSED, but no hammer in the window.
    const r = await postBid(g.url, lots[2]!, user.bob, { amount: '1000.00' }, randomUUID());
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(
      (await eventsBeforeMarker(clerkFeed, marker, 15_000)).filter((e) => e.event === 'floor.missed_bid'),
    ).toEqual([]);
    clerkFeed.close();
  }, 30_000);
});

/**
 * The other distributed set-up: HUB_PUBLISH_URL names one hub over HTTP (its subscription API for
 * the count, a Mercure publish with a publisher JWT for the messages).
 */
describe('floor console room with the hub over HTTP', () => {
  const ns = redisNamespace('floor-room-http');
  const publisherKey = randomBytes(32).toString('hex');
  const subscriberKey = randomBytes(32).toString('hex');
  const t = makeTopics('https://gavel.local');
  const saleId = `http-${randomUUID().slice(0, 8)}`;
  let hub: RunningHub;
  let g: RunningGateway;

  beforeAll(async () => {
    hub = await startTestHub({ publisherKey, subscriberKey });
    const lot = {
      id: `${saleId}-1`,
      lotNumber: '1',
      title: 'x',
      description: '',
      estimateLow: '',
      estimateHigh: '',
    };
    const catalogue = staticCatalogue([
      { id: saleId, title: 'Sale', mode: 'live', currency: 'EUR', lots: [lot] },
    ]);
    g = tracked(
      'floor-room http gateway',
      await startGateway(
        {
          ...gatewayConfigFromEnv({}),
          port: 0,
          host: '127.0.0.1',
          demo: false,
          maskKey: TEST_MASK_KEY,
          mode: 'distributed' as const,
          redisUrl: 'redis://127.0.0.1:6379',
          redisPrefix: ns.prefix,
          hubUrl: `${hub.url}/.well-known/mercure`,
          hubPublishUrl: `${hub.url}/.well-known/mercure`,
          publisherKey,
          subscriberKey,
          userJwtKey: randomBytes(32).toString('hex'),
        },
        createLogger('gavel', 'silent'),
        { catalogue, clients: false },
      ),
    );
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await hub?.close();
    await ns.cleanup();
  });

  it('counts a bidder through the hub’s subscription API and publishes the message to them', async () => {
    const clerk = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
    const alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    const minted = await fetch(`${g.url}/v1/hub-token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice}` },
    });
    const { token } = (await minted.json()) as { token: string };
    const f = await connectSse(subscribeUrl(hub.url, [t.sale(saleId)]), {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(f.status).toBe(200);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await fetch(`${g.url}/v1/sales/${saleId}/audience`, {
        headers: { Authorization: `Bearer ${clerk}` },
      });
      expect(res.status).toBe(200);
      const a = (await res.json()) as SaleAudience;
      if (a.bidders === 1 && a.connections === 1) break;
      if (Date.now() > deadline) throw new Error(`audience never counted the bidder: ${JSON.stringify(a)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const sent = await fetch(`${g.url}/v1/sales/${saleId}/messages`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${clerk}`,
        'Idempotency-Key': randomUUID(),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ text: 'Next lot coming up' }),
    });
    expect(sent.status).toBe(201);
    const [ev] = await f.waitFor(1, 15_000);
    expect(ev?.event).toBe('sale.message');
    expect(JSON.parse(ev!.data)).toMatchObject({ saleId, text: 'Next lot coming up', lotId: null });
    f.close();
  }, 60_000);
});
