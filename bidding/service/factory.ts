import type { Redis } from 'ioredis';
import { hubPublisherFor } from '../../common/hub-publisher-for.ts';
import type { Logger } from '../../common/logger.ts';
import type { JwtAlg } from '../../common/mercure.ts';
import type { Topics } from '../../common/topics.ts';
import { BiddingEngine } from './engine.ts';
import type { BidderMasks } from '../core/masks.ts';
import { RedisBiddingStore } from '../stores/redis-store.ts';
import type { EngineMetrics } from './metrics.ts';

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
  /** The bid path's Prometheus metrics, script failures included; unset = none kept. */
  metrics?: EngineMetrics | undefined;
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
  const publisher = await hubPublisherFor({
    url: opts.hubPublishUrl,
    publisherKey: opts.publisherKey,
    publisherAlg: opts.publisherAlg,
    topicBase: opts.topicBase,
    subject: 'gavel-bidding',
    logger: opts.logger,
    // The hubs on the engine's own Redis: one connection for decisions and publishes.
    redis: opts.redis,
  });
  const engine = new BiddingEngine({
    store: new RedisBiddingStore({
      redis: opts.redis,
      prefix: opts.prefix,
      onScriptError: opts.metrics === undefined ? undefined : (script) => opts.metrics!.scriptError(script),
    }),
    publisher,
    topics: opts.topics,
    logger: opts.logger,
    sweepMs: opts.sweepMs,
    masks: opts.masks,
    metrics: opts.metrics,
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
