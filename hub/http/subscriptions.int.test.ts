import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import {
  hubToken,
  publish,
  publisherToken,
  startTestHub,
  SUBSCRIBER_KEY,
  subscriberToken,
  subscribeUrl,
} from '../../test/support/hub.ts';
import {
  deleteKeys,
  eventually,
  redisTransportUrl,
  sleep,
  uniquePrefix,
} from '../../test/support/hub-redis.ts';
import type { HubConfig } from '../service/config.ts';
import type { RunningHub } from '../service/server.ts';

/**
 * The subscription API (Mercure "Subscriptions"): the JSON-LD list of active subscriptions,
 * by topic and by subscriber, guarded by the subscriber JWT; and the private subscription
 * events the hub publishes when a subscription becomes active or inactive.
 */
const SUBS = '/.well-known/mercure/subscriptions';
/** Every subscription resource and every subscription event topic. */
const ALL_SUBSCRIPTIONS = `${SUBS}{/topic}{/subscriber}`;
// The list URL is named too, though the template alone covers it (RFC 6570 expands both empty
// expressions to "", and the hub's own matcher, hub/core/uri-template.ts, does so — its unit test
// checks it): a token as a client would write it, naming what it reads.
const API_CLAIMS = [SUBS, ALL_SUBSCRIPTIONS];

interface SubscriptionJson {
  '@context'?: string;
  id: string;
  type: string;
  subscriber: string;
  topic: string;
  active: boolean;
  payload?: unknown;
  lastEventID?: string;
}
interface SubscriptionsJson {
  '@context': string;
  id: string;
  type: string;
  lastEventID: string;
  subscriptions: SubscriptionJson[];
}

const topic = (name = 'lot'): string => `https://example.com/${name}/${randomUUID()}`;
const subscriptionPath = (t: string, subscriber?: string): string =>
  `${SUBS}/${encodeURIComponent(t)}${subscriber === undefined ? '' : `/${encodeURIComponent(subscriber)}`}`;

