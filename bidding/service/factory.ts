import type { Redis } from 'ioredis';
import { HttpHubPublisher, type HubPublisher } from '../../common/hub-publisher.ts';
import { isHubStreamUrl, RedisStreamPublisher, sameRedisServer } from '../../hub/index.ts';
import type { Logger } from '../../common/logger.ts';
import { importSigningKey, mintMercureToken, type JwtAlg } from '../../common/mercure.ts';
import type { Topics } from '../../common/topics.ts';
import { BiddingEngine } from './engine.ts';
import type { BidderMasks } from '../core/masks.ts';
import { RedisBiddingStore } from '../stores/redis-store.ts';

export interface RedisEngineOptions {
  redis: Redis;
  prefix: string;
  /**
   * Where decisions are published: a hub's `http://…/.well-known/mercure` (a Mercure publish with a
   * publisher JWT), or the hubs' Redis transport `redis://host:port?prefix=…` (appended straight to
   * their shared stream: no HTTP hop and no JWT; for an engine on the hubs' own Redis).
   */
  hubPublishUrl: string;
  /** Needed for an http(s) hubPublishUrl. */
  publisherKey: string | undefined;
  publisherAlg: JwtAlg;
  topics: Topics;
  topicBase: string;
  logger: Logger;
  /** How often the engine sweeps for lots whose newest state was never published (default 5 s). */
  sweepMs?: number | undefined;
  masks: BidderMasks;
}

async function publisherFor(opts: RedisEngineOptions): Promise<HubPublisher & { close(): void }> {
  if (isHubStreamUrl(opts.hubPublishUrl))
    return new RedisStreamPublisher({
      url: opts.hubPublishUrl,
      // The hubs on the engine's own Redis: one connection for decisions and publishes.
      redis: sameRedisServer(opts.redis, opts.hubPublishUrl) ? opts.redis : undefined,
      logger: opts.logger,
    });
  if (opts.publisherKey === undefined)
    throw new Error('MERCURE_PUBLISHER_JWT_KEY is needed to publish to a hub over HTTP');
  const key = await importSigningKey(opts.publisherKey, opts.publisherAlg);
  // A service token limited to Gavel's own topics; no expiry, it never leaves the back end.
  const token = await mintMercureToken(
    { publish: [`${opts.topicBase.replace(/\/+$/, '')}/{+path}`] },
    { key, alg: opts.publisherAlg, subject: 'gavel-bidding' },
  );
  return new HttpHubPublisher(opts.hubPublishUrl, () => token);
}

/**
 * The engine of the distributed topology: decisions on Redis, updates published to the hubs (HTTP or
 * their stream). Started: it republishes at once the newest state of every lot whose last update
 * was never published (its predecessor was killed mid-publish), and keeps sweeping for such lots.
 * `close()` stops it (after up to 2 s for what is in flight) and closes the publisher.
 */
export async function createRedisEngine(
  opts: RedisEngineOptions,
): Promise<{ engine: BiddingEngine; close: () => Promise<void> }> {
  const publisher = await publisherFor(opts);
  const engine = new BiddingEngine({
    store: new RedisBiddingStore({ redis: opts.redis, prefix: opts.prefix }),
    publisher,
    topics: opts.topics,
    logger: opts.logger,
    sweepMs: opts.sweepMs,
    masks: opts.masks,
  });
  engine.start();
  return {
    engine,
    close: async () => {
      await engine.stop();
      publisher.close();
    },
  };
}
