import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HubPublishError, type HubPublisher, type HubUpdate } from '../../common/hub-publisher.ts';
import { createLogger, type Logger } from '../../common/logger.ts';
import { createRedis } from '../../common/redis.ts';
import { parseUpdate } from '../core/parse-update.ts';
import type { HubRefusal } from '../core/refusal.ts';
import { publishScript } from '../transport/redis.ts';
import {
  parseStreamUrl,
  publishArgs,
  publishKeys,
  streamKeys,
  type StreamKeys,
} from '../transport/redis-stream.ts';

export interface RedisStreamPublisherOptions {
  /** The hubs' transport URL, `redis://host:port?prefix=…` (the same as their MERCURE_TRANSPORT_URL). */
  url: string;
  /**
   * A connection the caller already has to that same Redis (left open by close()). Sharing it with
   * the caller's other commands puts a tick's publishes and decisions in one write: with
   * auto-pipelining every connection costs a socket write per event-loop turn.
   */
  redis?: Redis | undefined;
  /** Where its own connection's outages are logged (once per outage); default: nowhere. */
  logger?: Logger | undefined;
}

/** True for a hub transport URL (publish straight into the hubs' stream) rather than a hub's HTTP URL. */
export function isHubStreamUrl(url: string): boolean {
  return /^rediss?:/i.test(url);
}

/** True when `redis` is connected to the server and database a transport URL names. */
export function sameRedisServer(redis: Redis, url: string): boolean {
  const u = new URL(url);
  const o = redis.options;
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return (
    (u.protocol === 'rediss:') === (o.tls !== undefined) &&
    (u.hostname === o.host || (isLoopback(u.hostname) && isLoopback(o.host ?? ''))) &&
    Number(u.port === '' ? 6379 : u.port) === o.port &&
    db === (o.db ?? 0) &&
    decodeURIComponent(u.username) === (o.username ?? '') &&
    decodeURIComponent(u.password) === (o.password ?? '')
  );
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1';

/**
 * Publishes by appending straight to the stream the hubs of a Redis transport share: the same
 * script, the same dedupe by update id and the same history limits as a publish the hub accepted
 * over HTTP (the limits are the ones the hubs recorded), but no HTTP request, no JWT, and no second
 * process in the way — the hubs take the update from their stream reader as they take everyone's.
 *
 * For trusted back-end services on the hubs' own Redis (the bidding engine): whoever can write to
 * that Redis can publish anything, so the hub's publish authorisation does not apply here. Anyone
 * else publishes over HTTP with a publisher JWT. Updates published concurrently are appended in the
 * order their scripts reach Redis: on one connection, the order of the calls.
 */
export class RedisStreamPublisher implements HubPublisher {
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly keys: StreamKeys;

  constructor(opts: RedisStreamPublisherOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
      throw new TypeError(`a hub stream URL is redis:// or rediss:// (got ${url.protocol})`);
    const { redisUrl, prefix } = parseStreamUrl(opts.url);
    this.keys = streamKeys(prefix);
    this.ownsConnection = opts.redis === undefined;
    // Reconnects by itself; a publish that fails meanwhile rejects and is retried by its caller.
    this.redis =
      opts.redis ??
      createRedis(
        redisUrl,
        { maxRetriesPerRequest: 2, enableAutoPipelining: true },
        { client: 'hub-stream', logger: opts.logger ?? createLogger('hub-stream', 'silent') },
      );
  }

  async publish(update: HubUpdate): Promise<string> {
    // The hub's own validation of a publish (topics, id, type), refusing what it would refuse.
    const form = new URLSearchParams();
    for (const t of update.topics) form.append('topic', t);
    form.set('id', update.id ?? `urn:uuid:${randomUUID()}`);
    if (update.type !== undefined) form.set('type', update.type);
    const u = parseUpdate(form, (r: HubRefusal) => {
      throw new HubPublishError(r.status, `${r.code}: ${r.message}`);
    });
    try {
      // No limits given: the script applies the ones the hubs recorded (NOHUB when none has).
      await publishScript.run(
        this.redis,
        publishKeys(this.keys, u.id),
        publishArgs({ ...u, data: update.data, private: update.private === true }),
      );
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOHUB'))
        throw new HubPublishError(503, err.message.replace(/^NOHUB /, ''));
      throw err;
    }
    return u.id;
  }

  close(): void {
    if (this.ownsConnection) this.redis.disconnect();
  }
}
