import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from './support/sse-client.ts';
import { stopChild } from './support/hub-redis.ts';
import { trackChild } from './support/registry.ts';
import { until } from './support/orchestrator.ts';

/**
 * The embedded default (gateway, engine and hub in one process) under hostile topic selectors.
 * `GET /.well-known/mercure?topic={+v0}{+v1}{+v2}{+v3}{+v4}!` — 40 bytes, anonymous — used to
 * freeze that process for ~8 s (the template compiled to a backtracking RegExp and every update,
 * the subscription's own announcement first, was matched against it); more variables, minutes.
 * Here several such viewers connect at once while two bidders keep bidding over real HTTP: every
 * subscription must be answered, and no bid may stall.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Fixture {
  url: string;
  hubUrl: string;
  lot: string;
  tokens: Record<string, string>;
}

let child: ChildProcess;
let fx: Fixture;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'test/support/embedded-child.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild('embedded-child.ts', child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const line = await until('the embedded gateway to start', () => /^\{.*\}$/m.exec(out)?.[0], 45_000);
  fx = JSON.parse(line) as Fixture;
}, 60_000);

// A process frozen in a regular expression never handles SIGTERM: killed after 5 s.
afterAll(() => stopChild(child, 5000));

/** Templates that each backtracked for seconds to hours on a subscription announcement. */
const HOSTILE = [
  '{+v0}{+v1}{+v2}{+v3}{+v4}!',
  '{+v0}{+v1}{+v2}{+v3}{+v4}{+v5}!',
  '{+v0}{+v1}{+v2}{+v3}{+v4}{+v5}{+v6}{+v7}!',
  '{v0}{v1}{v2}{v3}{v4}{v5}{v6}{v7}!',
  '{+a,b,c,d,e,f,g,h}!',
];

describe('hostile topic selectors on the embedded default', () => {
  it(
    'are all answered, and bids keep flowing through the gateway meanwhile',
    { timeout: 90_000 },
    async () => {
      const auctionTopic = `https://gavel.local/auctions/${fx.lot}`;
      const viewer = await connectSse(`${fx.hubUrl}?topic=${encodeURIComponent(auctionTopic)}`);
      expect(viewer.status).toBe(200);

      // Two bidders raise each other over real HTTP, timing every bid, until the hostile viewers are in.
      const latencies: number[] = [];
      const failures: string[] = [];
      let stop = false;
      let amount = 100;
      const bidding = (async () => {
        for (let i = 0; !stop || i < 20; i++) {
          const bidder = i % 2 === 0 ? 'alice' : 'bob';
          const started = performance.now();
          try {
            const res = await fetch(`${fx.url}/v1/auctions/${fx.lot}/bids`, {
              method: 'POST',
              headers: {
                Authorization: `Bearer ${fx.tokens[bidder]!}`,
                'Idempotency-Key': randomUUID(),
                'Content-Type': 'application/json',
              },
              body: JSON.stringify({ amount: `${amount}.00` }),
              signal: AbortSignal.timeout(15_000),
            });
            if (res.status !== 201) failures.push(`bid ${i}: HTTP ${res.status} ${await res.text()}`);
            else await res.body?.cancel();
          } catch (err) {
            failures.push(`bid ${i}: ${err instanceof Error ? err.message : String(err)}`);
          }
          const took = performance.now() - started;
          latencies.push(took);
          amount += 300;
          // Paced under the gateway's rate limit (5 a second).
          await new Promise((r) => setTimeout(r, Math.max(0, 250 - took)));
        }
      })();

      // Several at once, anonymous and with the subscriber token anyone gets from the gateway.
      const { token } = (await (await fetch(`${fx.url}/v1/hub-token`, { method: 'POST' })).json()) as {
        token: string;
      };
      const started = performance.now();
      const hostile: SseConnection[] = await Promise.all(
        HOSTILE.flatMap((t) => [
          connectSse(`${fx.hubUrl}?topic=${encodeURIComponent(t)}`, { timeoutMs: 30_000 }),
          connectSse(
            `${fx.hubUrl}?topic=${encodeURIComponent(t)}&topic=${encodeURIComponent(auctionTopic)}`,
            {
              timeoutMs: 30_000,
              headers: { Authorization: `Bearer ${token}` },
            },
          ),
        ]),
      );
      const answeredMs = performance.now() - started;
      // The hostile viewers stay connected while the bids go on.
      await new Promise((r) => setTimeout(r, 1000));
      stop = true;
      await bidding;
      for (const s of hostile) s.close();

      expect(hostile.map((s) => s.status)).toEqual(HOSTILE.flatMap(() => [200, 200]));
      // Generous bounds for a loaded machine: linear matching answers in milliseconds.
      expect(answeredMs).toBeLessThan(10_000);
      expect(failures).toEqual([]);
      expect(Math.max(...latencies)).toBeLessThan(3000);
      // Every accepted bid reached the screens.
      await until(
        'the viewer to see every bid',
        () => (viewer.events.length >= latencies.length ? true : undefined),
        15_000,
      );
      viewer.close();
    },
  );
});
