/**
 * The hub publisher a service's HUB_PUBLISH_URL names: the hubs' Redis transport
 * (`redis://host:port?prefix=…`, appended straight to their shared stream: no HTTP hop, no JWT), or
 * a hub's `http(s)://…/.well-known/mercure` (a Mercure publish with a service JWT limited to
 * Gavel's own topics, which never leaves the back end).
 */
import type { Redis } from 'ioredis';
import { isHubStreamUrl, RedisStreamPublisher, sameRedisServer } from '../hub/index.ts';
import { ConfigError } from './config.ts';
import { HttpHubPublisher, type HubPublisher } from './hub-publisher.ts';
import type { Logger } from './logger.ts';
import { importSigningKey, mintMercureToken, type JwtAlg } from './mercure.ts';

export interface HubPublisherChoice {
  /** HUB_PUBLISH_URL. */
  url: string;
  /** The publisher JWT key, needed for an http(s) URL. */
  publisherKey: string | undefined;
  publisherAlg: JwtAlg;
  /** GAVEL_TOPIC_BASE: the token may publish under it only. */
  topicBase: string;
  /** The token's subject: which service publishes (`gavel-bidding`, `gavel-orchestrator`). */
  subject: string;
  logger: Logger;
  /** A connection the caller already holds: reused when the hubs' stream is on that same Redis server. */
  redis?: Redis | undefined;
  /** What the ConfigError says when an http(s) URL comes without a key. */
  missingKey?: string;
}

export async function hubPublisherFor(o: HubPublisherChoice): Promise<HubPublisher & { close(): void }> {
  if (isHubStreamUrl(o.url))
    return new RedisStreamPublisher({
      url: o.url,
      redis: o.redis !== undefined && sameRedisServer(o.redis, o.url) ? o.redis : undefined,
      logger: o.logger,
    });
  if (o.publisherKey === undefined)
    throw new ConfigError(
      o.missingKey ?? 'MERCURE_PUBLISHER_JWT_KEY is needed to publish to a hub over HTTP',
    );
  const key = await importSigningKey(o.publisherKey, o.publisherAlg);
  const token = await mintMercureToken(
    { publish: [`${o.topicBase.replace(/\/+$/, '')}/{+path}`] },
    { key, alg: o.publisherAlg, subject: o.subject },
  );
  return new HttpHubPublisher(o.url, () => token);
}
