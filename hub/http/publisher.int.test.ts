import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHubPublisher, HubPublishError } from '../../common/hub-publisher.ts';
import { ResponseParser } from '../../common/pipelined-http.ts';
import { connectSse } from '../../test/support/sse-client.ts';
import { publisherToken, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import { uniqueTopic } from '../../test/support/protocol.ts';
import type { RunningHub } from '../service/server.ts';

describe('HttpHubPublisher (pipelined HTTP/1.1) against a real hub', { timeout: 10_000 }, () => {
  let hub: RunningHub;
  let token: string;

  beforeAll(async () => {
    hub = await startTestHub({ subscriptions: false });
    token = await publisherToken();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('publishes many updates started at once, each acknowledged with its own id and delivered once', async () => {
    const topic = uniqueTopic();
    const sse = await connectSse(subscribeUrl(hub.url, [topic]));
    const publisher = new HttpHubPublisher(`${hub.url}/.well-known/mercure`, () => token);
    const ids = Array.from({ length: 200 }, (_, i) => `urn:test:pipelined:${topic}:${i}`);
    const acks = await Promise.all(
      ids.map((id, i) => publisher.publish({ topics: [topic], id, data: `n=${i}` })),
    );
    expect(acks).toEqual(ids);
    const events = await sse.waitFor(200);
    // Concurrent publishes may be applied in any order (as over separate connections): only the answers are ordered.
    expect(events.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(new Set(events.map((e) => e.data)).size).toBe(200);
    sse.close();
    publisher.close();
  });

  it('sends public and private updates with every field', async () => {
    const topic = uniqueTopic();
    const sse = await connectSse(subscribeUrl(hub.url, [topic]));
    const publisher = new HttpHubPublisher(`${hub.url}/.well-known/mercure`, () => token);
    await publisher.publish({
      topics: [topic, uniqueTopic()],
      id: 'urn:test:a',
      type: 'auction',
      data: 'ä\nb',
    });
    const [ev] = await sse.waitFor(1);
    expect(ev).toMatchObject({ id: 'urn:test:a', event: 'auction', data: 'ä\nb' });
    // A private update is not delivered to an anonymous subscriber, but the hub accepts it.
    await expect(
      publisher.publish({ topics: [topic], id: 'urn:test:b', private: true, data: 'secret' }),
    ).resolves.toBe('urn:test:b');
    sse.close();
    publisher.close();
  });

  it("rejects with the hub's status when the hub refuses, and keeps publishing afterwards", async () => {
    const publisher = new HttpHubPublisher(`${hub.url}/.well-known/mercure`, () => 'not-a-jwt');
    const refused = await publisher.publish({ topics: [uniqueTopic()], data: 'x' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HubPublishError);
    expect((refused as HubPublishError).status).toBe(401);
    publisher.close();
    const good = new HttpHubPublisher(`${hub.url}/.well-known/mercure`, () => token);
    const topic = uniqueTopic();
    await expect(good.publish({ topics: [topic], id: 'urn:test:after', data: 'y' })).resolves.toBe(
      'urn:test:after',
    );
    good.close();
  });

  it('opens a new connection after the hub closes the old one', async () => {
    const publisher = new HttpHubPublisher(`${hub.url}/.well-known/mercure`, () => token);
    await publisher.publish({ topics: [uniqueTopic()], data: 'first' });
    hub.server.closeAllConnections();
    // The close may or may not have reached the publisher yet: a publish on the dead connection
    // fails (the engine retries with the same id), and the next one goes on a new connection.
    await publisher.publish({ topics: [uniqueTopic()], data: 'racing' }).catch(() => undefined);
    await expect(publisher.publish({ topics: [uniqueTopic()], id: 'urn:test:new', data: 'z' })).resolves.toBe(
      'urn:test:new',
    );
    publisher.close();
  });

  it('fails every publish in flight when the hub is unreachable', async () => {
    const publisher = new HttpHubPublisher('http://127.0.0.1:1/.well-known/mercure', () => token);
    const results = await Promise.allSettled([
      publisher.publish({ topics: ['a'], data: '1' }),
      publisher.publish({ topics: ['a'], data: '2' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    publisher.close();
  });
});

describe('ResponseParser', () => {
  it('reads pipelined answers split anywhere: Content-Length and chunked bodies, in order', () => {
    const wire = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst' +
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nsec\r\n3\r\nond\r\n0\r\n\r\n' +
        'HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}',
    );
    for (let split = 1; split < wire.length; split++) {
      const p = new ResponseParser();
      const got = [...p.push(wire.subarray(0, split)), ...p.push(wire.subarray(split))];
      expect(got).toEqual([
        { status: 200, body: 'first' },
        { status: 200, body: 'second' },
        { status: 401, body: '{}' },
      ]);
      expect(p.closeAfter).toBe(false);
    }
  });

  it('stops after an answer that closes the connection', () => {
    const p = new ResponseParser();
    const got = p.push(
      Buffer.from(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    expect(got).toEqual([{ status: 503, body: '' }]);
    expect(p.closeAfter).toBe(true);
  });

  it('refuses a stream that is not HTTP', () => {
    expect(() => new ResponseParser().push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/unreadable/);
  });
});
