import type { Redis } from 'ioredis';
import { HttpHubPublisher } from '../common/hub-publisher.ts';
import type { Logger } from '../common/logger.ts';
import { importSigningKey, mintMercureToken, type JwtAlg } from '../common/mercure.ts';
import type { Topics } from '../common/topics.ts';
import { BiddingEngine } from './engine.ts';
import { RedisBiddingStore } from './redis-store.ts';

export interface RedisEngineOptions {
  redis: Redis;
  prefix: string;
  hubPublishUrl: string;
  publisherKey: string;
  publisherAlg: JwtAlg;
  topics: Topics;
  topicBase: string;
  logger: Logger;
}

/** The engine of the distributed topology: decisions on Redis, updates published to the hub over HTTP. */
export async function createRedisEngine(
  opts: RedisEngineOptions,
): Promise<{ engine: BiddingEngine; close: () => void }> {
  const key = await importSigningKey(opts.publisherKey, opts.publisherAlg);
  // A service token limited to Gavel's own topics; no expiry, it never leaves the back end.
  const token = await mintMercureToken(
    { publish: [`${opts.topicBase.replace(/\/+$/, '')}/{+path}`] },
    { key, alg: opts.publisherAlg, subject: 'gavel-bidding' },
  );
  const publisher = new HttpHubPublisher(opts.hubPublishUrl, () => token);
  const engine = new BiddingEngine({
    store: new RedisBiddingStore({ redis: opts.redis, prefix: opts.prefix }),
    publisher,
    topics: opts.topics,
    logger: opts.logger,
  });
  return { engine, close: () => publisher.close() };
}
