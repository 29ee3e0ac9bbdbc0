import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCatalogue } from '../../common/catalogue.ts';
import { saleSnapshotResponseSchema, type SaleSnapshotResponse } from '../../common/contracts/index.ts';
import { createLogger } from '../../common/logger.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import type { RunningHub } from '../../hub/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { postBid, redisGatewayConfig } from '../../test/support/gavel.ts';
import { hubToken, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';
import { tracked } from '../../test/support/registry.ts';
import { connectSse } from '../../test/support/sse-client.ts';
import { startGateway, type RunningGateway } from '../index.ts';

/**
 * GET /v1/sales/{id}/snapshot on the deployed topology (the engine's Lua state in Redis, a hub on
 * the Redis Streams transport): one request gives every lot's state, and its resume point on the
 * sale topic replays whatever any lot published after its own state — nothing is missed.
 */
describe('a sale snapshot: every lot in one request (real Redis, external hub)', () => {
  const ns = redisNamespace('sale-snapshot');
  const publisherKey = randomBytes(32).toString('hex');
  const subscriberKey = randomBytes(32).toString('hex');
  const t = makeTopics('https://gavel.local');
  const sale = `sale-${randomUUID().slice(0, 8)}`;
  const club = `club-${randomUUID().slice(0, 8)}`;
  const lots = [`${sale}-1`, `${sale}-2`, `${sale}-3`];
  let hub: RunningHub;
  let g: RunningGateway;
  let alice = '';
  let bob = '';

  beforeAll(async () => {
    const stream = `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`;
    hub = await startTestHub({ publisherKey, subscriberKey, transportUrl: stream });
    const lot = (id: string, n: number) => ({
      id,
      lotNumber: String(n),
      title: id,
      description: '',
      estimateLow: '',
      estimateHigh: '',
    });
    const catalogue = staticCatalogue([
      {
        id: sale,
        title: 'Open sale',
        mode: 'timed',
        currency: 'EUR',
        lots: lots.map((l, i) => lot(l, i + 1)),
      },
      {
        id: club,
        title: 'Closed door',
        mode: 'timed',
        currency: 'EUR',
        visibility: 'invite_only',
        lots: [lot(`${club}-1`, 1)],
      },
    ]);
    g = tracked(
      'sale-snapshot gateway',
      await startGateway(
        redisGatewayConfig({
          redisPrefix: ns.prefix,
          hubUrl: `${hub.url}/.well-known/mercure`,
          stream,
          publisherKey,
          subscriberKey,
        }),
        createLogger('gavel', 'silent'),
        { catalogue, clients: false },
      ),
    );
    const now = Date.now();
    for (const id of lots) {
      await g.store!.configure(timedSetup(id, now, { saleId: sale }));
      for (const b of ['alice', 'bob']) await g.store!.setEligibility(id, b, 1_000_000);
    }
    await g.store!.configure(timedSetup(`${club}-1`, now, { saleId: club, private: true }));
    alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    bob = await g.tokens.sign({ id: 'bob', role: 'bidder', name: 'Bob' });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await hub?.close();
    await ns.cleanup();
  });

  const snapshot = async (id: string, bearer?: string): Promise<Response> =>
    fetch(`${g.url}/v1/sales/${id}/snapshot`, {
      headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` },
    });
  const read = async (id: string): Promise<SaleSnapshotResponse> => {
    const res = await snapshot(id);
    expect(res.status).toBe(200);
    return saleSnapshotResponseSchema.parse(await res.json());
  };

  it('gives every lot as its own snapshot does, and the earliest point on the sale topic', async () => {
    // Nothing published yet: every lot in its opening state, and the hub from now.
    const before = await read(sale);
    expect(before.auctions.map((a) => [a.auctionId, a.seq])).toEqual(lots.map((l) => [l, 0]));
    expect(before.hub).toMatchObject({ topics: [t.sale(sale)], lastEventId: 'earliest' });

    expect((await postBid(g.url, lots[0]!, alice, { amount: '100.00' }, randomUUID())).status).toBe(201);
    expect((await postBid(g.url, lots[1]!, bob, { amount: '100.00' }, randomUUID())).status).toBe(201);
    expect((await postBid(g.url, lots[1]!, alice, { amount: '150.00' }, randomUUID())).status).toBe(201);
    const after = await read(sale);
    for (const view of after.auctions) {
      const own = (await (await fetch(`${g.url}/v1/auctions/${view.auctionId}`)).json()) as {
        auction: unknown;
        hub: { lastEventId: string };
      };
      expect(view).toEqual(own.auction);
    }
    expect(after.auctions.map((a) => [a.price, a.bidCount])).toEqual([
      ['100.00', 1],
      ['150.00', 2],
      ['0.00', 0],
    ]);
    // Ids are per lot: the resume point is the whole topic (the page refetches once it is open).
    expect(after.hub).toMatchObject({ topics: [t.sale(sale)], lastEventId: 'earliest' });
    const token = await hubToken({ subscribe: [t.sale(sale)] }, { key: subscriberKey });
    const feed = await connectSse(
      subscribeUrl(hub.url, after.hub.topics, { lastEventID: after.hub.lastEventId }),
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(feed.status).toBe(200);
    const replayed = (await feed.waitFor(3, 15_000)).map(
      (e) => JSON.parse(e.data) as { auctionId: string; seq: number },
    );
    expect(replayed.map((u) => [u.auctionId, u.seq])).toEqual([
      [lots[0], 1],
      [lots[1], 1],
      [lots[1], 2],
    ]);
    feed.close();
  }, 60_000);

  it('is unknown to the uninvited for an invite-only sale, and for a sale that does not exist', async () => {
    for (const [id, bearer] of [
      [club, undefined],
      [club, bob],
      ['no-such-sale', alice],
    ] as const) {
      const res = await snapshot(id, bearer);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SALE');
    }
  });
});
