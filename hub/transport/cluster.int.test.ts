import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import { trackChild } from '../../test/support/registry.ts';
import {
  publish,
  PUBLISHER_KEY,
  publisherToken,
  SUBSCRIBER_KEY,
  subscribeUrl,
} from '../../test/support/hub.ts';
import {
  deleteKeys,
  eventually,
  exited,
  freePort,
  hubsOnRedis,
  redisTransportUrl,
  uniquePrefix,
} from '../../test/support/hub-redis.ts';
import type { RunningHub } from '../service/server.ts';

/**
 * Several hub instances on one Redis prefix behave as one hub: an update published on any of
 * them reaches the subscribers of all of them, in one order, and any of them (or a new one,
 * after a restart) replays from any cursor.
 */
const topic = (): string => `https://example.com/lots/${randomUUID()}`;

async function publishOk(
  hubUrl: string,
  fields: { topic: string; data: string; id?: string },
): Promise<string> {
  const res = await publish(hubUrl, await publisherToken(), fields);
  const body = await res.text();
  expect(res.status, `publish on ${hubUrl} answered ${res.status}: ${body}`).toBe(200);
  return body;
}

describe('hub cluster over Redis (in-process)', () => {
  const cluster = hubsOnRedis();
  const start = (): Promise<RunningHub> => cluster.start();
  const subscribe = (url: string, headers: Record<string, string> = {}): Promise<SseConnection> =>
    cluster.subscribe(url, headers);
  afterEach(() => cluster.cleanup());

  it('delivers an update published on either hub to subscribers of both, in the same order', async () => {
    cluster.fresh();
    const a = await start();
    const b = await start();
    const t = topic();
    const onA = await subscribe(subscribeUrl(a.url, [t]));
    const onB = await subscribe(subscribeUrl(b.url, [t]));
    // Interleaved and concurrent from both hubs: one total order, seen identically by both.
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        publishOk(i % 2 === 0 ? a.url : b.url, { topic: t, data: `bid ${i}` }),
      ),
    );
    const [evA, evB] = await Promise.all([onA.waitFor(20), onB.waitFor(20)]);
    expect(evA.map((e) => e.id)).toEqual(evB.map((e) => e.id));
    expect(evA.map((e) => e.data)).toEqual(evB.map((e) => e.data));
    expect([...evA.map((e) => e.id)].sort()).toEqual([...ids].sort());

    // One update from each side, sequentially: each lands on both.
    const fromA = await publishOk(a.url, { topic: t, data: 'from A' });
    const fromB = await publishOk(b.url, { topic: t, data: 'from B' });
    const [tailA, tailB] = await Promise.all([onA.waitFor(22), onB.waitFor(22)]);
    expect(tailA.slice(20).map((e) => e.id)).toEqual([fromA, fromB]);
    expect(tailB.slice(20).map((e) => e.id)).toEqual([fromA, fromB]);
  });

  it('replays from a Last-Event-ID on either hub, whichever hub published', async () => {
    cluster.fresh();
    const a = await start();
    const b = await start();
    const t = topic();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publishOk(i < 3 ? a.url : b.url, { topic: t, data: `u${i}` }));

    const onB = await subscribe(subscribeUrl(b.url, [t]), { 'Last-Event-ID': ids[1]! });
    expect(onB.headers.get('last-event-id')).toBe(ids[1]);
    expect((await onB.waitFor(3)).map((e) => e.id)).toEqual(ids.slice(2));

    const onA = await subscribe(subscribeUrl(a.url, [t], { lastEventID: ids[3]! }));
    expect(onA.headers.get('last-event-id')).toBe(ids[3]);
    expect((await onA.waitFor(1)).map((e) => e.id)).toEqual([ids[4]]);

    // Both then go live with no gap and no duplicate.
    const live = await publishOk(a.url, { topic: t, data: 'live' });
    expect((await onB.waitFor(4)).map((e) => e.id)).toEqual([...ids.slice(2), live]);
    expect((await onA.waitFor(2)).map((e) => e.id)).toEqual([ids[4], live]);
  });

  it('a subscriber resuming on one hub while another keeps publishing gets no gap and no duplicate', async () => {
    cluster.fresh();
    const a = await start();
    const b = await start();
    const token = await publisherToken();
    for (let round = 0; round < 3; round++) {
      const t = topic();
      const first = await publishOk(b.url, { topic: t, data: '0' });
      const ids: string[] = [];
      const publishing = (async () => {
        for (let i = 1; i <= 150; i++) {
          const res = await publish(b.url, token, { topic: t, data: String(i) });
          ids.push(await res.text());
        }
      })();
      // Resume mid-flow: part of what follows `first` is replayed, the rest arrives live.
      const subs: SseConnection[] = [];
      for (let k = 0; k < 5; k++) {
        await new Promise((r) => setTimeout(r, 15));
        subs.push(await subscribe(subscribeUrl(a.url, [t]), { 'Last-Event-ID': first }));
      }
      await publishing;
      // A marker after the last: once a subscriber has it, it has had everything before it, once.
      const marker = await publishOk(b.url, { topic: t, data: 'marker' });
      for (const s of subs) {
        await expect.poll(() => s.events.some((e) => e.id === marker), { timeout: 60_000 }).toBe(true);
        expect(s.events.map((e) => e.id)).toEqual([...ids, marker]);
      }
      for (const s of subs) s.close();
    }
    // 3 × 150 publishes and 15 resumes: seconds quiet, far more beside a CPU hog.
  }, 120_000);

  it('replay survives a hub restart: a new hub on the prefix serves what was published meanwhile', async () => {
    cluster.fresh();
    const a = await start();
    const b = await start();
    const t = topic();
    const sub = await subscribe(subscribeUrl(a.url, [t]));
    const seen = await publishOk(b.url, { topic: t, data: 'seen' });
    const [ev] = await sub.waitFor(1);
    expect(ev?.id).toBe(seen);

    // Hub A goes away: its subscriber's stream ends.
    await a.close();
    cluster.forget(a);
    await sub.ended;
    const missed: string[] = [];
    for (let i = 0; i < 4; i++) missed.push(await publishOk(b.url, { topic: t, data: `missed ${i}` }));

    // A new instance (same prefix, fresh process state) picks up the history.
    const c = await start();
    const back = await subscribe(subscribeUrl(c.url, [t]), { 'Last-Event-ID': ev!.id! });
    expect(back.headers.get('last-event-id')).toBe(seen);
    expect((await back.waitFor(4)).map((e) => e.id)).toEqual(missed);
    const live = await publishOk(b.url, { topic: t, data: 'live' });
    expect((await back.waitFor(5)).map((e) => e.id)).toEqual([...missed, live]);
  });
});

