import type { Redis } from 'ioredis';
import type { Logger } from '../../common/logger.ts';
import type { SubscriptionRecord } from '../core/subscriptions.ts';
import { limitsFields, type StreamKeys } from './redis-stream.ts';
import type { HistoryLimits } from './transport.ts';

/** How long an instance's entries live without a heartbeat (a crashed instance leaves nothing behind for longer). */
export const INSTANCE_TTL_MS = 30_000;

/**
 * What one hub instance records about itself in Redis, refreshed by its heartbeat: that it is
 * alive (`instances`), the history limits it keeps (for back-end publishers), whether it has a
 * subscriber who may read subscription events (`watchers`), and its open subscriptions (its
 * `subs:<instance>` hash). Every entry expires, so an instance that dies leaves nothing for long.
 */
export class InstanceRegistry {
  private readonly redis: Redis;
  private readonly keys: StreamKeys;
  private readonly instance: string;
  private readonly limits: HistoryLimits;
  private readonly logger: Logger;
  private readonly localSubs = new Map<string, string>();
  private watching = false;

  constructor(opts: {
    redis: Redis;
    keys: StreamKeys;
    instance: string;
    limits: HistoryLimits;
    logger: Logger;
  }) {
    this.redis = opts.redis;
    this.keys = opts.keys;
    this.instance = opts.instance;
    this.limits = opts.limits;
    this.logger = opts.logger;
  }

  setWatching(watching: boolean): void {
    if (watching === this.watching) return;
    this.watching = watching;
    // Sent before the watcher's stream opens (the hub reads history on this connection after it), so
    // an event any instance publishes once the stream is open finds this instance listed.
    const done = watching
      ? this.redis
          .multi()
          .zadd(this.keys.watchers, Date.now() + INSTANCE_TTL_MS, this.instance)
          // Every instance gone (crashed): the set goes too.
          .pexpire(this.keys.watchers, INSTANCE_TTL_MS)
          .exec()
      : this.redis.zrem(this.keys.watchers, this.instance);
    done.catch((err: unknown) => this.logger.warn({ err }, 'could not record watching subscribers'));
  }

  addSubscriptions(records: SubscriptionRecord[]): void {
    if (records.length === 0) return;
    const args: string[] = [];
    for (const r of records) {
      const json = JSON.stringify(r);
      this.localSubs.set(r.id, json);
      args.push(r.id, json);
    }
    // With its TTL from the start: an instance that dies before its next heartbeat leaves no key behind.
    const key = this.keys.subs(this.instance);
    this.redis
      .multi()
      .hset(key, ...args)
      .pexpire(key, INSTANCE_TTL_MS)
      .exec()
      .catch((err: unknown) => this.logger.warn({ err }, 'could not record subscriptions'));
  }

  removeSubscriptions(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.localSubs.delete(id);
    this.redis
      .hdel(this.keys.subs(this.instance), ...ids)
      .catch((err: unknown) => this.logger.warn({ err }, 'could not remove subscriptions'));
  }

  /** The subscriptions of every live instance. */
  listSubscriptions(): Promise<SubscriptionRecord[]> {
    return registeredSubscriptions(this.redis, this.keys);
  }

  /** Refreshes every entry of this instance (at start, then every third of the TTL). */
  async heartbeat(): Promise<void> {
    const now = Date.now();
    const subs = this.keys.subs(this.instance);
    const pipeline = this.redis
      .multi()
      // For back-end publishers that append straight to the stream (RedisStreamPublisher).
      .hset(this.keys.limits, limitsFields(this.limits))
      .zadd(this.keys.instances, now + INSTANCE_TTL_MS, this.instance)
      .zremrangebyscore(this.keys.instances, '-inf', now)
      .zremrangebyscore(this.keys.watchers, '-inf', now);
    if (this.watching)
      pipeline
        .zadd(this.keys.watchers, now + INSTANCE_TTL_MS, this.instance)
        .pexpire(this.keys.watchers, INSTANCE_TTL_MS);
    // Re-assert what this instance holds, in case Redis lost it (restart without persistence).
    if (this.localSubs.size > 0) pipeline.hset(subs, Object.fromEntries(this.localSubs));
    await pipeline.pexpire(subs, INSTANCE_TTL_MS).exec();
  }

  /** Removes this instance's entries (on close). */
  async leave(): Promise<void> {
    await this.redis
      .multi()
      .del(this.keys.subs(this.instance))
      .zrem(this.keys.instances, this.instance)
      .zrem(this.keys.watchers, this.instance)
      .exec();
  }
}

/**
 * The open subscriptions every live hub instance of a Redis transport has recorded (what the
 * subscription API lists): readable by any process on that Redis, not only by a hub.
 */
export async function registeredSubscriptions(redis: Redis, keys: StreamKeys): Promise<SubscriptionRecord[]> {
  const now = Date.now();
  const instances = await redis.zrangebyscore(keys.instances, now, '+inf');
  const hashes = await Promise.all(instances.map((i) => redis.hvals(keys.subs(i))));
  return hashes.flat().map((json) => JSON.parse(json) as SubscriptionRecord);
}
