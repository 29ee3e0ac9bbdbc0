import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSse, type SseConnection } from '../../test/support/sse-client.ts';
import { publish, publisherToken, startTestHub, subscribeUrl } from '../../test/support/hub.ts';
import { eventually, OwnRedis, redisTransportUrl, uniquePrefix } from '../../test/support/hub-redis.ts';
import type { RunningHub } from '../service/server.ts';

/**
 * The hub outlives its Redis: while Redis is down it says so (503 on /healthz and on publish)
 * and keeps its subscribers connected; once Redis is back, its read loop resumes and new
 * updates reach the same streams. Runs on a redis-server of its own, never the shared one.
 */
describe('hub across a Redis restart', () => {
  let redis: OwnRedis | undefined;
  let hub: RunningHub | undefined;
  const streams: SseConnection[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await hub?.close();
    hub = undefined;
    await redis?.stop();
    redis = undefined;
  });

  const publishStatus = async (t: string, data: string): Promise<{ status: number; body: string }> => {
    const res = await publish(hub!.url, await publisherToken(), { topic: t, data });
    return { status: res.status, body: await res.text() };
  };
  const healthz = async (): Promise<number> => (await fetch(`${hub!.url}/healthz`)).status;

  it.each([
    ['with its append-only file (history survives)', true],
    ['after losing its data', false],
  ])(
    'recovers %s: the read loop resumes and new publishes reach open subscribers',
    { timeout: 40_000 },
    async (_name, keepData) => {
      redis = await OwnRedis.start();
      hub = await startTestHub({ transportUrl: redisTransportUrl(uniquePrefix(), redis.port) });
      const t = `https://example.com/lots/${randomUUID()}`;
      const sub = await connectSse(subscribeUrl(hub.url, [t]));
      streams.push(sub);
      expect(sub.status).toBe(200);
      const before = await publishStatus(t, 'before');
      expect(before.status).toBe(200);
      expect((await sub.waitFor(1)).map((e) => e.id)).toEqual([before.body]);

      await redis.stopServer();
      await eventually(async () => expect(await healthz()).toBe(503), 10_000);
      const refused = await publishStatus(t, 'while down');
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'HUB_UNAVAILABLE' } });

      if (!keepData)
        for (const f of readdirSync(redis.dir)) rmSync(join(redis.dir, f), { recursive: true, force: true });
      await redis.startServer();
      await eventually(async () => expect(await healthz()).toBe(200), 15_000, 100);
      const after = await eventually(
        async () => {
          const r = await publishStatus(t, 'after');
          expect(r.status).toBe(200);
          return r.body;
        },
        10_000,
        100,
      );

      // The same stream, never reconnected, gets the update published after the restart.
      expect((await sub.waitFor(2, 10_000)).map((e) => [e.id, e.data])).toEqual([
        [before.body, 'before'],
        [after, 'after'],
      ]);

      // Replay from the cursor taken before the restart: exact when Redis kept its data; otherwise
      // the cursor is unknown, and the client is told so (earliest) and gets what history remains.
      const back = await connectSse(subscribeUrl(hub.url, [t]), {
        headers: { 'Last-Event-ID': before.body },
      });
      streams.push(back);
      expect(back.headers.get('last-event-id')).toBe(keepData ? before.body : 'earliest');
      expect((await back.waitFor(1)).map((e) => e.id)).toEqual([after]);
    },
  );
});
