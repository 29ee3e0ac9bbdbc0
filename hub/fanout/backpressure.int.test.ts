import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSse } from '../../test/support/sse-client.ts';
import { publisherToken, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import {
  captureLogs,
  publishOk,
  readMetric,
  uniqueTopic,
  type LogCapture,
} from '../../test/support/protocol.ts';
import type { RunningHub } from '../service/server.ts';

const BUFFER_BYTES = 64 * 1024;
const UPDATE_BYTES = 32 * 1024;

/** A subscriber that sends its request, reads the response head, then never reads again. */
async function stalledSubscriber(url: string): Promise<{ socket: Socket; received: () => string }> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no response head; got ${JSON.stringify(received)}`)),
      3000,
    );
    socket.once('close', () =>
      reject(new Error(`closed before the response head; got ${JSON.stringify(received)}`)),
    );
    socket.once('connect', () => {
      socket.write(
        `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`,
      );
    });
    socket.once('error', reject);
    const check = (): void => {
      if (!received.includes('\r\n\r\n')) return;
      socket.off('data', check);
      clearTimeout(timer);
      // Stop reading: the kernel buffers fill, then the hub's own buffer for this subscriber.
      socket.pause();
      resolve();
    };
    socket.on('data', check);
  });
  return { socket, received: () => received };
}

// Megabytes through loopback per test: seconds quiet, far more on a loaded machine.
describe('backpressure', { timeout: 120_000 }, () => {
  let hub: RunningHub;
  let logs: LogCapture;

  beforeAll(async () => {
    logs = captureLogs();
    hub = await startTestHub({ subscriberBufferBytes: BUFFER_BYTES, subscriptions: false }, logs.logger);
  });
  afterAll(async () => {
    await hub.close();
  });

  it('drops a subscriber that stops reading, while a reading one on the same topic gets every update', async () => {
    const topic = uniqueTopic();
    const token = await publisherToken([topic]);
    const normal = await connectSse(subscribeUrl(hub.url, [topic]), { timeoutMs: 3000 });
    expect(normal.status).toBe(200);
    const slow = await stalledSubscriber(subscribeUrl(hub.url, [topic]));
    expect(slow.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(hub.hub.size).toBe(2);
    expect(await readMetric(hub, 'mercure_dropped_subscribers_total')).toBe(0);

    // Publish until the stalled subscriber has filled the kernel buffers (a few MB on loopback)
    // and then the hub's 64 KiB bound; then a few more, which only the reader is still there for.
    const ids: string[] = [];
    let droppedAt = -1;
    for (let i = 0; i < 1000 && (droppedAt < 0 || i < droppedAt + 20); i++) {
      ids.push(await publishOk(hub.url, token, { topic, data: `${i}:${'x'.repeat(UPDATE_BYTES)}` }));
      if (droppedAt < 0 && hub.hub.size < 2) droppedAt = i;
    }
    expect(droppedAt).toBeGreaterThan(0);
    expect(ids.length).toBeGreaterThanOrEqual(100);

    expect(await readMetric(hub, 'mercure_dropped_subscribers_total')).toBe(1);
    expect(await readMetric(hub, 'mercure_subscribers')).toBe(1);
    const events = await normal.waitFor(ids.length, 60_000);
    expect(events.map((e) => e.id)).toEqual(ids);
    expect(events.every((e, i) => e.data === `${i}:${'x'.repeat(UPDATE_BYTES)}`)).toBe(true);
    expect(hub.hub.size).toBe(1);

    const warning = logs
      .lines()
      .find((l) => l.msg === 'dropping slow subscriber; it will reconnect with Last-Event-ID');
    expect(warning).toMatchObject({ level: 40 });
    expect(warning?.backlog).toBeGreaterThan(0);

    // Reading again, the stalled client finds its stream cut short: it never got the later updates.
    const closed = new Promise<void>((resolve) => slow.socket.once('close', () => resolve()));
    slow.socket.resume();
    await closed;
    const delivered = slow.received().match(/^id: /gm)?.length ?? 0;
    expect(delivered).toBeLessThan(ids.length);
    expect(slow.received()).not.toContain(`id: ${ids[ids.length - 1]}\n`);
    normal.close();
  });

  it('replays a history far larger than the bound in full to a reading subscriber, then goes live', async () => {
    const big = await startTestHub({ subscriberBufferBytes: BUFFER_BYTES, subscriptions: false });
    try {
      const topic = uniqueTopic();
      const token = await publisherToken([topic]);
      const history: string[] = [];
      // 1.2 MB of history against a 64 KiB bound: more than the kernel takes in one go.
      for (let i = 0; i < 300; i++)
        history.push(await publishOk(big.url, token, { topic, data: 'h'.repeat(4096) }));
      const sse = await connectSse(subscribeUrl(big.url, [topic], { lastEventID: 'earliest' }), {
        timeoutMs: 3000,
      });
      expect(sse.status).toBe(200);
      expect(sse.headers.get('last-event-id')).toBe('earliest');
      const live: string[] = [];
      for (let i = 0; i < 20; i++)
        live.push(await publishOk(big.url, token, { topic, data: 'l'.repeat(4096) }));
      const events = await sse.waitFor(320, 60_000);
      expect(events.map((e) => e.id)).toEqual([...history, ...live]);
      expect(await readMetric(big, 'mercure_dropped_subscribers_total')).toBe(0);
      expect(big.hub.size).toBe(1);
      sse.close();
    } finally {
      await big.close();
    }
  });

  it('still drops a subscriber that stops reading after a large replay, once live updates pile up', async () => {
    const big = await startTestHub({ subscriberBufferBytes: BUFFER_BYTES, subscriptions: false });
    try {
      const topic = uniqueTopic();
      const token = await publisherToken([topic]);
      for (let i = 0; i < 300; i++) await publishOk(big.url, token, { topic, data: 'h'.repeat(4096) });
      const slow = await stalledSubscriber(subscribeUrl(big.url, [topic], { lastEventID: 'earliest' }));
      expect(big.hub.size).toBe(1);
      let published = 0;
      while (big.hub.size === 1 && published < 1000) {
        await publishOk(big.url, token, { topic, data: 'x'.repeat(UPDATE_BYTES) });
        published++;
      }
      expect(big.hub.size).toBe(0);
      expect(await readMetric(big, 'mercure_dropped_subscribers_total')).toBe(1);
      slow.socket.destroy();
    } finally {
      await big.close();
    }
  });
});
