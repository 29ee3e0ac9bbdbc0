import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserTokens } from '../common/auth.ts';
import { twilioSignature } from '../common/twilio.ts';
import { RedisBiddingStore } from '../bidding/index.ts';
import type { RunningHub } from '../hub/index.ts';
import { timedSetup } from './support/bidding.ts';
import { postBid } from './support/gavel.ts';
import { startTestHub } from './support/hub.ts';
import { freePort } from './support/net.ts';
import { until } from './support/orchestrator.ts';
import { REDIS_URL, redisNamespace } from './support/redis-namespace.ts';
import { runUntilReady } from './support/process.ts';

/**
 * The bid path's metrics, end to end: `npm run bidding` and a distributed `npm start` as processes
 * on real Redis with a hub on the Redis transport. Bids over HTTP (accepted and refused), a floor
 * bid, texted messages through the signed Twilio webhook, a forged one, a tripped rate limit and a
 * failing decision script — then each process's own metrics listener is scraped, and the public
 * ports are checked not to serve them.
 */
/** One sample line of a Prometheus text exposition. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the sample `name` whose labels include `labels`; 0 when there is none yet. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const hit = samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return hit?.value ?? 0;
}

async function scrape(origin: string): Promise<Sample[]> {
  const res = await fetch(`${origin}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parseSamples(await res.text());
}

describe('bid-path metrics of the engine and a distributed gateway', { timeout: 180_000 }, () => {
  const ns = redisNamespace('bid-metrics');
  const serviceToken = randomBytes(24).toString('hex');
  const userKey = randomBytes(32).toString('hex');
  const publisherKey = randomBytes(32).toString('hex');
  const twilioToken = randomBytes(16).toString('hex');
  const stops: (() => Promise<void>)[] = [];
  let redis: Redis;
  let hub: RunningHub;
  let engine: { api: string; metrics: string };
  let gateway: { api: string; metrics: string };

  /** Starts an entry point with `env` and waits until `ready` answers 200. */
  async function run(script: string, env: Record<string, string>, ready: string): Promise<void> {
    const running = await runUntilReady(script, env, ready);
    stops.push(() => running.stop());
  }

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    const hubStream = `${REDIS_URL}?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`;
    hub = await startTestHub({ publisherKey, subscriberKey: publisherKey, transportUrl: hubStream });
    const [enginePort, engineMetrics, gatewayPort, gatewayMetrics] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const shared = { REDIS_URL, REDIS_PREFIX: ns.prefix, GAVEL_MASK_KEY: randomBytes(32).toString('hex') };
    engine = { api: `http://127.0.0.1:${enginePort}`, metrics: `http://127.0.0.1:${engineMetrics}` };
    await run(
      'bidding/main.ts',
      {
        ...shared,
        PORT: String(enginePort),
        HUB_PUBLISH_URL: hubStream,
        BIDDING_SERVICE_TOKEN: serviceToken,
        BIDDING_METRICS_PORT: String(engineMetrics),
      },
      `${engine.api}/health/live`,
    );
    gateway = { api: `http://127.0.0.1:${gatewayPort}`, metrics: `http://127.0.0.1:${gatewayMetrics}` };
    await run(
      'main.ts',
      {
        ...shared,
        GAVEL_MODE: 'distributed',
        GAVEL_DEMO: 'false',
        PORT: String(gatewayPort),
        HUB_URL: `${hub.url}/.well-known/mercure`,
        HUB_PUBLISH_URL: hubStream,
        BIDDING_URL: engine.api,
        BIDDING_SERVICE_TOKEN: serviceToken,
        GATEWAY_JWT_KEY: userKey,
        MERCURE_PUBLISHER_JWT_KEY: publisherKey,
        TWILIO_AUTH_TOKEN: twilioToken,
        // Two bids at once per bidder, then one a second: a burst of ten trips it.
        RATE_LIMIT_PER_SECOND: '1',
        RATE_LIMIT_BURST: '2',
        GATEWAY_METRICS_PORT: String(gatewayMetrics),
      },
      `${gateway.api}/health/live`,
    );
  }, 200_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await hub?.close();
    redis?.disconnect();
    await ns.cleanup();
  });

  const tokens = new UserTokens({ key: userKey, audience: 'api' });
  const bidder = (id: string): Promise<string> => tokens.sign({ id, role: 'bidder', name: id });

  it('counts decisions by channel, outcome and reason, times them, and serves them only on the metrics listeners', async () => {
    const store = new RedisBiddingStore({ redis, prefix: ns.prefix });
    const lot = `t-${randomUUID().slice(0, 8)}`;
    await store.configure(timedSetup(lot, Date.now()));
    for (const b of ['alice', 'bob']) await store.setEligibility(lot, b, 1_000_000);
    const [alice, bob, dave] = await Promise.all(['alice', 'bob', 'dave'].map(bidder));

    // Over HTTP: two accepted, one outbid, one from a bidder not registered for the sale.
    expect((await postBid(gateway.api, lot, alice, { amount: '100.00' }, randomUUID())).status).toBe(201);
    const outbid = await postBid(gateway.api, lot, bob, { amount: '100.00' }, randomUUID());
    expect([outbid.status, outbid.body.error?.code]).toEqual([409, 'OUTBID']);
    expect((await postBid(gateway.api, lot, bob, { amount: '150.00' }, randomUUID())).status).toBe(201);
    const stranger = await postBid(gateway.api, lot, dave, { amount: '200.00' }, randomUUID());
    expect(stranger.body.error?.code).toBe('NOT_ELIGIBLE');

    // A floor bid on a live lot, through the auctioneer's console.
    const live = `l-${randomUUID().slice(0, 8)}`;
    await store.configure(
      timedSetup(live, Date.now(), { mode: 'live', status: 'scheduled', opening: 100_000 }),
    );
    const clerk = await tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
    const floor = (action: string, body: unknown): Promise<Response> =>
      fetch(`${gateway.api}/v1/auctions/${live}/floor/${action}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${clerk}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': randomUUID(),
        },
        body: JSON.stringify(body),
      });
    expect((await floor('open', {})).status).toBe(200);
    expect((await floor('floor-bid', { paddle: '112', amount: '1000.00' })).status).toBe(200);

    // Texted: a signed message from a number nobody registered, and one with a forged signature.
    const hook = `${gateway.api}/v1/messaging/twilio`;
    const form = new URLSearchParams({ MessageSid: 'SMmetrics1', From: '+447700900999', Body: '#1 100' });
    const texted = await fetch(hook, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilioSignature(twilioToken, hook, form),
      },
      body: form.toString(),
    });
    expect(texted.status).toBe(200);
    expect(await texted.text()).toContain('not registered');
    const forged = await fetch(hook, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'forged' },
      body: form.toString(),
    });
    expect(forged.status).toBe(403);

    // Ten bids at once from one bidder: the per-bidder limit (2 at once, 1/s) refuses most.
    const carolLot = `c-${randomUUID().slice(0, 8)}`;
    await store.configure(timedSetup(carolLot, Date.now()));
    await store.setEligibility(carolLot, 'carol', 1_000_000);
    const carol = await bidder('carol');
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        postBid(gateway.api, carolLot, carol, { amount: `${100 + i * 50}.00` }, randomUUID()),
      ),
    );
    const limited = burst.filter((r) => r.status === 429).length;
    expect(limited).toBeGreaterThan(0);
    expect(burst.every((r) => r.status === 429 || r.body.error?.code !== 'RATE_LIMITED')).toBe(true);

    // A decision script that fails: the lot's state is not a hash any more (its meta is cached by now).
    const broken = `b-${randomUUID().slice(0, 8)}`;
    await store.configure(timedSetup(broken, Date.now()));
    await store.setEligibility(broken, 'erin', 1_000_000);
    const erin = await bidder('erin');
    expect((await postBid(gateway.api, broken, erin, { amount: '100.00' }, randomUUID())).status).toBe(201);
    const stateKey = store.keys(broken).state;
    await redis.del(stateKey);
    await redis.set(stateKey, 'not a hash');
    const failed = await postBid(gateway.api, broken, erin, { amount: '150.00' }, randomUUID());
    expect(failed.status).toBe(503);
    await redis.del(stateKey);

    // The engine: decisions by channel, outcome and reason (carol's that passed the limit too).
    const passed = burst.length - limited;
    const e = await until('the publishes to be timed', async () => {
      const s = await scrape(engine.metrics);
      return valueOf(s, 'gavel_bid_publish_seconds_count') >= 4 ? s : undefined;
    });
    const bids = (labels: Record<string, string>): number => valueOf(e, 'gavel_bids_total', labels);
    expect(bids({ channel: 'api', outcome: 'accepted', reason: 'none' })).toBeGreaterThanOrEqual(3);
    expect(bids({ channel: 'api', outcome: 'refused', reason: 'OUTBID' })).toBeGreaterThanOrEqual(1);
    expect(bids({ channel: 'api', outcome: 'refused', reason: 'NOT_ELIGIBLE' })).toBe(1);
    expect(bids({ channel: 'floor', outcome: 'accepted', reason: 'none' })).toBe(1);
    // Every decided API bid: alice, bob twice, dave, erin's first, and carol's that passed the limit.
    const api = e
      .filter((s) => s.name === 'gavel_bids_total' && s.labels.channel === 'api')
      .reduce((n, s) => n + s.value, 0);
    expect(api).toBe(5 + passed);
    expect(bids({ channel: 'sms' })).toBe(0);
    // Each decision timed (the API's and the floor bid; not erin's failed call).
    expect(valueOf(e, 'gavel_bid_decision_seconds_count')).toBe(api + 1);
    expect(valueOf(e, 'gavel_bid_decision_seconds_bucket', { le: '1' })).toBeGreaterThan(0);
    expect(valueOf(e, 'gavel_engine_script_errors_total', { script: 'place-bid' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(e, 'gavel_redis_up', { client: 'engine' })).toBe(1);
    expect(valueOf(e, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    // The gateway: every bid request received, before the engine; the refusals by limit and reason.
    const g = await scrape(gateway.metrics);
    expect(valueOf(g, 'gavel_gateway_bids_received_total', { channel: 'api' })).toBe(4 + 10 + 2);
    expect(valueOf(g, 'gavel_gateway_bids_received_total', { channel: 'floor' })).toBe(1);
    expect(valueOf(g, 'gavel_gateway_bids_received_total', { channel: 'sms' })).toBe(1);
    expect(valueOf(g, 'gavel_rate_limit_refusals_total', { limit: 'bid' })).toBe(limited);
    expect(valueOf(g, 'gavel_webhook_refusals_total', { provider: 'twilio', reason: 'unknown_sender' })).toBe(
      1,
    );
    expect(valueOf(g, 'gavel_webhook_refusals_total', { provider: 'twilio', reason: 'bad_signature' })).toBe(
      1,
    );
    expect(valueOf(g, 'gavel_redis_up', { client: 'gateway' })).toBe(1);
    // The engine runs in its own process: its metrics are not the gateway's.
    expect(g.some((s) => s.name === 'gavel_bids_total')).toBe(false);

    // Never on the public origin, nor on the engine's internal API.
    const pub = await fetch(`${gateway.api}/metrics`);
    expect(pub.status).toBe(404);
    expect(await pub.text()).not.toMatch(/gavel_|nodejs_/);
    const internal = await fetch(`${engine.api}/metrics`);
    expect(internal.status).toBe(404);
    expect(await internal.text()).not.toMatch(/gavel_|nodejs_/);
  });
});
