import { randomUUID } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { pino, type Logger } from 'pino';
import { expect } from 'vitest';
import { publish, type PublishFields } from './hub.ts';
import { track } from './registry.ts';

/** A topic nobody else uses, so tests sharing a hub never see each other's updates. */
export const uniqueTopic = (name = 'item'): string => `https://example.com/${name}/${randomUUID()}`;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes and asserts the 200 answer; returns the update id from the body. */
export async function publishOk(hubUrl: string, token: string, fields: PublishFields): Promise<string> {
  const res = await publish(hubUrl, token, fields);
  const body = await res.text();
  expect(res.status, `publish answered ${res.status}: ${body}`).toBe(200);
  return body;
}

/** A refusal as the client sees it: status and the `{ error: { code, message } }` body. */
export async function expectRefusal(res: Response, status: number, code: string): Promise<void> {
  const text = await res.text();
  expect(res.status, `expected ${status} ${code}, got ${res.status}: ${text}`).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  expect(body.error?.code).toBe(code);
  expect(typeof body.error?.message).toBe('string');
  expect((body.error?.message as string).length).toBeGreaterThan(0);
}

/** A refusal, plus the one structured log line (`reason` = the code) the hub wrote for it. */
export async function expectLoggedRefusal(
  logs: LogCapture,
  res: Response,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  await expectRefusal(res, status, code);
  const lines = logs.take().filter((l) => 'refused' in l);
  expect(lines).toEqual([expect.objectContaining({ status, reason: code })]);
  return lines[0]!;
}

/** A pino logger writing JSON lines into memory, so tests can assert the hub's structured logs. */
export interface LogCapture {
  logger: Logger;
  /** Every line logged so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Returns the lines logged so far and forgets them. */
  take(): Record<string, unknown>[];
}

export function captureLogs(level: 'info' | 'debug' = 'info'): LogCapture {
  let buffer: Record<string, unknown>[] = [];
  // pino calls write() synchronously, so a refusal's line is recorded before its response is sent.
  const logger = pino(
    { level },
    {
      write(msg: string) {
        for (const line of msg.split('\n'))
          if (line.trim() !== '') buffer.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return {
    logger,
    lines: () => buffer.slice(),
    take: () => {
      const out = buffer;
      buffer = [];
      return out;
    },
  };
}

/** Reads one Prometheus sample (unlabelled) from a hub's /metrics (on its metrics listener, not its public port). */
export async function readMetric(hub: { metricsUrl: string | undefined }, name: string): Promise<number> {
  if (hub.metricsUrl === undefined) throw new Error('this hub serves no metrics (MERCURE_METRICS_PORT=off)');
  const text = await (await fetch(`${hub.metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} not found in /metrics`);
  return Number(line.slice(name.length + 1));
}

/**
 * A raw HTTP GET on node:http that keeps the body as text: for the bytes a parser hides
 * (the opening comment, `retry:` lines, heartbeats).
 */
export interface RawStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the received text satisfies `test`, or rejects after the timeout. */
  waitForText(test: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ends the response (cleanly or not). */
  ended: Promise<void>;
  close(): void;
}

export function openRaw(
  url: string,
  headers: Record<string, string> = {},
  // Generous bounds (here and in waitForText) for a loaded machine.
  timeoutMs = 15_000,
): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } });
    const timer = setTimeout(() => req.destroy(new Error(`no response head from ${url}`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      // Closed after the test if it did not close it itself.
      const close = track(`raw stream ${url}`, () => req.destroy());
      let text = '';
      const waiters = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of waiters) w();
      });
      const ended = new Promise<void>((done) => {
        res.on('end', () => done());
        res.on('close', () => done());
        res.on('error', () => done());
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => text,
        ended,
        waitForText(test, waitMs = 10_000) {
          if (test(text)) return Promise.resolve(text);
          return new Promise((ok, fail) => {
            const check = (): void => {
              if (!test(text)) return;
              waiters.delete(check);
              clearTimeout(t);
              ok(text);
            };
            const t = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`text not seen within ${waitMs} ms; got ${JSON.stringify(text.slice(-500))}`));
            }, waitMs);
            waiters.add(check);
          });
        },
        close: () => void close(),
      });
    });
    req.end();
  });
}
