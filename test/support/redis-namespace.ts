import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { track } from './registry.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A connection plus a unique key prefix for one test file; `cleanup` deletes every key under it. */
export function redisNamespace(label: string): {
  redis: Redis;
  prefix: string;
  connect: () => Redis;
  cleanup: () => Promise<void>;
} {
  const prefix = `test:${label}:${randomUUID().slice(0, 8)}`;
  const conns: Redis[] = [];
  const connect = (): Redis => {
    const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    conns.push(r);
    return r;
  };
  const redis = connect();
  // Once, and by the registry if the test file did not: its keys deleted, its connections closed.
  const cleanup = track(`Redis namespace ${prefix}`, async () => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    for (const c of conns) c.disconnect();
  });
  return { redis, prefix, connect, cleanup };
}
