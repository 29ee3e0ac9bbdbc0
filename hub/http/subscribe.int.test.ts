import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import { publisherToken, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import { publishOk, uniqueTopic } from '../../test/support/protocol.ts';
import type { RunningHub } from '../service/server.ts';

describe('subscribe: topic selection', { timeout: 20_000 }, () => {
  let hub: RunningHub;
  let token: string;
  const open: SseConnection[] = [];
  const subscribe = async (topics: string[]): Promise<SseConnection> => {
    const sse = await connectSse(subscribeUrl(hub.url, topics));
    open.push(sse);
    expect(sse.status).toBe(200);
    return sse;
  };

  beforeAll(async () => {
    hub = await startTestHub();
    token = await publisherToken();
  });
  afterEach(() => {
    for (const sse of open.splice(0)) sse.close();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('accepts several topic parameters and delivers updates of each, in order', async () => {
    const a = uniqueTopic('a');
    const b = uniqueTopic('b');
    const sse = await subscribe([a, b]);
    const id1 = await publishOk(hub.url, token, { topic: a, data: 'one' });
    const id2 = await publishOk(hub.url, token, { topic: b, data: 'two' });
    const id3 = await publishOk(hub.url, token, { topic: a, data: 'three' });
    const events = await sse.waitFor(3);
    expect(events.map((e) => [e.id, e.data])).toEqual([
      [id1, 'one'],
      [id2, 'two'],
      [id3, 'three'],
    ]);
  });

  it('matches an exact topic only, not a prefix or an extension of it', async () => {
    const topic = uniqueTopic('books');
    const sse = await subscribe([topic]);
    await publishOk(hub.url, token, { topic: `${topic}/1` });
    await publishOk(hub.url, token, { topic: topic.slice(0, -1) });
    await publishOk(hub.url, token, { topic: `${topic}?x=1` });
    const id = await publishOk(hub.url, token, { topic, data: 'exact' });
    const events = await sse.waitFor(1);
    // Delivery is in publish order, so anything wrongly delivered would have come first.
    expect(events.map((e) => e.id)).toEqual([id]);
    expect(events[0]?.data).toBe('exact');
  });

  it('matches RFC 6570 URI-template selectors: {id} matches one path segment, not two', async () => {
    const base = `https://example.com/${randomUUID()}`;
    const sse = await subscribe([`${base}/books/{id}`]);
    await publishOk(hub.url, token, { topic: `${base}/books/1/x` });
    await publishOk(hub.url, token, { topic: `${base}/books` });
    await publishOk(hub.url, token, { topic: `${base}/authors/1` });
    const id1 = await publishOk(hub.url, token, { topic: `${base}/books/1` });
    const id2 = await publishOk(hub.url, token, { topic: `${base}/books/abc-2` });
    const events = await sse.waitFor(2);
    expect(events.map((e) => e.id)).toEqual([id1, id2]);
  });

  it('matches a reserved-expansion template ({+path}) across segments', async () => {
    const base = `https://example.com/${randomUUID()}`;
    const sse = await subscribe([`${base}/{+path}`]);
    await publishOk(hub.url, token, { topic: `https://example.com/${randomUUID()}/a/b` });
    const id = await publishOk(hub.url, token, { topic: `${base}/a/b/c` });
    const events = await sse.waitFor(1);
    expect(events.map((e) => e.id)).toEqual([id]);
  });

  it('"*" matches every topic', async () => {
    const sse = await subscribe(['*']);
    const id1 = await publishOk(hub.url, token, { topic: uniqueTopic('x') });
    const id2 = await publishOk(hub.url, token, { topic: 'urn:example:anything' });
    const events = await sse.waitFor(2);
    expect(events.map((e) => e.id)).toEqual([id1, id2]);
  });

  it('delivers an update with several (alternate) topics once to a subscriber matching several of them', async () => {
    const a = uniqueTopic('a');
    const b = uniqueTopic('b');
    const both = await subscribe([a, b]);
    const exactAndTemplate = await subscribe([a, `${b.slice(0, b.lastIndexOf('/'))}/{id}`]);
    const star = await subscribe(['*', a]);
    const onlyB = await subscribe([b]);
    const multi = await publishOk(hub.url, token, { topic: [a, b], data: 'multi' });
    const next = await publishOk(hub.url, token, { topic: [a, b], data: 'next' });
    for (const sse of [both, exactAndTemplate, star, onlyB]) {
      const events = await sse.waitFor(2);
      expect(events.map((e) => e.id)).toEqual([multi, next]);
    }
  });

  it('delivers an update once when several template selectors match its single topic', async () => {
    const base = `https://example.com/${randomUUID()}`;
    const sse = await subscribe([`${base}/{a}`, `${base}/{+b}`, '*']);
    const id1 = await publishOk(hub.url, token, { topic: `${base}/x` });
    const id2 = await publishOk(hub.url, token, { topic: `${base}/y` });
    const events = await sse.waitFor(2);
    expect(events.map((e) => e.id)).toEqual([id1, id2]);
  });

  it('delivers a single-topic update once to a subscriber matching it exactly and by a pattern', async () => {
    const topic = uniqueTopic('books');
    const exactAndStar = await subscribe([topic, '*']);
    const exactAndTemplate = await subscribe([`${topic.slice(0, topic.lastIndexOf('/'))}/{id}`, topic]);
    const id1 = await publishOk(hub.url, token, { topic });
    const id2 = await publishOk(hub.url, token, { topic });
    for (const sse of [exactAndStar, exactAndTemplate]) {
      expect((await sse.waitFor(2)).map((e) => e.id)).toEqual([id1, id2]);
    }
  });

  it('sends nothing to a subscriber whose selectors match none of the topics', async () => {
    const mine = uniqueTopic('mine');
    const sse = await subscribe([mine]);
    // `other` follows a marker too: published after the noise, it is the positive signal that
    // `other` was sent all it would get of it (the hub keeps one order per subscriber, not across them).
    const otherMarker = uniqueTopic('other-marker');
    const other = await subscribe([uniqueTopic('other'), otherMarker]);
    for (let i = 0; i < 5; i++) await publishOk(hub.url, token, { topic: uniqueTopic('noise') });
    await publishOk(hub.url, token, { topic: [uniqueTopic('noise'), uniqueTopic('noise')] });
    const id = await publishOk(hub.url, token, { topic: mine, data: 'mine' });
    const marker = await publishOk(hub.url, token, { topic: otherMarker, data: 'marker' });
    const events = await sse.waitFor(1);
    expect(events.map((e) => e.id)).toEqual([id]);
    expect((await other.waitFor(1)).map((e) => e.id)).toEqual([marker]);
  });

  it('survives a topic that is not valid percent-encoding next to a template subscriber', async () => {
    // A URI-template matcher percent-decodes the topic; a malformed escape must be "no match",
    // not an exception that aborts the dispatch (and every later replay of that history).
    const base = `https://example.com/${randomUUID()}`;
    const templated = await subscribe([`${base}/books/{id}`]);
    const exact = await subscribe([`${base}/books/%E0%A4%A`]);
    const bad = await publishOk(hub.url, token, { topic: `${base}/books/%E0%A4%A` });
    const good = await publishOk(hub.url, token, { topic: `${base}/books/2` });
    expect((await templated.waitFor(1)).map((e) => e.id)).toEqual([good]);
    expect((await exact.waitFor(1)).map((e) => e.id)).toEqual([bad]);
    // A reconnecting template subscriber replays that history without tripping over it.
    const again = await connectSse(
      subscribeUrl(hub.url, [`${base}/books/{id}`], { lastEventID: 'earliest' }),
    );
    open.push(again);
    expect(again.status).toBe(200);
    expect((await again.waitFor(1)).map((e) => e.id)).toEqual([good]);
  });
});
