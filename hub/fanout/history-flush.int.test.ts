import { afterEach, describe, expect, it } from 'vitest';
import { connectSse } from '../../test/support/sse-client.ts';
import { publisherToken, subscriberToken, subscribeUrl } from '../../test/support/hub.ts';
import { eventually, hubScope } from '../../test/support/hub-redis.ts';
import { publishOk, uniqueTopic } from '../../test/support/protocol.ts';
import type { HubConfig } from '../service/config.ts';
import type { RunningHub } from '../service/server.ts';

/**
 * Replay history belongs to published updates. Subscription events (one per selector, when a
 * subscription opens and when it closes) used to be appended to it: four anonymous connections
 * with 1,400 topics each pushed every bid update out of a 10,000-entry history, and a bidder
 * resuming was answered `earliest` — the private notices missed while disconnected were gone.
 */
const ALL_SUBSCRIPTIONS = '/.well-known/mercure/subscriptions{/topic}{/subscriber}';

describe.each(['memory', 'redis'] as const)('history vs. subscription churn (%s transport)', (kind) => {
  const scope = hubScope();
  afterEach(() => scope.cleanup());

  /** Two hubs sharing history on Redis (churn on one, resume on the other); one hub in memory. */
  async function start(overrides: Partial<HubConfig>): Promise<[RunningHub, RunningHub]> {
    if (kind === 'memory') {
      const h = await scope.start(overrides);
      return [h, h];
    }
    const transportUrl = scope.redisTransport();
    return [
      await scope.start({ ...overrides, transportUrl }),
      await scope.start({ ...overrides, transportUrl }),
    ];
  }
  const open = (url: string, headers: Record<string, string> = {}) => scope.open(url, headers);

  it('a bidder resuming after any amount of subscription churn gets the private notice it missed', async () => {
    const HISTORY = 50;
    // The per-address cap is not what this test is about: the churn comes from one address here.
    const [churnHub, bidderHub] = await start({ historySize: HISTORY, maxConnectionsPerIp: 0 });
    const publisher = await publisherToken();
    const bidderTopic = uniqueTopic('bidders');
    const bidderToken = await subscriberToken([bidderTopic]);

    // The bidder's stream is at `cursor` when it drops; the outbid notice comes while it is away.
    const cursor = await publishOk(bidderHub.url, publisher, { topic: uniqueTopic('auctions'), data: 'bid' });
    const notice = await publishOk(bidderHub.url, publisher, {
      topic: bidderTopic,
      data: '{"type":"outbid"}',
      private: true,
    });

    // Staff watch subscriptions, so the events are published (someone may read them) — on both hubs.
    const watchers = [
      await open(subscribeUrl(churnHub.url, [ALL_SUBSCRIPTIONS]), {
        Authorization: `Bearer ${await subscriberToken(['*'])}`,
      }),
      await open(subscribeUrl(bidderHub.url, [ALL_SUBSCRIPTIONS]), {
        Authorization: `Bearer ${await subscriberToken(['*'])}`,
      }),
    ];
    // Anonymous churn: 6 rounds of 4 connections with 32 topics each, opened then closed. With the
    // events in history that is 1,536 entries against a history of 50.
    const ROUNDS = 6;
    const PER_ROUND = 4;
    const TOPICS = 32;
    for (let round = 0; round < ROUNDS; round++) {
      const batch = await Promise.all(
        Array.from({ length: PER_ROUND }, () =>
          connectSse(
            subscribeUrl(
              churnHub.url,
              Array.from({ length: TOPICS }, () => uniqueTopic('flood')),
            ),
          ),
        ),
      );
      for (const s of batch) expect(s.status).toBe(200);
      for (const s of batch) s.close();
    }
    // Every event was published and delivered (the positive signal that the churn really happened).
    const expected = ROUNDS * PER_ROUND * TOPICS * 2;
    for (const w of watchers)
      await eventually(
        () => expect(w.events.filter((e) => e.data.includes('/flood/')).length).toBe(expected),
        15_000,
      );

    const resumed = await open(subscribeUrl(bidderHub.url, [bidderTopic]), {
      Authorization: `Bearer ${bidderToken}`,
      'Last-Event-ID': cursor,
    });
    expect(resumed.headers.get('last-event-id')).toBe(cursor);
    expect((await resumed.waitFor(1)).map((e) => [e.id, e.data])).toEqual([[notice, '{"type":"outbid"}']]);
  });
});
