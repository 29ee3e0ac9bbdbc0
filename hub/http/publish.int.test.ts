import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import { publish, publisherToken, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import { openRaw, publishOk, readMetric, uniqueTopic, type RawStream } from '../../test/support/protocol.ts';
import type { RunningHub } from '../service/server.ts';

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('publish: form fields and answer', { timeout: 20_000 }, () => {
  let hub: RunningHub;
  let token: string;
  const open: (SseConnection | RawStream)[] = [];
  const subscribe = async (topics: string[]): Promise<SseConnection> => {
    const sse = await connectSse(subscribeUrl(hub.url, topics));
    open.push(sse);
    expect(sse.status).toBe(200);
    return sse;
  };

  beforeAll(async () => {
    // No subscription events, so the published counter counts only what the tests publish.
    hub = await startTestHub({ subscriptions: false });
    token = await publisherToken();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('answers 200 with the update id as a text body, and delivers id, type and data', async () => {
    const topic = uniqueTopic();
    const sse = await subscribe([topic]);
    const res = await publish(hub.url, token, {
      topic,
      id: 'urn:example:update-1',
      type: 'price-changed',
      data: '{"price":42}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('urn:example:update-1');
    const [ev] = await sse.waitFor(1);
    expect(ev).toMatchObject({ id: 'urn:example:update-1', event: 'price-changed', data: '{"price":42}' });
  });

  it('generates a urn:uuid: id when none is given, a different one each time', async () => {
    const topic = uniqueTopic();
    const sse = await subscribe([topic]);
    const id1 = await publishOk(hub.url, token, { topic, data: 'a' });
    const id2 = await publishOk(hub.url, token, { topic, data: 'b' });
    expect(id1).toMatch(UUID_URN);
    expect(id2).toMatch(UUID_URN);
    expect(id1).not.toBe(id2);
    const events = await sse.waitFor(2);
    expect(events.map((e) => e.id)).toEqual([id1, id2]);
    // Without a type the event is a plain message.
    expect(events[0]?.event).toBeUndefined();
  });

  it('publishes one update under several topics: a subscriber of any of them gets it', async () => {
    const canonical = uniqueTopic('canonical');
    const alternate = uniqueTopic('alternate');
    const onCanonical = await subscribe([canonical]);
    const onAlternate = await subscribe([alternate]);
    const id = await publishOk(hub.url, token, { topic: [canonical, alternate], data: 'both' });
    expect((await onCanonical.waitFor(1)).map((e) => [e.id, e.data])).toEqual([[id, 'both']]);
    expect((await onAlternate.waitFor(1)).map((e) => [e.id, e.data])).toEqual([[id, 'both']]);
  });

  it('writes the retry field as an SSE retry line in the update frame', async () => {
    const topic = uniqueTopic();
    const raw = await openRaw(subscribeUrl(hub.url, [topic]));
    open.push(raw);
    const id = await publishOk(hub.url, token, { topic, retry: '12345', data: 'r' });
    const text = await raw.waitForText((t) => t.includes('data: r\n\n'));
    expect(text).toContain(`id: ${id}\nretry: 12345\ndata: r\n\n`);
  });

  it('sends an update with no data field as an event with empty data', async () => {
    const topic = uniqueTopic();
    const sse = await subscribe([topic]);
    const id = await publishOk(hub.url, token, { topic });
    const [ev] = await sse.waitFor(1);
    expect(ev).toMatchObject({ id, data: '' });
  });

  it('is idempotent on the id: the same id published twice is delivered and counted once', async () => {
    const topic = uniqueTopic();
    const sse = await subscribe([topic]);
    const before = await readMetric(hub, 'mercure_updates_published_total');
    const first = await publish(hub.url, token, { topic, id: 'urn:example:dup', data: 'first' });
    const second = await publish(hub.url, token, { topic, id: 'urn:example:dup', data: 'second' });
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('urn:example:dup');
    expect(second.status).toBe(200);
    expect(await second.text()).toBe('urn:example:dup');
    const after = await publishOk(hub.url, token, { topic, data: 'after' });
    const events = await sse.waitFor(2);
    expect(events.map((e) => [e.id, e.data])).toEqual([
      ['urn:example:dup', 'first'],
      [after, 'after'],
    ]);
    expect(await readMetric(hub, 'mercure_updates_published_total')).toBe(before + 2);
    // History holds it once too.
    const replay = await subscribeFrom(hub.url, topic, 'earliest');
    open.push(replay);
    expect((await replay.waitFor(2)).map((e) => e.data)).toEqual(['first', 'after']);
  });
});

async function subscribeFrom(hubUrl: string, topic: string, cursor: string): Promise<SseConnection> {
  const sse = await connectSse(subscribeUrl(hubUrl, [topic]), { headers: { 'Last-Event-ID': cursor } });
  expect(sse.status).toBe(200);
  return sse;
}
