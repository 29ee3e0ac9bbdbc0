import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventSourceMessage } from 'eventsource-parser/stream';
import { HttpHubPublisher, type HubPublisher, type HubUpdate } from '../../common/hub-publisher.ts';
import { pino } from 'pino';
import { createLogger } from '../../common/logger.ts';
import { formatAmount } from '../../common/money.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import { RedisStreamPublisher, type RunningHub } from '../../hub/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import {
  eventually,
  exited,
  freePort,
  hubsOnRedis,
  OwnRedis,
  redisTransportUrl,
  uniquePrefix,
} from '../../test/support/hub-redis.ts';
import {
  PUBLISHER_KEY,
  publisherToken,
  startTestHub,
  subscribeUrl,
  subscriberToken,
} from '../../test/support/hub.ts';
import { REDIS_URL, redisNamespace } from '../../test/support/redis-namespace.ts';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import { BiddingEngine } from './engine.ts';
import { BidderMasks } from '../core/masks.ts';
import { TEST_MASK_KEY } from '../../test/support/tokens.ts';
import { RedisBiddingStore } from '../stores/redis-store.ts';
import type { AuctionSnapshot } from '../core/types.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const topics = makeTopics();
const silent = createLogger('bidding', (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent');
const BIDDERS = ['alice', 'bob'] as const;

/** A real publisher, counting the failures of each update id (the test's signal that retries are under way). */
class CountingPublisher implements HubPublisher {
  readonly failures = new Map<string, number>();
  private readonly inner: HubPublisher;
  constructor(inner: HubPublisher) {
    this.inner = inner;
  }
  async publish(u: HubUpdate): Promise<string> {
    try {
      return await this.inner.publish(u);
    } catch (err) {
      this.failures.set(u.id ?? '', (this.failures.get(u.id ?? '') ?? 0) + 1);
      throw err;
    }
  }
}

const publicId = (auctionId: string, seq: number): string => `urn:gavel:auction:${auctionId}:${seq}`;

interface Seen {
  seq: number;
  price: string;
  leader: string | null;
  type?: string;
}
const parsed = (e: EventSourceMessage): Seen => JSON.parse(e.data) as Seen;

/** Waits until the subscriber has been sent the snapshot's state (seq, price, leader) on the auction topic. */
async function converges(sub: SseConnection, auctionId: string, snap: AuctionSnapshot): Promise<void> {
  await eventually(
    () => {
      const last = sub.events
        .filter((e) => e.event === 'auction')
        .map(parsed)
        .reduce<Seen | undefined>((a, b) => (a === undefined || b.seq > a.seq ? b : a), undefined);
      expect(last, `updates of ${auctionId}`).toMatchObject({
        seq: snap.lastSeq,
        price: formatAmount(snap.price, snap.currency),
      });
    },
    20_000,
    100,
  );
}

/** The newest private notice each bidder was sent. */
function lastNotices(sub: SseConnection): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (const e of sub.events) {
    if (e.event === 'auction') continue;
    const n = parsed(e);
    const bidder = BIDDERS.find((b) => e.id?.endsWith(`:${b}`));
    if (bidder !== undefined && n.seq >= (out.get(bidder)?.seq ?? 0))
      out.set(bidder, { ...n, type: e.event });
  }
  return out;
}

/** Subscribes to the auction's topic and both bidders' private topics. */
async function watch(hubUrl: string, auctionId: string): Promise<SseConnection> {
  const privateTopics = BIDDERS.map((b) => topics.bidder(b));
  const sub = await connectSse(subscribeUrl(hubUrl, [topics.auction(auctionId), ...privateTopics]), {
    headers: { Authorization: `Bearer ${await subscriberToken(privateTopics)}` },
  });
  expect(sub.status).toBe(200);
  return sub;
}

describe('engine publishing through an outage (real Redis, real hubs, SSE subscribers)', () => {
  const ns = redisNamespace('publishing');
  const hubs = hubsOnRedis();
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeEach(() => hubs.fresh());
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await hubs.cleanup();
  });
  afterAll(() => ns.cleanup());

  interface Outage {
    publisher: HubPublisher;
    /** The hub the subscriber reads from (it stays up). */
    watchUrl: string;
    down(): Promise<void>;
    up(): Promise<void>;
  }

  /**
   * A burst decided while the publisher cannot reach the hubs: the engine keeps retrying the newest
   * state (and each bidder's newest notice) past the five attempts it used to give up after, and
   * once the hubs are reachable again every subscriber gets it — with no further bid.
   */
  async function burstThroughOutage(outage: Outage): Promise<void> {
    const store = new RedisBiddingStore({ redis: ns.redis, prefix: ns.prefix });
    const publisher = new CountingPublisher(outage.publisher);
    const lines: { msg: string }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) },
    );
    const engine = new BiddingEngine({
      masks: new BidderMasks(TEST_MASK_KEY),
      store,
      publisher,
      topics,
      logger,
      retryBaseMs: 20,
      retryMaxMs: 250,
    });
    cleanups.push(() => engine.stop(100));
    const id = `out-${randomUUID().slice(0, 8)}`;
    await store.configure(timedSetup(id, Date.now()));
    for (const b of BIDDERS) await store.setEligibility(id, b, 100_000_000);
    const sub = await watch(outage.watchUrl, id);
    cleanups.push(() => sub.close());
    let amount = 10_000;
    const bid = async (i: number): Promise<void> => {
      const d = await engine.placeBid({
        auctionId: id,
        bidderId: BIDDERS[i % 2]!,
        amount,
        idempotencyKey: randomUUID(),
        source: 'api',
      });
      expect([d.outcome, d.reason]).toEqual(['accepted', undefined]);
      amount += 10_000;
    };
    // The path works: a bid reaches the subscriber.
    await bid(0);
    await sub.waitFor(1, 10_000);

    await outage.down();
    for (let i = 1; i <= 20; i++) await bid(i);
    const snap = (await store.snapshot(id))!;
    expect(snap.lastSeq).toBe(21);
    // Past the point where the engine used to give up: the newest state has failed five times.
    await eventually(
      () => expect(publisher.failures.get(publicId(id, snap.lastSeq)) ?? 0).toBeGreaterThanOrEqual(5),
      20_000,
      20,
    );
    await outage.up();

    await converges(sub, id, snap);
    // And each bidder's newest position: the leader leads at the last seq, the other was outbid by it.
    const leader = snap.leaderId!;
    const other = BIDDERS.find((b) => b !== leader)!;
    await eventually(
      () => {
        const notices = lastNotices(sub);
        expect(notices.get(leader)).toMatchObject({ type: 'leading', seq: snap.lastSeq });
        expect(notices.get(other)).toMatchObject({ type: 'outbid', seq: snap.lastSeq });
      },
      20_000,
      100,
    );
    await engine.drain();
    await eventually(async () => expect((await store.snapshot(id))?.publishedSeq).toBe(snap.lastSeq));
    // The outage is one line when publishing starts failing and one when it works again, however
    // many updates (20 states, 40 notices) failed in between and however often each was retried.
    const about = (start: string): number => lines.filter((l) => l.msg.startsWith(start)).length;
    expect([about('hub publish failed'), about('hub publish succeeds again')]).toEqual([1, 1]);
  }

  it('over HTTP while the hub it publishes to is down', { timeout: 60_000 }, async () => {
    const port = await freePort();
    let target: RunningHub | undefined = await hubs.start({ port });
    const watching = await hubs.start();
    const http = new HttpHubPublisher(`http://127.0.0.1:${port}/.well-known/mercure`, () => publisherToken());
    cleanups.push(() => http.close());
    await burstThroughOutage({
      publisher: http,
      watchUrl: watching.url,
      down: async () => {
        await target!.close();
        hubs.forget(target!);
        target = undefined;
      },
      up: async () => {
        target = await hubs.start({ port });
      },
    });
  });

  it("into the hubs' Redis stream while that Redis is down", { timeout: 90_000 }, async () => {
    const own = await OwnRedis.start();
    cleanups.push(() => own.stop());
    const url = redisTransportUrl(uniquePrefix(), own.port);
    const watching = await startTestHub({ transportUrl: url });
    cleanups.push(() => watching.close());
    // Its own connection, failing at once while Redis is away (the default waits for reconnects
    // first): the test needs many failed attempts, not a long wait for them.
    const conn = new Redis({ port: own.port, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    conn.on('error', () => undefined);
    cleanups.push(() => conn.disconnect());
    const stream = new RedisStreamPublisher({ url, redis: conn });
    await burstThroughOutage({
      publisher: stream,
      watchUrl: watching.url,
      // SIGTERM: the append-only file is written; the stream and the hub's limits come back with it.
      down: () => own.stopServer(),
      up: () => own.startServer(),
    });
  });
});

