import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startBiddingService, type RunningBidding } from '../bidding/index.ts';
import { createLogger } from '../common/logger.ts';
import { CORRELATION_ATTR, startTestTracing, type TestTracing } from '../common/tracing.ts';
import type { RunningGateway } from '../gateway/index.ts';
import type { RunningHub } from '../hub/index.ts';
import { generateVapidKeys } from '../orchestrator/index.ts';
import { postBid, startTestGavel } from './support/gavel.ts';
import { startTestHub } from './support/hub.ts';
import {
  LATER,
  startSaleNow,
  startTestBackOffice,
  until,
  type TestBackOffice,
} from './support/orchestrator.ts';
import { browserKeys, startPushService, type PushServiceStandIn } from './support/push-service.ts';
import { TEST_MASK_KEY } from './support/tokens.ts';

/**
 * The traces of a bid (docs/operations.md, "Traces"), recorded in memory: a bid through the gateway
 * that outbids someone, on real Redis and PostgreSQL, with the engine in the gateway's process and
 * then in a bidding process of its own behind HTTP. The gateway's `bid` span is the parent of the
 * engine's `bid.decide`, itself the parent of the `hub.publish` of each update it queued — one
 * trace; the ledger writer's `ledger.apply` and the outbox's `notification.send` (the outbid push,
 * received by a stand-in push service) are traces of their own carrying the same correlation id.
 */
const SERVICE_TOKEN = 'traces-test-service-token-0123456789';
const vapid = generateVapidKeys('mailto:traces-test@gavel.example');

