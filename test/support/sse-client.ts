import { randomUUID } from 'node:crypto';
import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';
import { track } from './registry.ts';

/**
 * A real SSE client for tests: fetch over loopback + eventsource-parser. It records the
 * response status and headers, every event in order, and comments are ignored like a browser.
 */
export interface SseConnection {
  status: number;
  headers: Headers;
  /** Present when the response was not an event stream (refusals): the parsed JSON body. */
  body: unknown;
  events: EventSourceMessage[];
  /** Resolves with the nth event (1-based count), or rejects after the timeout (10 s by default). */
  waitFor(count: number, timeoutMs?: number): Promise<EventSourceMessage[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export interface SseOptions {
  headers?: Record<string, string>;
  /** Connection timeout for the response head (15 s: generous for a loaded machine). */
  timeoutMs?: number;
}

export async function connectSse(url: string, opts: SseOptions = {}): Promise<SseConnection> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no response from ${url}`)),
    opts.timeoutMs ?? 15_000,
  );
  const res = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...opts.headers },
    signal: controller.signal,
  });
  clearTimeout(timer);
  const events: EventSourceMessage[] = [];
  const waiters: { count: number; resolve: (e: EventSourceMessage[]) => void }[] = [];
  const notify = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (events.length >= w.count) {
        waiters.splice(i, 1);
        w.resolve(events.slice());
      }
    }
  };
  let body: unknown;
  let ended: Promise<void>;
  let close = (): void => controller.abort();
  const isStream = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (!isStream || res.body === null) {
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    ended = Promise.resolve();
  } else {
    const reader = res.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    // Closed after the test if it did not close it itself.
    const untrackedClose = track(`SSE stream ${url}`, () => controller.abort());
    close = () => void untrackedClose();
    ended = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          events.push(value);
          notify();
        }
      } catch {
        // aborted by close(): treated as ended
      }
    })();
  }
  return {
    status: res.status,
    headers: res.headers,
    body,
    events,
    ended,
    waitFor(count, timeoutMs = 10_000) {
      if (events.length >= count) return Promise.resolve(events.slice());
      return new Promise((resolve, reject) => {
        const w = { count, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(
              new Error(
                `expected ${count} events within ${timeoutMs} ms, got ${events.length}: ${JSON.stringify(events.map((e) => e.id))}`,
              ),
            );
          }
        }, timeoutMs);
      });
    },
    close: () => close(),
  };
}

/**
 * The events `feed` had before a marker: `sendMarker` publishes an update of the type it is given that
 * the feed is entitled to (a public update on a topic it subscribes to), once everything it must not
 * have had was published. The hub delivers each subscriber's updates in the order they were published,
 * so once the marker is there, whatever came before it has arrived: the positive signal a "nothing
 * else arrived" assertion waits for, instead of a sleep.
 */
export async function eventsBeforeMarker(
  feed: SseConnection,
  sendMarker: (type: string) => Promise<unknown>,
  timeoutMs = 10_000,
): Promise<EventSourceMessage[]> {
  const type = `marker-${randomUUID()}`;
  await sendMarker(type);
  for (let count = 1; ; count++) {
    const events = await feed.waitFor(count, timeoutMs);
    const at = events.findIndex((e) => e.event === type);
    if (at >= 0) return events.slice(0, at);
  }
}