describe('decisions nobody published (a peer engine died between deciding and publishing)', () => {
  const ns = redisNamespace('publish-peer');
  const hubs = hubsOnRedis();
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await hubs.cleanup();
  });
  afterAll(() => ns.cleanup());

  async function setUp(): Promise<{
    store: RedisBiddingStore;
    engine: BiddingEngine;
    id: string;
    sub: SseConnection;
  }> {
    const hub = await hubs.start();
    const store = new RedisBiddingStore({ redis: ns.redis, prefix: ns.prefix });
    const stream = new RedisStreamPublisher({ url: hubs.transportUrl });
    cleanups.push(() => stream.close());
    const engine = new BiddingEngine({
      masks: new BidderMasks(TEST_MASK_KEY),
      store,
      publisher: stream,
      topics,
      logger: silent,
      sweepMs: 200,
    });
    cleanups.push(() => engine.stop(100));
    const id = `peer-${randomUUID().slice(0, 8)}`;
    await store.configure(timedSetup(id, Date.now()));
    for (const b of BIDDERS) await store.setEligibility(id, b, 100_000_000);
    return { store, engine, id, sub: await watch(hub.url, id) };
  }

  /** A bid decided in Redis by "another engine" that never published it. */
  const decidedElsewhere = (store: RedisBiddingStore, id: string, amount: number, key: string) =>
    store.placeBid({ auctionId: id, bidderId: 'bob', amount, idempotencyKey: key, source: 'api' });

  it(
    'a running engine finds it at its next sweeps and publishes it, with no further bid',
    { timeout: 30_000 },
    async () => {
      const { store, engine, id, sub } = await setUp();
      engine.start();
      // The sweep at start is over: what follows is found by the periodic ones.
      await engine.drain();
      expect((await decidedElsewhere(store, id, 10_000, randomUUID())).outcome).toBe('accepted');
      const snap = (await store.snapshot(id))!;
      await converges(sub, id, snap);
      await eventually(async () => expect((await store.snapshot(id))?.publishedSeq).toBe(snap.lastSeq));
    },
  );

  it(
    'the retry of its bid, answered from the stored decision, publishes the lot at once',
    { timeout: 30_000 },
    async () => {
      // No sweep: only the retried bid can bring the state out.
      const { store, engine, id, sub } = await setUp();
      const key = randomUUID();
      await decidedElsewhere(store, id, 10_000, key);
      const retry = await engine.placeBid({
        auctionId: id,
        bidderId: 'bob',
        amount: 10_000,
        idempotencyKey: key,
        source: 'api',
      });
      expect(retry).toMatchObject({ outcome: 'accepted', replayed: true, seq: 1 });
      await converges(sub, id, (await store.snapshot(id))!);
    },
  );
});

