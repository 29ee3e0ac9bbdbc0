import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCatalogue } from '../../common/catalogue.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import type { RunningHub } from '../../hub/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { postBid, redisGatewayConfig } from '../../test/support/gavel.ts';
import { hubToken, publish, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';
import { tracked } from '../../test/support/registry.ts';
import { connectSse, eventsBeforeMarker, type SseConnection } from '../../test/support/sse-client.ts';
import { createLogger } from '../../common/logger.ts';
import { startGateway, type RunningGateway } from '../index.ts';

/**
 * An invite-only sale on the deployed topology (real Redis: the engine's Lua state, a hub on the
 * Redis Streams transport): its lot's updates are private, so an anonymous subscriber and an
 * uninvited bidder's hub token get none of them, live or replayed, while an invited bidder's and
 * staff's do; its lot is unknown (404) to the uninvited through the API.
 */
describe('invite-only sale: hub and API (real Redis, external hub)', () => {
  const ns = redisNamespace('invite-only');
  const publisherKey = randomBytes(32).toString('hex');
  const subscriberKey = randomBytes(32).toString('hex');
  const t = makeTopics('https://gavel.local');
  const club = `club-${randomUUID().slice(0, 8)}`;
  const open = `open-${randomUUID().slice(0, 8)}`;
  const secretLot = `${club}-1`;
  const publicLot = `${open}-1`;
  let hub: RunningHub;
  let g: RunningGateway;
  const user: Record<'alice' | 'bob' | 'clerk', string> = { alice: '', bob: '', clerk: '' };

  beforeAll(async () => {
    const stream = `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`;
    hub = await startTestHub({ publisherKey, subscriberKey, transportUrl: stream });
    const lot = (id: string) => ({
      id,
      lotNumber: '1',
      title: id,
      description: '',
      estimateLow: '',
      estimateHigh: '',
    });
    const catalogue = staticCatalogue(
      [
        {
          id: club,
          title: 'Closed door',
          mode: 'timed',
          currency: 'EUR',
          visibility: 'invite_only',
          lots: [lot(secretLot)],
        },
        { id: open, title: 'Open', mode: 'timed', currency: 'EUR', lots: [lot(publicLot)] },
      ],
      new Map([[club, ['alice']]]),
    );
    const config = redisGatewayConfig({
      redisPrefix: ns.prefix,
      hubUrl: `${hub.url}/.well-known/mercure`,
      stream,
      publisherKey,
      subscriberKey,
    });
    g = tracked(
      'invite-only gateway',
      await startGateway(config, createLogger('gavel', 'silent'), { catalogue, clients: false }),
    );
    const now = Date.now();
    await g.store!.configure(timedSetup(secretLot, now, { saleId: club, private: true }));
    await g.store!.configure(timedSetup(publicLot, now, { saleId: open }));
    for (const b of ['alice', 'bob']) {
      await g.store!.setEligibility(secretLot, b, 1_000_000);
      await g.store!.setEligibility(publicLot, b, 1_000_000);
    }
    user.alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    user.bob = await g.tokens.sign({ id: 'bob', role: 'bidder', name: 'Bob' });
    user.clerk = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await hub?.close();
    await ns.cleanup();
  });

  /** The hub token POST /v1/hub-token gives `bearer` (undefined: anonymous), and what it covers. */
  async function mint(bearer: string | undefined): Promise<{ token: string; subscribe: string[] }> {
    const res = await fetch(`${g.url}/v1/hub-token`, {
      method: 'POST',
      headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { token: string; subscribe: string[] };
  }

  /** A subscriber to both sales' and the secret lot's topics, as a page would, from `lastEventId`. */
  async function feed(hubTokenValue: string | undefined, lastEventId?: string): Promise<SseConnection> {
    const s = await connectSse(
      subscribeUrl(hub.url, [t.sale(club), t.auction(secretLot), t.sale(open)], {
        ...(lastEventId === undefined ? {} : { lastEventID: lastEventId }),
      }),
      { headers: hubTokenValue === undefined ? {} : { Authorization: `Bearer ${hubTokenValue}` } },
    );
    expect(s.status).toBe(200);
    return s;
  }

  /** A public marker on the open sale's topic: whatever the hub dispatched before it has arrived. */
  const marker = async (type: string): Promise<void> => {
    const res = await publish(hub.url, await hubToken({ publish: ['*'] }, { key: publisherKey }), {
      topic: t.sale(open),
      data: '{}',
      type,
    });
    expect(res.status).toBe(200);
  };

  /** Waits for an event that satisfies `pred` (whatever else arrives around it). */
  async function until(
    f: SseConnection,
    pred: (e: { event?: string; data: string }) => boolean,
  ): Promise<void> {
    for (let count = 1; ; count++) if ((await f.waitFor(count, 15_000)).some(pred)) return;
  }

  const secretUpdates = (events: { event?: string; data: string }[]) =>
    events.filter(
      (e) => e.event === 'auction' && (JSON.parse(e.data) as { auctionId: string }).auctionId === secretLot,
    );

  it('grants the sale topic to the invited only, the templates to staff, nothing to anonymous', async () => {
    expect((await mint(undefined)).subscribe).toEqual([]);
    expect((await mint(user.bob)).subscribe).toEqual([t.bidder('bob')]);
    expect((await mint(user.alice)).subscribe).toEqual([t.sale(club), t.bidder('alice')]);
    expect((await mint(user.clerk)).subscribe).toEqual([t.allAuctions(), t.allSales(), t.allStaffSales()]);
  });

  it('delivers the lot’s updates to the invited and staff only, live and replayed', async () => {
    const [anon, bob, alice, clerk] = await Promise.all([
      feed(undefined),
      mint(user.bob).then((m) => feed(m.token)),
      mint(user.alice).then((m) => feed(m.token)),
      mint(user.clerk).then((m) => feed(m.token)),
    ]);
    const bid = await postBid(g.url, secretLot, user.alice, { amount: '100.00' }, randomUUID());
    expect(bid.status).toBe(201);
    // The invited bidder and staff get it.
    for (const f of [alice, clerk]) {
      const [ev] = await f.waitFor(1, 15_000);
      expect(ev?.event).toBe('auction');
      expect(JSON.parse(ev!.data)).toMatchObject({ auctionId: secretLot, price: '100.00' });
    }
    // Anonymous and uninvited: nothing of it before a marker published after it.
    for (const f of [anon, bob])
      expect(secretUpdates(await eventsBeforeMarker(f, marker, 15_000))).toEqual([]);
    // A public sale's update still reaches everyone.
    expect((await postBid(g.url, publicLot, user.bob, { amount: '100.00' }, randomUUID())).status).toBe(201);
    for (const f of [anon, bob, alice])
      await until(f, (e) => e.event === 'auction' && e.data.includes(publicLot));
    for (const f of [anon, bob, alice, clerk]) f.close();

    // Replay from the start of the hub's history: the private update is not replayed to the uninvited.
    const [anonLate, bobLate, aliceLate] = await Promise.all([
      feed(undefined, 'earliest'),
      mint(user.bob).then((m) => feed(m.token, 'earliest')),
      mint(user.alice).then((m) => feed(m.token, 'earliest')),
    ]);
    for (const f of [anonLate, bobLate])
      expect(secretUpdates(await eventsBeforeMarker(f, marker, 15_000))).toEqual([]);
    expect(secretUpdates(await eventsBeforeMarker(aliceLate, marker, 15_000))).toHaveLength(1);
    for (const f of [anonLate, bobLate, aliceLate]) f.close();
  }, 60_000);

  it('answers 404 for the lot and the sale to the uninvited, as if they did not exist', async () => {
    const get = (path: string, bearer?: string) =>
      fetch(`${g.url}${path}`, {
        headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` },
      });
    for (const bearer of [undefined, user.bob]) {
      for (const path of [
        `/v1/auctions/${secretLot}`,
        `/v1/auctions/${secretLot}/leader`,
        `/v1/auctions/${secretLot}/bids`,
      ]) {
        const res = await get(path, bearer);
        expect([path, res.status], String(bearer)).toEqual([path, 404]);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_AUCTION');
      }
      expect((await get(`/v1/sales/${club}`, bearer)).status).toBe(404);
      const list = (await (await get('/v1/sales', bearer)).json()) as { sales: { id: string }[] };
      expect(list.sales.map((s) => s.id)).toEqual([open]);
    }
    const refused = await postBid(g.url, secretLot, user.bob, { amount: '500.00' }, randomUUID());
    expect([refused.status, refused.body.error?.code]).toEqual([404, 'UNKNOWN_AUCTION']);
    for (const bearer of [user.alice, user.clerk]) {
      expect((await get(`/v1/auctions/${secretLot}`, bearer)).status).toBe(200);
      expect((await get(`/v1/sales/${club}`, bearer)).status).toBe(200);
    }
    // An unknown lot answers the same as the hidden one.
    expect((await get('/v1/auctions/no-such-lot', user.bob)).status).toBe(404);
  });
});