describe('hub cluster over Redis (two hub processes)', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const children: ChildProcess[] = [];
  let prefix: string | undefined;
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        const done = exited(c);
        c.kill('SIGKILL');
        await done;
      }
    }
    if (prefix !== undefined) await deleteKeys(prefix);
  });

  async function spawnHub(
    transportUrl: string,
  ): Promise<{ url: string; child: ChildProcess; output: () => string }> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'hub/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        MERCURE_TRANSPORT_URL: transportUrl,
        MERCURE_PUBLISHER_JWT_KEY: PUBLISHER_KEY,
        MERCURE_SUBSCRIBER_JWT_KEY: SUBSCRIBER_KEY,
        MERCURE_ANONYMOUS: 'true',
        // Two hubs on one machine: each its own metrics port.
        MERCURE_METRICS_PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    trackChild('hub/main.ts', child);
    let output = '';
    child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`hub exited with ${child.exitCode}: ${output}`);
        const res = await fetch(`${url}/healthz`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ status: 'ok', transport: 'redis' });
      },
      15_000,
      100,
    );
    return { url, child, output: () => output };
  }

  it(
    'delivers across two real hub processes, which shut down gracefully on SIGTERM',
    { timeout: 40_000 },
    async () => {
      prefix = uniquePrefix();
      const transportUrl = redisTransportUrl(prefix);
      const [p1, p2] = await Promise.all([spawnHub(transportUrl), spawnHub(transportUrl)]);
      const t = topic();
      const on1 = await connectSse(subscribeUrl(p1.url, [t]));
      const on2 = await connectSse(subscribeUrl(p2.url, [t]));
      expect([on1.status, on2.status]).toEqual([200, 200]);

      const via2 = await publishOk(p2.url, { topic: t, data: 'published on process 2' });
      const via1 = await publishOk(p1.url, { topic: t, data: 'published on process 1' });
      expect((await on1.waitFor(2, 5000)).map((e) => [e.id, e.data])).toEqual([
        [via2, 'published on process 2'],
        [via1, 'published on process 1'],
      ]);
      expect((await on2.waitFor(2, 5000)).map((e) => e.id)).toEqual([via2, via1]);

      // Graceful shutdown with subscribers still connected: their streams end, the process exits 0.
      const results = await Promise.all(
        [p1, p2].map(async (p) => {
          const done = exited(p.child);
          p.child.kill('SIGTERM');
          return done;
        }),
      );
      await Promise.all([on1.ended, on2.ended]);
      expect(results, `${p1.output()}\n${p2.output()}`).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      expect(p1.output()).toContain('"msg":"hub listening"');
      expect(p1.output()).toContain('shutting down');
    },
  );
});
