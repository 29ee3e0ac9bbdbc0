import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SseConnection } from '../../test/support/sse-client.ts';
import { subscriberToken, subscribeUrl } from '../../test/support/hub.ts';
import { eventually, hubScope, REDIS_PORT } from '../../test/support/hub-redis.ts';
import { readMetric, uniqueTopic } from '../../test/support/protocol.ts';
import type { RunningHub } from '../service/server.ts';
import type * as TopicSelector from '../core/topic-selector.ts';

/**
 * Subscription events (the hub's announcements of subscriptions opening and closing) are private:
 * only a subscriber whose claims cover them may read them. So they are matched against nobody
 * else's selectors — a hostile selector of an anonymous client is never even evaluated on them —
 * and they are not published at all while nobody may read them.
 */
const evaluated = vi.hoisted(() => [] as [selector: string, topic: string][]);
vi.mock('../core/topic-selector.ts', async (importOriginal) => {
  const real = await importOriginal<typeof TopicSelector>();
  const matchSelector = (selector: string, topic: string): boolean => {
    evaluated.push([selector, topic]);
    return real.matchSelector(selector, topic);
  };
  return {
    ...real,
    matchSelector,
    matchAny: (selectors: readonly string[], topics: readonly string[]): boolean =>
      selectors.some((s) => topics.some((t) => matchSelector(s, t))),
  };
});

const SUBS = '/.well-known/mercure/subscriptions/';
const ALL_SUBSCRIPTIONS = '/.well-known/mercure/subscriptions{/topic}{/subscriber}';

describe('subscription events', { timeout: 20_000 }, () => {
  const scope = hubScope();
  afterEach(() => scope.cleanup());
  const open = (url: string, token?: string): Promise<SseConnection> =>
    scope.open(url, token === undefined ? {} : { Authorization: `Bearer ${token}` });
  const hub = (transportUrl = 'memory://'): Promise<RunningHub> => scope.start({ transportUrl });

  it('are matched only against the selectors of subscribers whose claims may cover them', async () => {
    const h = await hub();
    // Selectors that would match every subscription event, held by clients who may not read them:
    // an anonymous one, and one with a token for ordinary topics (anyone gets one from the gateway).
    const anonymousSelector = `${SUBS}{+anything}`;
    const tokenSelector = `${SUBS}{+rest}`;
    await open(subscribeUrl(h.url, [anonymousSelector]));
    await open(subscribeUrl(h.url, [tokenSelector]), await subscriberToken(['https://example.com/{x}']));
    const watcher = await open(subscribeUrl(h.url, [ALL_SUBSCRIPTIONS]), await subscriberToken(['*']));

    evaluated.length = 0;
    const t = uniqueTopic();
    const s = await open(subscribeUrl(h.url, [t]));
    s.close();
    // The watcher gets both events: the announcements happened, and were matched for it.
    await eventually(() =>
      expect(watcher.events.filter((e) => e.data.includes(JSON.stringify(t)))).toHaveLength(2),
    );
    const onEvents = evaluated.filter(([, topic]) => topic.startsWith(SUBS));
    expect(onEvents.some(([sel]) => sel === ALL_SUBSCRIPTIONS)).toBe(true);
    expect(onEvents.filter(([sel]) => sel === anonymousSelector || sel === tokenSelector)).toEqual([]);
  });

  it('are not published while nobody may read them (memory)', async () => {
    const h = await hub();
    const unwatched = uniqueTopic('unwatched');
    (await open(subscribeUrl(h.url, [unwatched]))).close();
    // The hub has seen it close (its announcements are made) before any watcher arrives.
    await eventually(() => expect(h.hub.size).toBe(0));
    // A watcher arrives; a later subscription is announced to it.
    const watcher = await open(subscribeUrl(h.url, [ALL_SUBSCRIPTIONS]), await subscriberToken(['*']));
    const watched = uniqueTopic('watched');
    await open(subscribeUrl(h.url, [watched]));
    await eventually(() => expect(watcher.events.some((e) => e.data.includes(watched))).toBe(true));
    // Published: the watcher's own subscription and the watched one — never the unwatched one's two.
    expect(await readMetric(h, 'mercure_subscription_events_total')).toBe(2);
    expect(watcher.events.filter((e) => e.data.includes(unwatched))).toEqual([]);
  });

  it('are not published while no hub of the cluster has a subscriber who may read them (redis)', async () => {
    const transportUrl = scope.redisTransport();
    const prefix = new URL(transportUrl).searchParams.get('prefix')!;
    const a = await hub(transportUrl);
    const b = await hub(transportUrl);
    // Listen on the channel itself: whatever any hub publishes there.
    const raw = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    const messages: string[] = [];
    try {
      raw.on('message', (_channel: string, m: string) => messages.push(m));
      await raw.subscribe(`${prefix}:subscription-events`);

      const unwatched = uniqueTopic('unwatched');
      (await open(subscribeUrl(a.url, [unwatched]))).close();
      await eventually(() => expect(a.hub.size).toBe(0));
      // A watcher on hub B; a subscription on hub A is announced to it.
      const watcher = await open(subscribeUrl(b.url, [ALL_SUBSCRIPTIONS]), await subscriberToken(['*']));
      const watched = uniqueTopic('watched');
      await open(subscribeUrl(a.url, [watched]));
      await eventually(() => expect(watcher.events.some((e) => e.data.includes(watched))).toBe(true));
      await eventually(() => expect(messages.some((m) => m.includes(watched))).toBe(true));
      expect(messages.filter((m) => m.includes(unwatched))).toEqual([]);
      // And none of it went into the shared history.
      const history = await a.hub.transport.since('earliest');
      expect(history.updates.filter((u) => u.topics.some((t) => t.startsWith(SUBS)))).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });
});
