import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { z } from 'zod';
import {
  ConfigError,
  envInt,
  envSecret,
  jwtAlgEnv,
  loadEnv,
  MIN_SECRET_BYTES,
  sharedEnv,
} from '../../common/config.ts';
import type { Logger, LogLevel } from '../../common/logger.ts';
import { createRedis } from '../../common/redis.ts';
import type { JwtAlg } from '../../common/mercure.ts';
import { topics } from '../../common/topics.ts';
import type { BiddingEngine } from './engine.ts';
import { isHubStreamUrl } from '../../hub/index.ts';
import { createRedisEngine } from './factory.ts';
import { createBiddingApi } from './http-api.ts';
import { listenUrl } from '../../common/listen-url.ts';
import { BidderMasks } from '../core/masks.ts';
import {
  processRegistry,
  serveMetrics,
  metricsHostEnv,
  metricsPortEnv,
  type MetricsListen,
  type MetricsServer,
} from '../../common/metrics.ts';
import { EngineMetrics } from './metrics.ts';

export interface BiddingConfig {
  host: string;
  port: number;
  redisUrl: string;
  redisPrefix: string;
  hubPublishUrl: string;
  /** Needed when HUB_PUBLISH_URL is a hub's http URL. */
  publisherKey: string | undefined;
  publisherAlg: JwtAlg;
  topicBase: string;
  serviceToken: string;
  /** `GAVEL_MASK_KEY`: the key of the public bidder masks, shared with the gateways and the back office. */
  maskKey: string;
  /**
   * Where `/metrics` listens (`BIDDING_METRICS_HOST`/`PORT`), never on the internal API's port; port
   * undefined = no listener (an in-process engine in a test), 0 = any free port.
   */
  metrics?: MetricsListen | undefined;
  logLevel: LogLevel;
}

const schema = z.object({
  ...sharedEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: envInt(3002, 0, 65535),
  REDIS_URL: z.string({ error: 'REDIS_URL is required (the engine state lives in Redis)' }).min(1),
  HUB_PUBLISH_URL: z
    .string({
      error:
        "HUB_PUBLISH_URL is required (where decisions are published: a hub's http URL, or the hubs' redis:// transport URL)",
    })
    .url(),
  MERCURE_PUBLISHER_JWT_KEY: envSecret(MIN_SECRET_BYTES, { pem: true }),
  MERCURE_PUBLISHER_JWT_ALG: jwtAlgEnv,
  // A shared secret like the keys: at least 32 bytes (docs/configuration.md, "Keys").
  BIDDING_SERVICE_TOKEN: envSecret().refine((v) => v !== undefined, {
    message: 'BIDDING_SERVICE_TOKEN is required (shared with the gateway; `openssl rand -hex 32`)',
  }),
  BIDDING_METRICS_HOST: metricsHostEnv,
  BIDDING_METRICS_PORT: metricsPortEnv(9465),
  GAVEL_MASK_KEY: envSecret().refine((v) => v !== undefined, {
    message:
      'GAVEL_MASK_KEY is required (the bidder-mask key, the same in every gateway and the orchestrator)',
  }),
});

export function biddingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BiddingConfig {
  const e = loadEnv(schema, env);
  if (!isHubStreamUrl(e.HUB_PUBLISH_URL) && e.MERCURE_PUBLISHER_JWT_KEY === undefined)
    throw new ConfigError(
      "MERCURE_PUBLISHER_JWT_KEY is required to publish to a hub over HTTP (or set HUB_PUBLISH_URL to the hubs' redis:// transport URL)",
    );
  return {
    host: e.HOST,
    port: e.PORT,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    hubPublishUrl: e.HUB_PUBLISH_URL,
    publisherKey: e.MERCURE_PUBLISHER_JWT_KEY,
    publisherAlg: e.MERCURE_PUBLISHER_JWT_ALG,
    topicBase: e.GAVEL_TOPIC_BASE,
    serviceToken: e.BIDDING_SERVICE_TOKEN,
    maskKey: e.GAVEL_MASK_KEY,
    metrics: { host: e.BIDDING_METRICS_HOST, port: e.BIDDING_METRICS_PORT },
    logLevel: e.LOG_LEVEL,
  };
}

export interface RunningBidding {
  url: string;
  /** Where `/metrics` is served (`${metricsUrl}/metrics`); undefined with BIDDING_METRICS_PORT=off. */
  metricsUrl: string | undefined;
  /** The engine's bid-path metrics (also in the served registry). */
  metrics: EngineMetrics;
  engine: BiddingEngine;
  server: Server;
  close(): Promise<void>;
}

/** Starts the bidding engine as its own service (distributed topology): internal HTTP API, Redis state, HTTP publish. */
export async function startBiddingService(config: BiddingConfig, logger: Logger): Promise<RunningBidding> {
  const metrics = new EngineMetrics();
  const redis = createRedis(
    config.redisUrl,
    { maxRetriesPerRequest: 2, enableAutoPipelining: true },
    { client: 'engine', logger },
  );
  const { engine, close } = await createRedisEngine({
    redis,
    prefix: config.redisPrefix,
    hubPublishUrl: config.hubPublishUrl,
    publisherKey: config.publisherKey,
    publisherAlg: config.publisherAlg,
    topics: topics(config.topicBase),
    topicBase: config.topicBase,
    logger,
    masks: new BidderMasks(config.maskKey),
    metrics,
  });
  const app = createBiddingApi(engine, {
    token: config.serviceToken,
    logger,
    // The engine decides on Redis: without it no bid can be decided.
    readiness: { redis: () => redis.ping() },
  });
  // Its own listener: the internal API's port is reachable by every gateway, the metrics only by
  // Prometheus. Bound first, so an engine that answers its API is a whole one.
  let metricsServer: MetricsServer | undefined;
  const server = createServer(getRequestListener(app.fetch));
  server.keepAliveTimeout = 65_000;
  try {
    if (config.metrics?.port !== undefined)
      metricsServer = await serveMetrics(
        processRegistry([metrics.registry]),
        config.metrics.host,
        config.metrics.port,
        { env: 'BIDDING_METRICS_PORT', what: "the engine's metrics" },
      );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    await metricsServer?.close();
    await close();
    redis.disconnect();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: listenUrl(config.host, port),
    metricsUrl: metricsServer?.url,
    metrics,
    engine,
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.drain();
      server.closeAllConnections();
      await closed;
      await close();
      await metricsServer?.close();
      redis.disconnect();
    },
  };
}
