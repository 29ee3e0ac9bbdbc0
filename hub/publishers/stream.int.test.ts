import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { HubPublishError } from '../../common/hub-publisher.ts';
import type { SseConnection } from '../../test/support/sse-client.ts';
import { publish, publisherToken, subscribeUrl, subscriberToken } from '../../test/support/hub.ts';
import { hubsOnRedis } from '../../test/support/hub-redis.ts';
import { Redis } from 'ioredis';
import type { RunningHub } from '../service/server.ts';
import { RedisStreamPublisher, sameRedisServer } from './stream.ts';

/**
 * A back-end publisher appending straight to the hubs' Redis stream is one more publisher of the
 * same hub: its updates reach every hub's subscribers in the stream's one order, with the hub's
 * dedupe by id, its history limits and its replay, and what the hub would refuse is refused.
 */
const topic = (): string => `https://example.com/lots/${randomUUID()}`;

describe('RedisStreamPublisher', () => {
  const cluster = hubsOnRedis();
  const hubOn = (historySize?: number): Promise<RunningHub> =>
    cluster.start(historySize === undefined ? {} : { historySize });
  const publisher = (): RedisStreamPublisher => {
    const p = new RedisStreamPublisher({ url: cluster.transportUrl });
    cluster.onCleanup(() => p.close());
    return p;
  };
  const subscribe = (url: string, headers: Record<string, string> = {}): Promise<SseConnection> =>
    cluster.subscribe(url, headers);
  afterEach(() => cluster.cleanup());

  it('reaches the subscribers of every hub, in one order with HTTP publishes, and is replayable', async () => {
    cluster.fresh();
    const a = await hubOn();
    const b = await hubOn();
    const t = topic();
    const onA = await subscribe(subscribeUrl(a.url, [t]));
    const onB = await subscribe(subscribeUrl(b.url, [t]));
    const p = publisher();
    const token = await publisherToken();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      if (i % 3 === 0) {
        const res = await publish(a.url, token, { topic: t, data: `http ${i}` });
        expect(res.status).toBe(200);
        ids.push(await res.text());
      } else ids.push(await p.publish({ topics: [t], data: `stream ${i}`, id: `urn:test:${i}` }));
    }
    expect(ids.filter((id) => id.startsWith('urn:test:'))).toHaveLength(6);
    const [evA, evB] = await Promise.all([onA.waitFor(10), onB.waitFor(10)]);
    expect(evA.map((e) => e.id)).toEqual(ids);
    expect(evB.map((e) => e.id)).toEqual(ids);
    expect(evA[1]).toMatchObject({ id: 'urn:test:1', data: 'stream 1' });

    // A phone that dropped after the fourth update gets exactly the rest, from either hub.
    const resumed = await subscribe(subscribeUrl(b.url, [t]), { 'Last-Event-ID': ids[3]! });
    expect(resumed.headers.get('last-event-id')).toBe(ids[3]);
    expect((await resumed.waitFor(6)).map((e) => e.id)).toEqual(ids.slice(4));
  });

  it('applies an update id once while it is in history (a retried publish is not delivered twice)', async () => {
    cluster.fresh();
    const hub = await hubOn();
    const t = topic();
    const s = await subscribe(subscribeUrl(hub.url, [t]));
    const p = publisher();
    await p.publish({ topics: [t], data: 'first', id: 'urn:test:same' });
    await p.publish({ topics: [t], data: 'retry', id: 'urn:test:same' });
    await p.publish({ topics: [t], data: 'next', id: 'urn:test:next' });
    const got = await s.waitFor(2);
    // One order per subscriber: a retry delivered twice would come before this later marker.
    await p.publish({ topics: [t], data: 'marker', id: 'urn:test:marker' });
    await s.waitFor(3, 10_000);
    expect(s.events.map((e) => [e.id, e.data])).toEqual([
      ['urn:test:same', 'first'],
      ['urn:test:next', 'next'],
      ['urn:test:marker', 'marker'],
    ]);
    expect(got).toHaveLength(2);
  });

  it('keeps the history limits the hubs recorded', async () => {
    cluster.fresh();
    const hub = await hubOn(3);
    const t = topic();
    const p = publisher();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await p.publish({ topics: [t], data: String(i) }));
    // Only the newest three are history: a cursor before them is unknown and all history is replayed.
    const old = await subscribe(subscribeUrl(hub.url, [t]), { 'Last-Event-ID': ids[1]! });
    expect(old.headers.get('last-event-id')).toBe('earliest');
    expect((await old.waitFor(3)).map((e) => e.id)).toEqual(ids.slice(3));
    // An id that left history may be published again, as over HTTP.
    const live = await subscribe(subscribeUrl(hub.url, [t]));
    await p.publish({ topics: [t], data: 'again', id: ids[0]! });
    expect((await live.waitFor(1))[0]).toMatchObject({ id: ids[0], data: 'again' });
  });

  it('sends private updates only to subscribers authorised for their topic', async () => {
    cluster.fresh();
    const hub = await hubOn();
    const mine = topic();
    const s = await subscribe(subscribeUrl(hub.url, [mine]), {
      Authorization: `Bearer ${await subscriberToken([mine])}`,
    });
    const anonymous = await subscribe(subscribeUrl(hub.url, [mine]));
    const p = publisher();
    await p.publish({ topics: [mine], data: 'you lead', private: true, type: 'leading', id: 'urn:test:p' });
    await p.publish({ topics: [mine], data: 'public', id: 'urn:test:q' });
    expect((await s.waitFor(2)).map((e) => [e.id, e.event, e.data])).toEqual([
      ['urn:test:p', 'leading', 'you lead'],
      ['urn:test:q', undefined, 'public'],
    ]);
    expect((await anonymous.waitFor(1)).map((e) => e.id)).toEqual(['urn:test:q']);
  });

  it('refuses what the hub would refuse, and says when no hub has started on the stream', async () => {
    cluster.fresh();
    const p = publisher();
    const t = topic();
    const noHub = await p.publish({ topics: [t], data: 'x' }).catch((e: unknown) => e);
    expect(noHub).toBeInstanceOf(HubPublishError);
    expect((noHub as HubPublishError).status).toBe(503);
    expect((noHub as Error).message).toMatch(/start a hub/);

    await hubOn();
    for (const [update, code] of [
      [{ topics: [t], data: 'x', id: 'bad\nid' }, 'INVALID_ID'],
      [{ topics: [t], data: 'x', id: 'earliest' }, 'INVALID_ID'],
      [{ topics: [t], data: 'x', type: 'a\rb' }, 'INVALID_TYPE'],
      [{ topics: [], data: 'x' }, 'MISSING_TOPIC'],
      [{ topics: ['https://h/.well-known/mercure/subscriptions/x'], data: 'x' }, 'RESERVED_TOPIC'],
    ] as const) {
      const err = await p.publish({ ...update, topics: [...update.topics] }).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(HubPublishError);
      expect((err as HubPublishError).status).toBe(400);
      expect((err as Error).message).toContain(code);
    }
    expect(await p.publish({ topics: [t], data: 'fine' })).toMatch(/^urn:uuid:/);
  });

  it("publishes on the caller's own connection to the same Redis, and leaves it open", async () => {
    cluster.fresh();
    const hub = await hubOn();
    const t = topic();
    const s = await subscribe(subscribeUrl(hub.url, [t]));
    const own = new Redis('redis://127.0.0.1:6379', { enableAutoPipelining: true });
    try {
      const url = cluster.transportUrl;
      expect(sameRedisServer(own, url)).toBe(true);
      expect(sameRedisServer(own, url.replace('127.0.0.1', 'localhost'))).toBe(true);
      expect(sameRedisServer(own, url.replace(':6379', ':6380'))).toBe(false);
      expect(sameRedisServer(own, url.replace(':6379', ':6379/2'))).toBe(false);
      expect(sameRedisServer(own, url.replace('redis://', 'redis://:secret@'))).toBe(false);
      const p = new RedisStreamPublisher({ url, redis: own });
      await p.publish({ topics: [t], data: 'shared', id: 'urn:test:shared' });
      expect((await s.waitFor(1))[0]).toMatchObject({ id: 'urn:test:shared', data: 'shared' });
      p.close();
      expect(await own.ping()).toBe('PONG');
    } finally {
      own.disconnect();
    }
  });

  it('refuses a URL that is not a Redis transport URL', () => {
    expect(() => new RedisStreamPublisher({ url: 'http://hub/.well-known/mercure' })).toThrow(/redis:\/\//);
  });
});
