import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import { publish, publisherToken, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import {
  captureLogs,
  expectLoggedRefusal,
  expectRefusal,
  openRaw,
  publishOk,
  readMetric,
  uniqueTopic,
  type LogCapture,
  type RawStream,
} from '../../test/support/protocol.ts';
import type { RunningHub } from '../service/server.ts';

const APP_ORIGIN = 'https://app.example.com';
const OPENING = ':\nretry: 2000\n\n';

describe('wire format and HTTP surface', { timeout: 20_000 }, () => {
  let hub: RunningHub;
  let token: string;
  let logs: LogCapture;
  const open: (SseConnection | RawStream)[] = [];
  const track = <T extends SseConnection | RawStream>(c: T): T => {
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    // Every refusal is asserted with its structured log line too.
    logs = captureLogs();
    hub = await startTestHub({ corsOrigins: [APP_ORIGIN], maxBodyBytes: 1024, retryMs: 2000 }, logs.logger);
    token = await publisherToken();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
    logs.take();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('opens the stream at once with a comment, then the retry line, before any update', async () => {
    const raw = track(await openRaw(subscribeUrl(hub.url, [uniqueTopic()])));
    expect(raw.status).toBe(200);
    const text = await raw.waitForText((t) => t.length >= OPENING.length, 10_000);
    expect(text.startsWith(':')).toBe(true);
    expect(text).toBe(OPENING);
  });

  it('sends the SSE response headers', async () => {
    const raw = track(await openRaw(subscribeUrl(hub.url, [uniqueTopic()])));
    expect(raw.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(raw.headers['cache-control']).toContain('no-store');
    expect(raw.headers['cache-control']).toContain('no-transform');
    expect(raw.headers['x-accel-buffering']).toBe('no');
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.headers['last-event-id']).toBeDefined();
  });

  it('writes one data: line per line of data, so empty lines and leading spaces survive', async () => {
    const topic = uniqueTopic();
    const raw = track(await openRaw(subscribeUrl(hub.url, [topic])));
    const sse = track(await connectSse(subscribeUrl(hub.url, [topic])));
    const data = 'line one\n\n  indented\r\ncrlf\rcr\n';
    const id = await publishOk(hub.url, token, { topic, data, type: 'multi' });
    const text = await raw.waitForText((t) => t.endsWith('\n\n') && t.length > OPENING.length);
    expect(text.slice(OPENING.length)).toBe(
      `event: multi\nid: ${id}\ndata: line one\ndata: \ndata:   indented\ndata: crlf\ndata: cr\ndata: \n\n`,
    );
    const [ev] = await sse.waitFor(1);
    expect(ev?.data).toBe('line one\n\n  indented\ncrlf\ncr\n');
  });

  it('refuses an id or type containing CR, LF or NUL with 400, and delivers nothing', async () => {
    const topic = uniqueTopic();
    const sse = track(await connectSse(subscribeUrl(hub.url, [topic])));
    for (const bad of ['a\rb', 'a\nb', 'a\0b', 'a\r\nretry: 1']) {
      await expectLoggedRefusal(logs, await publish(hub.url, token, { topic, id: bad }), 400, 'INVALID_ID');
      await expectLoggedRefusal(
        logs,
        await publish(hub.url, token, { topic, type: bad }),
        400,
        'INVALID_TYPE',
      );
    }
    // Other control characters cannot travel in the Last-Event-ID header: refused in ids too.
    for (const bad of ['a\x01b', 'a\tb', 'a\x7fb']) {
      await expectLoggedRefusal(logs, await publish(hub.url, token, { topic, id: bad }), 400, 'INVALID_ID');
    }
    await expectLoggedRefusal(
      logs,
      await publish(hub.url, token, { topic, id: 'earliest' }),
      400,
      'INVALID_ID',
    );
    const ok = await publishOk(hub.url, token, { topic, data: 'ok' });
    expect((await sse.waitFor(1)).map((e) => e.id)).toEqual([ok]);
  });

  it('refuses topics inside /.well-known/mercure with 400 RESERVED_TOPIC', async () => {
    const sse = track(await connectSse(subscribeUrl(hub.url, ['*'])));
    for (const topic of [
      '/.well-known/mercure',
      'https://example.com/.well-known/mercure/subscriptions/x/y',
      [uniqueTopic(), 'https://example.com/.well-known/mercure?x=1'],
    ]) {
      await expectLoggedRefusal(logs, await publish(hub.url, token, { topic }), 400, 'RESERVED_TOPIC');
    }
    const ok = await publishOk(hub.url, token, { topic: 'https://example.com/.well-known/mercurey' });
    expect((await sse.waitFor(1)).map((e) => e.id)).toEqual([ok]);
  });

  it('refuses a subscription without a topic (400 MISSING_TOPIC) or with an invalid selector (400 INVALID_TOPIC_SELECTOR)', async () => {
    const base = `${hub.url}/.well-known/mercure`;
    await expectLoggedRefusal(logs, await fetch(base), 400, 'MISSING_TOPIC');
    await expectLoggedRefusal(logs, await fetch(`${base}?lastEventID=earliest`), 400, 'MISSING_TOPIC');
    await expectLoggedRefusal(
      logs,
      await fetch(subscribeUrl(hub.url, ['https://x/{'])),
      400,
      'INVALID_TOPIC_SELECTOR',
    );
    await expectLoggedRefusal(
      logs,
      await fetch(subscribeUrl(hub.url, ['https://x/{}'])),
      400,
      'INVALID_TOPIC_SELECTOR',
    );
    await expectLoggedRefusal(
      logs,
      await fetch(subscribeUrl(hub.url, [uniqueTopic(), ''])),
      400,
      'INVALID_TOPIC_SELECTOR',
    );
  });

  it('refuses a publish without a topic with 400 MISSING_TOPIC', async () => {
    await expectLoggedRefusal(logs, await publish(hub.url, token, { topic: [] }), 400, 'MISSING_TOPIC');
    await expectLoggedRefusal(logs, await publish(hub.url, token, { topic: '' }), 400, 'MISSING_TOPIC');
  });

  it('refuses an oversized publish body with 413 BODY_TOO_LARGE and delivers nothing', async () => {
    const topic = uniqueTopic();
    const sse = track(await connectSse(subscribeUrl(hub.url, [topic])));
    const big = 'x'.repeat(2000);
    await expectLoggedRefusal(
      logs,
      await publish(hub.url, token, { topic, data: big }),
      413,
      'BODY_TOO_LARGE',
    );
    // Without Content-Length (chunked), the limit is enforced while reading.
    const form = new URLSearchParams({ topic, data: big }).toString();
    const chunked = await fetch(`${hub.url}/.well-known/mercure`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${token}` },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(form);
          controller.enqueue(bytes.subarray(0, 900));
          controller.enqueue(bytes.subarray(900));
          controller.close();
        },
      }),
      duplex: 'half',
    });
    await expectLoggedRefusal(logs, chunked, 413, 'BODY_TOO_LARGE');
    const small = await publishOk(hub.url, token, { topic, data: 'x'.repeat(900) });
    expect((await sse.waitFor(1)).map((e) => e.id)).toEqual([small]);
  });

  it('refuses a publish that is not form-encoded with 415', async () => {
    const res = await fetch(`${hub.url}/.well-known/mercure`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ topic: uniqueTopic(), data: 'x' }),
    });
    await expectLoggedRefusal(logs, res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses an invalid retry with 400 INVALID_RETRY', async () => {
    for (const retry of ['-1', 'abc', '1.5', '', '1e3', '99999999999999999999']) {
      await expectLoggedRefusal(
        logs,
        await publish(hub.url, token, { topic: uniqueTopic(), retry }),
        400,
        'INVALID_RETRY',
      );
    }
  });

  it('answers CORS for configured origins only, with credentials, and preflights with 204', async () => {
    const url = subscribeUrl(hub.url, [uniqueTopic()]);
    const allowed = track(await openRaw(url, { Origin: APP_ORIGIN }));
    expect(allowed.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers['access-control-expose-headers']).toMatch(/Last-Event-ID/i);
    const other = track(await openRaw(url, { Origin: 'https://evil.example.com' }));
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-credentials']).toBeUndefined();

    const preflight = await fetch(`${hub.url}/.well-known/mercure`, {
      method: 'OPTIONS',
      headers: {
        Origin: APP_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    const otherPreflight = await fetch(`${hub.url}/.well-known/mercure`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(otherPreflight.status).toBe(204);
    expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull();

    // A browser can read a refusal's body only with CORS headers on it.
    const refused = await fetch(`${hub.url}/.well-known/mercure`, { headers: { Origin: APP_ORIGIN } });
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    await expectLoggedRefusal(logs, refused, 400, 'MISSING_TOPIC');
    const published = await publish(hub.url, token, { topic: uniqueTopic() }, { Origin: APP_ORIGIN });
    expect(published.status).toBe(200);
    expect(published.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it('serves /healthz as JSON, and /metrics on its own listener only', async () => {
    const health = await fetch(`${hub.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await health.json()).toMatchObject({ status: 'ok', transport: 'memory' });

    const before = await readMetric(hub, 'mercure_updates_published_total');
    const sse = track(await connectSse(subscribeUrl(hub.url, [uniqueTopic()])));
    expect(sse.status).toBe(200);
    expect(await readMetric(hub, 'mercure_subscribers')).toBe(hub.hub.size);
    expect(hub.hub.size).toBeGreaterThanOrEqual(1);
    await publishOk(hub.url, token, { topic: uniqueTopic() });
    expect(await readMetric(hub, 'mercure_updates_published_total')).toBeGreaterThan(before);
    const text = await (await fetch(`${hub.metricsUrl!}/metrics`)).text();
    expect(text).toMatch(/^# TYPE mercure_subscribers gauge$/m);
    expect(text).toMatch(/^# TYPE mercure_updates_published_total counter$/m);
    // Not on the public port, and nothing else on the metrics port.
    expect(new URL(hub.metricsUrl!).port).not.toBe(new URL(hub.url).port);
    await expectRefusal(await fetch(`${hub.url}/metrics`), 404, 'NOT_FOUND');
    expect((await fetch(`${hub.metricsUrl!}/.well-known/mercure?topic=x`)).status).toBe(404);
  });

  it('answers 404 with a JSON error for unknown paths', async () => {
    await expectRefusal(await fetch(`${hub.url}/nope`), 404, 'NOT_FOUND');
    await expectRefusal(await fetch(`${hub.url}/.well-known/mercure/nope`), 404, 'NOT_FOUND');
  });
});

// Each test has its own hub and mostly waits on the hub's 1 s tick: run them side by side.
describe('timers and shutdown', { timeout: 20_000, concurrent: true }, () => {
  it('sends heartbeat comments (heartbeatSeconds: 1)', async () => {
    const hub = await startTestHub({ heartbeatSeconds: 1 });
    try {
      const raw = await openRaw(subscribeUrl(hub.url, [uniqueTopic()]));
      try {
        const text = await raw.waitForText((t) => t.length >= OPENING.length + 3, 10_000);
        expect(text.startsWith(OPENING)).toBe(true);
        expect(text.slice(OPENING.length)).toMatch(/^(:\n\n)+$/);
      } finally {
        raw.close();
      }
    } finally {
      await hub.close();
    }
  });

  it('ends each stream after a randomised lifetime within [max/2, max] (maxConnectionSeconds: 2)', async () => {
    const hub = await startTestHub({ maxConnectionSeconds: 2 });
    try {
      const lifetimes = await Promise.all(
        Array.from({ length: 4 }, async () => {
          // The stream lives at least from its request and at most from its answer: measured from
          // both ends, a slow connect on a loaded machine counts against neither bound.
          const requested = Date.now();
          const sse = await connectSse(subscribeUrl(hub.url, [uniqueTopic()]));
          const answered = Date.now();
          expect(sse.status).toBe(200);
          await sse.ended;
          return { atLeast: Date.now() - requested, atMost: Date.now() - answered };
        }),
      );
      for (const { atLeast, atMost } of lifetimes) {
        expect(atLeast).toBeGreaterThanOrEqual(1000);
        expect(atMost).toBeLessThanOrEqual(3500);
      }
      expect(hub.hub.size).toBe(0);
    } finally {
      await hub.close();
    }
  });

  it('on close, sends a retry line and ends every open stream', async () => {
    const hub = await startTestHub({ retryMs: 1000 });
    const topic = uniqueTopic();
    const raw = await openRaw(subscribeUrl(hub.url, [topic]));
    const sse = await connectSse(subscribeUrl(hub.url, [topic]));
    await raw.waitForText((t) => t.length >= ':\nretry: 1000\n\n'.length);
    const started = Date.now();
    await hub.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await raw.ended;
    await sse.ended;
    // The final retry is jittered around the configured delay, in [retry/2, 1.5 retry].
    const m = /retry: (\d+)\n\n$/.exec(raw.text().slice(':\nretry: 1000\n\n'.length));
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(500);
    expect(Number(m![1])).toBeLessThanOrEqual(1500);
    await expect(fetch(`${hub.url}/healthz`)).rejects.toThrow();
  });
});