describe('traces of a bid', () => {
  let tracing: TestTracing;
  let push: PushServiceStandIn;
  let t: TestBackOffice;
  let hub: RunningHub;
  let bidding: RunningBidding;
  let embedded: RunningGateway;
  let split: RunningGateway;
  const publisherKey = randomBytes(32).toString('hex');
  const userJwtKey = randomBytes(32).toString('hex');
  const biddingToken = randomBytes(24).toString('hex');

  beforeAll(async () => {
    tracing = await startTestTracing();
    push = await startPushService();
    t = await startTestBackOffice('traces', {
      notify: { push: { vapid, allowLoopbackHttp: true } },
      accounts: { serviceToken: SERVICE_TOKEN },
    });
    hub = await startTestHub({
      publisherKey,
      subscriberKey: publisherKey,
      transportUrl: `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${t.ns.prefix}:{hub}`)}`,
    });
    const hubUrl = `${hub.url}/.well-known/mercure`;
    const common = {
      mode: 'distributed' as const,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: t.ns.prefix,
      hubUrl,
      hubPublishUrl: hubUrl,
      publisherKey,
      subscriberKey: publisherKey,
      userJwtKey,
    };
    await t.ok('POST', '/bidders', { id: 't-alice', name: 'Alice' });
    await t.ok('POST', '/bidders', { id: 't-bob', name: 'Bob' });
    // The engine inside the gateway's process, on the back office's Redis.
    embedded = await startTestGavel(common);
    // …and in a process of its own (here: its own server in this one), reached over HTTP.
    bidding = await startBiddingService(
      {
        host: '127.0.0.1',
        port: 0,
        redisUrl: 'redis://127.0.0.1:6379',
        redisPrefix: t.ns.prefix,
        hubPublishUrl: hubUrl,
        publisherKey,
        publisherAlg: 'HS256',
        topicBase: 'https://gavel.local',
        serviceToken: biddingToken,
        maskKey: TEST_MASK_KEY,
        logLevel: 'silent',
      },
      createLogger('bidding', 'silent'),
    );
    split = await startTestGavel({ ...common, biddingUrl: bidding.url, biddingServiceToken: biddingToken });
  }, 60_000);
  afterAll(async () => {
    await split?.close();
    await bidding?.close();
    await embedded?.close();
    await hub?.close();
    await t?.close();
    await push?.close();
    await tracing?.shutdown();
  });

  /** A timed lot open for bids, Alice and Bob registered, Alice's browser subscribed to Web Push. */
  async function openLot(label: string): Promise<string> {
    const sale = `${label}-sale`;
    const lot = `${label}-lot`;
    await t.ok('POST', '/sales', {
      id: sale,
      mode: 'timed',
      currency: 'EUR',
      title: `Traces ${label}`,
      ...LATER,
      kycFreeLimit: '1000000.00',
    });
    await t.ok('POST', `/sales/${sale}/lots`, {
      id: lot,
      lotNumber: 1,
      title: 'Carriage Clock',
      opening: '100.00',
      increments: [{ from: '0', step: '10.00' }],
    });
    await t.ok('POST', `/sales/${sale}/publish`);
    for (const b of ['t-alice', 't-bob'])
      await t.ok('POST', `/sales/${sale}/registrations`, { bidderId: b, limit: '9000.00', approve: true });
    await startSaleNow(t, sale, 600_000);
    await until(
      `${lot} open`,
      async () => ((await t.engine.snapshot(lot))?.status === 'open' ? true : undefined),
      30_000,
    );
    return lot;
  }

  const attr = (s: ReadableSpan, name: string): unknown => s.attributes[name];
  const withCorrelation = (name: string, correlationId: string): ReadableSpan[] =>
    tracing.spans().filter((s) => s.name === name && attr(s, CORRELATION_ATTR) === correlationId);
  const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;

  /** Alice bids, Bob outbids her through `gateway`; the spans of Bob's bid, once all are recorded. */
  async function outbid(gateway: RunningGateway, lot: string): Promise<Record<string, ReadableSpan[]>> {
    const alice = await gateway.tokens.sign({ id: 't-alice', role: 'bidder', name: 'Alice' });
    const bob = await gateway.tokens.sign({ id: 't-bob', role: 'bidder', name: 'Bob' });
    const aliceId = `req-${randomUUID()}`;
    const bobId = `req-${randomUUID()}`;
    const first = await postBid(gateway.url, lot, alice, { amount: '100.00' }, randomUUID(), {
      'X-Request-Id': aliceId,
    });
    expect(first.status).toBe(201);
    const pushedBefore = push.received.filter((r) => r.path === `/push/${lot}/t-alice`).length;
    const second = await postBid(gateway.url, lot, bob, { amount: '110.00' }, randomUUID(), {
      'X-Request-Id': bobId,
    });
    expect(second.status).toBe(201);
    expect(second.headers.get('x-request-id')).toBe(bobId);
    // The outbid push reached Alice's push service (the stand-in), then its span is recorded.
    await until(
      'the outbid push to Alice',
      () =>
        push.received.filter((r) => r.path === `/push/${lot}/t-alice`).length > pushedBefore
          ? true
          : undefined,
      30_000,
    );
    return until(
      'the spans of Bob’s bid',
      () => {
        const spans = {
          bid: withCorrelation('bid', bobId),
          decide: withCorrelation('bid.decide', bobId),
          publish: withCorrelation('hub.publish', bobId),
          ledger: withCorrelation('ledger.apply', bobId),
          notification: withCorrelation('notification.send', bobId),
        };
        // Bob's bid publishes the public state and two notices (Bob leads, Alice is outbid).
        return spans.publish.length >= 3 && spans.ledger.length >= 1 && spans.notification.length >= 1
          ? spans
          : undefined;
      },
      30_000,
    );
  }

  async function subscribeAlice(lot: string): Promise<void> {
    const k = browserKeys();
    const res = await fetch(`${t.orch.url!}/bidders-self/v1/bidders/t-alice/push`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${SERVICE_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        endpoint: `${push.origin}/push/${lot}/t-alice`,
        keys: { p256dh: k.p256dh, auth: k.auth },
      }),
    });
    expect(res.status).toBe(200);
  }

  /** The tree every topology must give Bob's bid. */
  function expectTree(s: Record<string, ReadableSpan[]>, lot: string): { decide: ReadableSpan } {
    expect(s.bid).toHaveLength(1);
    expect(s.decide).toHaveLength(1);
    const bid = s.bid![0]!;
    const decide = s.decide![0]!;
    const traceId = bid.spanContext().traceId;
    expect(attr(bid, 'gavel.auction_id')).toBe(lot);
    expect(attr(bid, 'gavel.bid.outcome')).toBe('accepted');
    expect(bid.parentSpanContext).toBeUndefined();
    // gateway bid → engine decide
    expect(decide.spanContext().traceId).toBe(traceId);
    expect(parentOf(decide)).toBe(bid.spanContext().spanId);
    expect(attr(decide, 'gavel.seq')).toBe(2);
    // engine decide → hub publish: the public state and each bidder's notice
    for (const p of s.publish!) {
      expect(p.spanContext().traceId).toBe(traceId);
      expect(parentOf(p)).toBe(decide.spanContext().spanId);
      expect(attr(p, 'gavel.hub.published')).toBe(true);
    }
    expect(s.publish!.map((p) => attr(p, 'gavel.hub.lane')).sort()).toEqual(['notices', 'notices', 'public']);
    // The ledger and the notification: traces of their own, joined by the correlation id.
    const ledger = s.ledger!.find((l) => attr(l, 'gavel.auction_id') === lot && attr(l, 'gavel.seq') === 2);
    expect(ledger).toBeDefined();
    expect(ledger!.spanContext().traceId).not.toBe(traceId);
    expect(attr(ledger!, 'gavel.decision.type')).toBe('bid');
    const outbidNotice = s.notification!.find((n) => attr(n, 'gavel.notification.type') === 'lot.outbid');
    expect(outbidNotice).toBeDefined();
    expect(outbidNotice!.parentSpanContext).toBeUndefined();
    expect(outbidNotice!.spanContext().traceId).not.toBe(traceId);
    return { decide };
  }

  it('joins gateway → engine → hub in one trace, and the ledger and the outbid push by correlation id', async () => {
    const lot = await openLot('embedded');
    await subscribeAlice(lot);
    const spans = await outbid(embedded, lot);
    const { decide } = expectTree(spans, lot);
    // In process: the parent came through the async context, not over the wire.
    expect(decide.parentSpanContext?.isRemote).not.toBe(true);
  }, 90_000);

  it('carries the trace to a bidding process over HTTP in a W3C traceparent', async () => {
    const lot = await openLot('split');
    await subscribeAlice(lot);
    const spans = await outbid(split, lot);
    const { decide } = expectTree(spans, lot);
    expect(decide.parentSpanContext?.isRemote).toBe(true);
  }, 90_000);
});