describe('engine process SIGKILLed after a burst it could not publish', () => {
  const ns = redisNamespace('publish-kill');
  const hubs = hubsOnRedis();
  const serviceToken = randomBytes(24).toString('hex');
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      const done = exited(c);
      c.kill('SIGKILL');
      await done;
    }
    await hubs.cleanup();
    await ns.cleanup();
  });

  /** `npm run bidding` as its own process, publishing over HTTP to the hub on `hubPort`. */
  async function startEngine(hubPort: number): Promise<{ url: string; child: ChildProcess }> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bidding/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        REDIS_URL,
        REDIS_PREFIX: ns.prefix,
        HUB_PUBLISH_URL: `http://127.0.0.1:${hubPort}/.well-known/mercure`,
        MERCURE_PUBLISHER_JWT_KEY: PUBLISHER_KEY,
        BIDDING_SERVICE_TOKEN: serviceToken,
        GAVEL_MASK_KEY: TEST_MASK_KEY,
        // Any free port: other engines of the suite may hold the default.
        BIDDING_METRICS_PORT: '0',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`the engine exited with ${child.exitCode}`);
        expect((await fetch(`${url}/healthz`)).ok).toBe(true);
      },
      30_000,
      100,
    );
    return { url, child };
  }

  async function kill(child: ChildProcess): Promise<void> {
    const done = exited(child);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    children.splice(children.indexOf(child), 1);
  }

  it(
    'restarted, it republishes the newest state: subscribers converge with no further bid, and a repeat is deduplicated',
    { timeout: 120_000 },
    async () => {
      const hubPort = await freePort();
      const target = await hubs.start({ port: hubPort });
      const watching = await hubs.start();
      const store = new RedisBiddingStore({ redis: ns.redis, prefix: ns.prefix });
      const id = `kill-${randomUUID().slice(0, 8)}`;
      await store.configure(timedSetup(id, Date.now()));
      for (const b of BIDDERS) await store.setEligibility(id, b, 100_000_000);
      const sub = await hubs.subscribe(subscribeUrl(watching.url, [topics.auction(id)]));

      let amount = 10_000;
      let n = 0;
      const bid = async (engineUrl: string): Promise<void> => {
        const res = await fetch(`${engineUrl}/internal/v1/bids`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${serviceToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            auctionId: id,
            bidderId: BIDDERS[n++ % 2],
            amount,
            idempotencyKey: randomUUID(),
            source: 'api',
          }),
        });
        expect(await res.json()).toMatchObject({ outcome: 'accepted' });
        amount += 10_000;
      };

      const first = await startEngine(hubPort);
      await bid(first.url);
      await sub.waitFor(1, 10_000);

      // The hub is unreachable while the burst is decided, and the engine dies before it comes back.
      await target.close();
      hubs.forget(target);
      for (let i = 0; i < 15; i++) await bid(first.url);
      await kill(first.child);
      const snap = (await store.snapshot(id))!;
      expect(snap.lastSeq).toBe(16);
      expect(snap.publishedSeq).toBeLessThan(snap.lastSeq);

      await hubs.start({ port: hubPort });
      const second = await startEngine(hubPort);
      await converges(sub, id, snap);
      expect(JSON.parse(sub.events.at(-1)!.data)).toMatchObject({ lastAction: 'state', stateVersion: 0 });
      await eventually(async () => expect((await store.snapshot(id))?.publishedSeq).toBe(snap.lastSeq));

      // Killed again after publishing but before recording it: the republish carries the same id,
      // so the hub delivers it once. The next bid's update is the signal that everything before it arrived.
      await kill(second.child);
      await ns.redis.hset(store.keys(id).state, 'published_seq', String(snap.lastSeq - 1));
      const third = await startEngine(hubPort);
      await eventually(async () => expect((await store.snapshot(id))?.publishedSeq).toBe(snap.lastSeq));
      await bid(third.url);
      await eventually(() => expect(parsed(sub.events.at(-1)!).seq).toBe(snap.lastSeq + 1), 20_000, 100);
      expect(sub.events.filter((e) => e.id === publicId(id, snap.lastSeq))).toHaveLength(1);
    },
  );
});
