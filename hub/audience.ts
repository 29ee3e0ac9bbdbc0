/**
 * Who is connected to the hubs, for services that want to count their audience (the floor console's
 * "N online"): the subscriptions the subscription API lists, read in process (embedded), straight
 * from the hubs' Redis registry (a Redis transport: every instance's, cluster-wide), or over the
 * subscription API of one hub (HTTP; cluster-wide too when that hub runs on the Redis transport).
 */
import type { Redis } from 'ioredis';
import { createRedis } from '../common/redis.ts';
import { createLogger } from '../common/logger.ts';
import type { HubService } from './service/server.ts';
import { registeredSubscriptions } from './transport/redis-registry.ts';
import { parseStreamUrl, streamKeys } from './transport/redis-stream.ts';
import { sameRedisServer } from './publishers/stream.ts';

/** One open subscription: the selector it asked for, its subscriber id, the token's `mercure.payload`. */
export interface HubSubscription {
  topic: string;
  subscriber: string;
  payload?: unknown;
}

export interface HubSubscriptions {
  /** Every open subscription the hubs know of now. */
  list(): Promise<HubSubscription[]>;
  close(): void;
}

/** The subscriptions of an in-process hub (with a Redis transport, of every instance). */
export function inProcessSubscriptions(service: HubService): HubSubscriptions {
  return {
    list: () => service.hub.transport.listSubscriptions(),
    close: () => undefined,
  };
}

/**
 * The subscriptions the hubs of a Redis transport recorded (`redis://host:port?prefix=…`, their
 * MERCURE_TRANSPORT_URL): every live instance's. `redis`, when on that same server, is reused.
 */
export function streamSubscriptions(url: string, redis?: Redis): HubSubscriptions {
  const { redisUrl, prefix } = parseStreamUrl(url);
  const keys = streamKeys(prefix);
  const shared = redis !== undefined && sameRedisServer(redis, url);
  const conn =
    shared && redis !== undefined
      ? redis
      : createRedis(
          redisUrl,
          { maxRetriesPerRequest: 2 },
          { client: 'hub-audience', logger: createLogger('hub-audience', 'silent') },
        );
  return {
    list: () => registeredSubscriptions(conn, keys),
    close: () => {
      if (!shared) conn.disconnect();
    },
  };
}

/**
 * The subscriptions a hub's subscription API lists (`<hub>/subscriptions`), asked with a subscriber
 * JWT covering that URL (`token`).
 */
export function httpSubscriptions(hubUrl: string, token: () => Promise<string>): HubSubscriptions {
  const url = `${hubUrl.replace(/\/+$/, '')}/subscriptions`;
  return {
    async list() {
      const res = await fetch(url, {
        headers: { Authorization: `Bearer ${await token()}`, Accept: 'application/ld+json' },
        signal: AbortSignal.timeout(3_000),
      });
      if (!res.ok) throw new Error(`the hub's subscription API answered ${res.status}`);
      const body = (await res.json()) as { subscriptions?: unknown };
      if (!Array.isArray(body.subscriptions)) return [];
      return body.subscriptions.flatMap((s: unknown): HubSubscription[] => {
        if (typeof s !== 'object' || s === null) return [];
        const r = s as Record<string, unknown>;
        return typeof r.topic === 'string' && typeof r.subscriber === 'string'
          ? [{ topic: r.topic, subscriber: r.subscriber, payload: r.payload }]
          : [];
      });
    },
    close: () => undefined,
  };
}
