import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timedSetup } from '../test/support/bidding.ts';
import { postBid, startTestGavel } from '../test/support/gavel.ts';
import { startTestHub } from '../test/support/hub.ts';
import { redisNamespace } from '../test/support/redis-namespace.ts';
import { connectSse } from '../test/support/sse-client.ts';
import { importSigningKey, mintMercureToken } from '../common/mercure.ts';
import type { RunningHub } from '../hub/index.ts';
import { captureLogs } from '../test/support/protocol.ts';
import { TEST_MASK_KEY } from '../test/support/tokens.ts';
import { gatewayConfigFromEnv, type GatewayConfig } from './config.ts';
import { startGateway, type RunningGateway } from './server.ts';

/**
 * The deployed topology on one machine: two gateways sharing Redis and a hub on the Redis
 * transport; one gateway's engine publishes over HTTP, the other's straight into the hub's stream.
 */
describe('distributed topology (real Redis, external hub)', () => {
  const ns = redisNamespace('gateway-distributed');
  const publisherKey = randomBytes(32).toString('hex');
  const userKey = randomBytes(32).toString('hex');
  let hub: RunningHub;
  let g1: RunningGateway;
  let g2: RunningGateway;
  let common0: Partial<GatewayConfig>;

  beforeAll(async () => {
    const hubStream = `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`;
    hub = await startTestHub({ publisherKey, subscriberKey: publisherKey, transportUrl: hubStream });
    const common = {
      mode: 'distributed' as const,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: ns.prefix,
      hubUrl: `${hub.url}/.well-known/mercure`,
      hubPublishUrl: `${hub.url}/.well-known/mercure`,
      publisherKey,
      subscriberKey: publisherKey,
      userJwtKey: userKey,
      ratePerSecond: 5,
      rateBurst: 10,
    };
    common0 = common;
    g1 = await startTestGavel(common);
    g2 = await startTestGavel({ ...common, hubPublishUrl: hubStream });
  });
  afterAll(async () => {
    await Promise.all([g1.close(), g2.close()]);
    await hub.close();
    await ns.cleanup();
  });

  it('decides on Redis and pushes through the external hub, whichever gateway takes the bid and however it publishes', async () => {
    const id = `d-${randomUUID().slice(0, 8)}`;
    await g1.store!.configure(timedSetup(id, Date.now()));
    for (const b of ['alice', 'bob']) await g1.store!.setEligibility(id, b, 1_000_000);
    const alice = await g1.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    const bob = await g2.tokens.sign({ id: 'bob', role: 'bidder', name: 'Bob' });
    const sse = await connectSse(
      `${hub.url}/.well-known/mercure?topic=${encodeURIComponent(`https://gavel.local/auctions/${id}`)}`,
    );
    const aliceTopic = 'https://gavel.local/bidders/alice';
    const aliceHubToken = await mintMercureToken(
      { subscribe: [aliceTopic] },
      { key: await importSigningKey(publisherKey, 'HS256'), alg: 'HS256', ttlSeconds: 60 },
    );
    const aliceSse = await connectSse(
      `${hub.url}/.well-known/mercure?topic=${encodeURIComponent(aliceTopic)}`,
      { headers: { Authorization: `Bearer ${aliceHubToken}` } },
    );
    expect((await postBid(g1.url, id, alice, { amount: '100.00' }, randomUUID())).status).toBe(201);
    // Publishing is asynchronous and the two gateways publish on separate paths: let g1's go out first.
    await g1.engine.drain();
    const second = await postBid(g2.url, id, bob, { amount: '100.00' }, randomUUID());
    expect([second.status, second.body.error?.code]).toEqual([409, 'OUTBID']);
    expect((await postBid(g2.url, id, bob, { amount: '150.00' }, randomUUID())).status).toBe(201);
    const events = await sse.waitFor(2);
    expect(
      events.map((e) => JSON.parse(e.data) as { price: string; seq: number }).map((v) => [v.price, v.seq]),
    ).toEqual([
      ['100.00', 1],
      ['150.00', 3],
    ]);
    // Both gateways see the same snapshot, and it names the hub event to resume from.
    await Promise.all([g1.engine.drain(), g2.engine.drain()]);
    const a = (await (await fetch(`${g1.url}/v1/auctions/${id}`)).json()) as {
      auction: unknown;
      hub: { lastEventId: string };
    };
    const b = (await (await fetch(`${g2.url}/v1/auctions/${id}`)).json()) as { auction: unknown };
    expect(a.auction).toEqual(b.auction);
    expect(a.hub.lastEventId).toBe(events[1]!.id);
    // Alice heard she led (from g1, over HTTP), then that Bob outbid her (from g2, through the stream).
    const notices = (await aliceSse.waitFor(2)).map((e) => [
      e.event,
      (JSON.parse(e.data) as { seq: number }).seq,
    ]);
    expect(notices).toEqual([
      ['leading', 1],
      ['outbid', 3],
    ]);
    sse.close();
    aliceSse.close();
  });

  it('holds the per-bidder rate limit across gateway instances', async () => {
    const id = `rl-${randomUUID().slice(0, 8)}`;
    await g1.store!.configure(timedSetup(id, Date.now()));
    await g1.store!.setEligibility(id, 'carol', 100_000_000);
    const carol = await g1.tokens.sign({ id: 'carol', role: 'bidder', name: 'Carol' });
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        postBid(i % 2 === 0 ? g1.url : g2.url, id, carol, { amount: `${100 + i * 100}.00` }, randomUUID()),
      ),
    );
    expect(results.filter((r) => r.status !== 429)).toHaveLength(10);
  });

  it('says at start when it has no back office (no ORCHESTRATOR_URL): an empty catalogue and no sign-in', async () => {
    const started = async (orchestratorUrl: string | undefined): Promise<Record<string, unknown>[]> => {
      const logs = captureLogs();
      const config = {
        ...gatewayConfigFromEnv({}),
        port: 0,
        host: '127.0.0.1',
        demo: false,
        maskKey: TEST_MASK_KEY,
      };
      const g = await startGateway({ ...config, ...common0, orchestratorUrl }, logs.logger);
      await g.close();
      return logs.lines().filter((l) => String(l.msg).includes('no ORCHESTRATOR_URL'));
    };
    expect(await started(undefined)).toEqual([expect.objectContaining({ level: 40 })]);
    expect(await started('http://127.0.0.1:9')).toEqual([]);
  });
});