async function getJson<T>(
  url: string,
  token: string | undefined,
): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await fetch(url, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

/** The subscriptions on the given topics, as the list API shows them (sorted for comparison). */
async function listed(hubUrl: string, token: string, topics: string[]): Promise<SubscriptionJson[]> {
  const { status, body } = await getJson<SubscriptionsJson>(`${hubUrl}${SUBS}`, token);
  expect(status).toBe(200);
  return body.subscriptions
    .filter((s) => topics.includes(s.topic))
    .sort((a, b) => `${a.topic} ${a.subscriber}`.localeCompare(`${b.topic} ${b.subscriber}`));
}

type Kind = 'memory' | 'redis';

describe.each<Kind>(['memory', 'redis'])('subscription API (%s transport)', (kind) => {
  const prefixes: string[] = [];
  const hubs: RunningHub[] = [];
  const streams: SseConnection[] = [];
  let hub: RunningHub;
  let apiToken: string;

  const startHub = async (overrides: Partial<HubConfig> = {}, prefix?: string): Promise<RunningHub> => {
    let transportUrl = 'memory://';
    if (kind === 'redis') {
      const p = prefix ?? uniquePrefix();
      if (!prefixes.includes(p)) prefixes.push(p);
      transportUrl = redisTransportUrl(p);
    }
    const h = await startTestHub({ transportUrl, ...overrides });
    hubs.push(h);
    return h;
  };
  const subscribe = async (url: string, token?: string): Promise<SseConnection> => {
    const s = await connectSse(
      url,
      token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } },
    );
    streams.push(s);
    expect(s.status).toBe(200);
    return s;
  };

  beforeAll(async () => {
    hub = await startHub();
    apiToken = await subscriberToken(API_CLAIMS);
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => {
    for (const h of hubs.splice(0)) await h.close();
    for (const p of prefixes.splice(0)) await deleteKeys(p);
  });

  it('lists active subscriptions as JSON-LD, one per topic selector, with the JWT payload', async () => {
    const t1 = topic();
    const t2 = topic();
    const payload = { user: 'alice', roles: ['bidder'] };
    await subscribe(subscribeUrl(hub.url, [t1, t2]), await subscriberToken([t1], payload));
    await subscribe(subscribeUrl(hub.url, [t1]));

    const subs = await eventually(async () => {
      const s = await listed(hub.url, apiToken, [t1, t2]);
      expect(s).toHaveLength(3);
      return s;
    });
    const withPayload = subs.filter((s) => s.payload !== undefined);
    expect(withPayload.map((s) => s.topic).sort()).toEqual([t1, t2].sort());
    expect(withPayload[0]!.subscriber).toBe(withPayload[1]!.subscriber);
    const anonymous = subs.find((s) => s.payload === undefined)!;
    expect(anonymous.subscriber).not.toBe(withPayload[0]!.subscriber);
    for (const s of subs) {
      expect(s.subscriber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(s).toEqual({
        id: subscriptionPath(s.topic, s.subscriber),
        type: 'Subscription',
        subscriber: s.subscriber,
        topic: s.topic,
        active: true,
        ...(s.payload === undefined ? {} : { payload }),
      });
    }

    const res = await getJson<SubscriptionsJson>(`${hub.url}${SUBS}`, apiToken);
    expect(res.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    expect(res.body).toMatchObject({ '@context': 'https://mercure.rocks/', id: SUBS, type: 'Subscriptions' });

    // lastEventID is the hub's last event: after a publish, that update's id.
    const res2 = await publish(hub.url, await publisherToken(), { topic: topic('other'), data: 'x' });
    const published = await res2.text();
    await eventually(async () => {
      expect((await getJson<SubscriptionsJson>(`${hub.url}${SUBS}`, apiToken)).body.lastEventID).toBe(
        published,
      );
    });
  });

  it('lists the subscriptions of one topic, and answers one subscription by topic and subscriber', async () => {
    const t = topic();
    const other = topic();
    const payload = { seat: 12 };
    await subscribe(subscribeUrl(hub.url, [t, other]), await subscriberToken([t], payload));
    await subscribe(subscribeUrl(hub.url, [other]));
    await eventually(async () => expect(await listed(hub.url, apiToken, [t, other])).toHaveLength(3));

    const byTopic = await getJson<SubscriptionsJson>(`${hub.url}${subscriptionPath(t)}`, apiToken);
    expect(byTopic.status).toBe(200);
    expect(byTopic.body).toMatchObject({
      '@context': 'https://mercure.rocks/',
      id: subscriptionPath(t),
      type: 'Subscriptions',
    });
    expect(byTopic.body.subscriptions).toHaveLength(1);
    const one = byTopic.body.subscriptions[0]!;
    expect(one).toMatchObject({ topic: t, active: true, payload });

    const single = await getJson<SubscriptionJson>(
      `${hub.url}${subscriptionPath(t, one.subscriber)}`,
      apiToken,
    );
    expect(single.status).toBe(200);
    expect(single.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    expect(single.body).toEqual({
      '@context': 'https://mercure.rocks/',
      id: subscriptionPath(t, one.subscriber),
      type: 'Subscription',
      subscriber: one.subscriber,
      topic: t,
      active: true,
      payload,
      lastEventID: expect.stringMatching(/^urn:uuid:/) as unknown,
    });

    // Unknown subscriber, or a subscriber that is not on that topic: 404.
    for (const path of [
      subscriptionPath(t, 'urn:uuid:00000000-0000-0000-0000-000000000000'),
      subscriptionPath(topic('nobody'), one.subscriber),
    ]) {
      const res = await fetch(`${hub.url}${path}`, { headers: { Authorization: `Bearer ${apiToken}` } });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SUBSCRIPTION_NOT_FOUND');
    }
    // A topic nobody subscribes to is an empty list, not an error.
    const empty = await getJson<SubscriptionsJson>(
      `${hub.url}${subscriptionPath(topic('nobody'))}`,
      apiToken,
    );
    expect(empty.status).toBe(200);
    expect(empty.body.subscriptions).toEqual([]);
  });

  it('needs a subscriber JWT whose mercure.subscribe covers the requested URL', async () => {
    const t = topic();
    await subscribe(subscribeUrl(hub.url, [t]));
    const subscriber = await eventually(async () => {
      const [s] = await listed(hub.url, apiToken, [t]);
      expect(s).toBeDefined();
      return s!.subscriber;
    });
    const one = `${hub.url}${subscriptionPath(t, subscriber)}`;
    const list = `${hub.url}${SUBS}`;

    const none = await fetch(list);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('TOKEN_MISSING');
    // Signed with the publisher key: not a subscriber token.
    const wrongKey = await getJson<{ error: { code: string } }>(
      list,
      await hubToken({ subscribe: API_CLAIMS }),
    );
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error.code).toBe('TOKEN_BAD_SIGNATURE');
    // A subscriber token without a mercure.subscribe claim.
    const noClaim = await getJson<{ error: { code: string } }>(
      list,
      await hubToken({ publish: ['*'] }, { key: SUBSCRIBER_KEY }),
    );
    expect(noClaim.status).toBe(403);
    expect(noClaim.body.error.code).toBe('CLAIM_MISSING');
    // A claim for ordinary topics does not cover the subscription API.
    const topicsOnly = await subscriberToken(['https://example.com/{anything}', t]);
    for (const url of [list, one]) {
      const res = await getJson<{ error: { code: string } }>(url, topicsOnly);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('TOPIC_NOT_AUTHORIZED');
    }
    // The template covers every subscription resource below the list.
    const template = await subscriberToken([ALL_SUBSCRIPTIONS]);
    expect((await getJson(one, template)).status).toBe(200);
    expect((await getJson(`${hub.url}${subscriptionPath(t)}`, template)).status).toBe(200);
    // A claim for one topic's subscriptions covers those, not the list of all.
    const oneTopic = await subscriberToken([`${subscriptionPath(t)}{/subscriber}`]);
    expect((await getJson(one, oneTopic)).status).toBe(200);
    expect((await getJson(`${hub.url}${subscriptionPath(t)}`, oneTopic)).status).toBe(200);
    expect((await getJson(list, oneTopic)).status).toBe(403);
    expect((await getJson(`${hub.url}${subscriptionPath(topic('other'))}`, oneTopic)).status).toBe(403);
    // Authorisation is on the requested URL (as in the reference hub): a token for the list URL
    // alone sees every subscription in it.
    const listOnly = await subscriberToken([SUBS]);
    const all = await getJson<SubscriptionsJson>(list, listOnly);
    expect(all.status).toBe(200);
    expect(all.body.subscriptions.map((s) => s.subscriber)).toContain(subscriber);
  });

  it('publishes subscription events as private updates, to subscribers whose claims cover them', async () => {
    const t = topic();
    const watcherToken = await subscriberToken([ALL_SUBSCRIPTIONS]);
    const watcher = await subscribe(subscribeUrl(hub.url, [ALL_SUBSCRIPTIONS]), watcherToken);
    // The two streams that must get no subscription event also follow a public marker topic: the
    // marker, published last, is the positive signal that they were sent all they were entitled to.
    const marker = topic('marker');
    const anonymous = await subscribe(subscribeUrl(hub.url, [ALL_SUBSCRIPTIONS, marker]));
    // A token whose claims match the selector but not the events' topics: still nothing.
    const otherClaims = await subscribe(
      subscribeUrl(hub.url, [ALL_SUBSCRIPTIONS, marker]),
      await subscriberToken(['https://example.com/{x}']),
    );
    const eventsOn = (s: SseConnection): SubscriptionJson[] =>
      s.events.map((e) => JSON.parse(e.data) as SubscriptionJson).filter((d) => d.topic === t);

    const payload = { user: 'bob' };
    const bidder = await subscribe(subscribeUrl(hub.url, [t]), await subscriberToken([t], payload));
    const active = await eventually(() => {
      const ev = eventsOn(watcher);
      expect(ev).toHaveLength(1);
      return ev[0]!;
    });
    expect(active).toEqual({
      '@context': 'https://mercure.rocks/',
      id: subscriptionPath(t, active.subscriber),
      type: 'Subscription',
      subscriber: active.subscriber,
      topic: t,
      active: true,
      payload,
    });
    const [listedOne] = await listed(hub.url, apiToken, [t]);
    expect(listedOne?.subscriber).toBe(active.subscriber);
    // Live only, not in history: no SSE id, so the watcher's Last-Event-ID stays the last real update's.
    const activeEvent = watcher.events.find((e) => e.data.includes(active.subscriber))!;
    expect(activeEvent.id ?? '').toBe('');

    bidder.close();
    const inactive = await eventually(() => {
      const ev = eventsOn(watcher);
      expect(ev).toHaveLength(2);
      return ev[1]!;
    });
    expect(inactive).toEqual({ ...active, active: false });
    await eventually(async () => expect(await listed(hub.url, apiToken, [t])).toEqual([]));

    // Both other streams were open before the watcher got both events, and the hub keeps one order
    // per subscriber: once the marker published after them has arrived, so would have the events.
    const markerData = JSON.stringify({ marker });
    const sent = await publish(hub.url, await publisherToken(), { topic: marker, data: markerData });
    expect(sent.status).toBe(200);
    await Promise.all([anonymous.waitFor(1, 10_000), otherClaims.waitFor(1, 10_000)]);
    expect(eventsOn(anonymous)).toEqual([]);
    expect(anonymous.events.map((e) => e.data)).toEqual([markerData]);
    expect(otherClaims.events.map((e) => e.data)).toEqual([markerData]);
  });

  it('a subscriber dropped while its history is replayed is never listed nor announced active', async () => {
    // A 1 KiB backlog bound and a 4 KiB update: the replay drops the subscriber at once.
    const small = await startHub({ subscriberBufferBytes: 1024 });
    const t = topic();
    const marker = topic('marker');
    const watcher = await subscribe(
      subscribeUrl(small.url, [ALL_SUBSCRIPTIONS]),
      await subscriberToken([ALL_SUBSCRIPTIONS]),
    );
    const res = await publish(small.url, await publisherToken(), { topic: t, data: 'x'.repeat(4096) });
    expect(res.status).toBe(200);

    // The hub destroys the socket: the client sees a failed request or an ended stream, no event.
    const received = await connectSse(subscribeUrl(small.url, [t]), {
      headers: { 'Last-Event-ID': 'earliest' },
    }).then(
      async (laggard) => {
        streams.push(laggard);
        const dropped = await Promise.race([laggard.ended.then(() => true), sleep(10_000).then(() => false)]);
        expect(dropped, 'the hub should have dropped the subscriber during its replay').toBe(true);
        return laggard.events;
      },
      () => [],
    );
    expect(received).toEqual([]);

    // Events are delivered in order: once the marker's announcement arrives, the laggard's would have.
    await subscribe(subscribeUrl(small.url, [marker]));
    await eventually(() => expect(watcher.events.some((e) => e.data.includes(marker))).toBe(true));
    expect(watcher.events.filter((e) => e.data.includes(JSON.stringify(t)))).toEqual([]);
    expect(await listed(small.url, apiToken, [t])).toEqual([]);
    expect(await listed(small.url, apiToken, [marker])).toHaveLength(1);
  });

  it('is 404 when the subscription API is disabled, and publishes no subscription events', async () => {
    const off = await startHub({ subscriptions: false });
    const t = topic();
    // The watcher follows `t` too: the public update on it, published last, is the positive signal.
    const watcher = await subscribe(
      subscribeUrl(off.url, [ALL_SUBSCRIPTIONS, t]),
      await subscriberToken([ALL_SUBSCRIPTIONS]),
    );
    const res = await fetch(`${off.url}${SUBS}`, { headers: { Authorization: `Bearer ${apiToken}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SUBSCRIPTIONS_DISABLED');
    await subscribe(subscribeUrl(off.url, [t]));
    // A public update after the subscriptions shows each stream is live; the hub keeps one order per
    // subscriber, so no subscription event came before it means none was published.
    const probe = await subscribe(subscribeUrl(off.url, [t]));
    const sent = await publish(off.url, await publisherToken(), { topic: t, data: 'live' });
    const id = await sent.text();
    expect((await probe.waitFor(1)).map((e) => e.id)).toEqual([id]);
    expect((await watcher.waitFor(1, 10_000)).map((e) => e.id)).toEqual([id]);
  });

  if (kind === 'redis') {
    it('lists, on one hub, the subscribers connected to another hub of the cluster', async () => {
      const prefix = uniquePrefix();
      const a = await startHub({}, prefix);
      const b = await startHub({}, prefix);
      const t = topic();
      const watcherOnA = await subscribe(
        subscribeUrl(a.url, [ALL_SUBSCRIPTIONS]),
        await subscriberToken([ALL_SUBSCRIPTIONS]),
      );
      const onB = await subscribe(subscribeUrl(b.url, [t]), await subscriberToken([t], { hub: 'B' }));

      const [s] = await eventually(async () => {
        const l = await listed(a.url, apiToken, [t]);
        expect(l).toHaveLength(1);
        return l;
      });
      expect(s).toMatchObject({ topic: t, active: true, payload: { hub: 'B' } });
      const single = await getJson<SubscriptionJson>(
        `${a.url}${subscriptionPath(t, s!.subscriber)}`,
        apiToken,
      );
      expect(single.status).toBe(200);
      expect(single.body.payload).toEqual({ hub: 'B' });
      // The event from hub B reaches the watcher on hub A.
      await eventually(() =>
        expect(watcherOnA.events.map((e) => JSON.parse(e.data) as SubscriptionJson)).toContainEqual(
          expect.objectContaining({ topic: t, subscriber: s!.subscriber, active: true }),
        ),
      );

      onB.close();
      await eventually(async () => expect(await listed(a.url, apiToken, [t])).toEqual([]));
      await eventually(() =>
        expect(watcherOnA.events.map((e) => JSON.parse(e.data) as SubscriptionJson)).toContainEqual(
          expect.objectContaining({ topic: t, subscriber: s!.subscriber, active: false }),
        ),
      );
    });
  }
});
