import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Redis } from 'ioredis';
import type { Hono } from 'hono';
import type { Logger } from '../common/logger.ts';
import { createRedis } from '../common/redis.ts';
import { importSigningKey, MERCURE_PATH } from '../common/mercure.ts';
import { topics as makeTopics } from '../common/topics.ts';
import {
  BidderMasks,
  BiddingEngine,
  createRedisEngine,
  MemoryBiddingStore,
  RedisBiddingStore,
  RemoteBiddingService,
  type BiddingService,
  type BiddingStore,
} from '../bidding/index.ts';
import {
  createHubService,
  hubDefaults,
  localPublisher,
  type HubConfig,
  type HubService,
} from '../hub/index.ts';
import { createGatewayApp, type GatewayEnv } from './app.ts';
import { UserTokens } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { createLimiter } from './middleware/rate-limit.ts';
import { emptyCatalogue, HttpCatalogue, type Catalogue } from './catalogue.ts';
import { demoCatalogue, DEMO_USERS } from './demo/seed.ts';
import { MemoryBidderDirectory, RedisBidderDirectory, type BidderDirectory } from '../common/directory.ts';
import { CONFIRM_EVERY_BID } from './messaging/confirm-policy.ts';
import { MemoryBidConfirmations, RedisBidConfirmations } from './messaging/confirmations.ts';
import { loadClients } from './routes/clients.ts';

export interface GatewayOptions {
  /** Where sale titles, lot numbers and estimates come from; default: the demo's when GAVEL_DEMO, else none. */
  catalogue?: Catalogue;
  /** Serve the browser clients (bundled in memory at start-up); default true. */
  clients?: boolean;
  /** Who phone numbers belong to; default: on Redis when distributed, in-process when embedded. */
  directory?: BidderDirectory;
  /** Embedded: settings of the mounted hub over its defaults (client limits, trusted proxies). */
  hub?: Partial<HubConfig>;
}

export interface RunningGateway {
  url: string;
  hubUrl: string;
  app: Hono<GatewayEnv>;
  engine: BiddingService;
  /** The engine's store when the engine runs in this process (seeding, tests); undefined with a remote engine. */
  store: BiddingStore | undefined;
  tokens: UserTokens;
  /** The in-process hub (embedded mode only). */
  hub: HubService | undefined;
  /** Who phone numbers belong to (the embedded back office writes the same one). */
  directory: BidderDirectory;
  server: Server;
  config: GatewayConfig;
  close(): Promise<void>;
}

/**
 * Starts the gateway. Embedded: the Mercure hub is mounted on the same origin and the engine
 * keeps its state in-process — nothing external. Distributed: the engine's state is in Redis
 * (the Lua decision), updates go to an external hub over HTTP, limits are shared through Redis.
 */
export async function startGateway(
  input: GatewayConfig,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const config = { ...input };
  config.userJwtKey ??= randomBytes(32).toString('hex');
  // Embedded: a mask key for this run (the in-process engine and back office share it); distributed: required.
  config.maskKey ??= randomBytes(32).toString('hex');
  config.publisherKey ??= randomBytes(32).toString('hex');
  config.subscriberKey ??= config.publisherKey;
  config.hubPublishUrl ??= config.hubUrl;
  const topics = makeTopics(config.topicBase);
  const tokens = new UserTokens({ key: config.userJwtKey, audience: 'api' });
  const masks = new BidderMasks(config.maskKey);
  const closers: (() => Promise<void> | void)[] = [];

  let engine: BiddingService;
  let store: BiddingStore | undefined;
  let hub: HubService | undefined;
  let redis: Redis | undefined;
  const engineLogger = logger.child({ component: 'bidding' });
  if (config.mode === 'embedded') {
    hub = await createHubService(
      {
        ...hubDefaults,
        ...options.hub,
        publisherKey: config.publisherKey,
        publisherAlg: config.publisherAlg,
        subscriberKey: config.subscriberKey,
        subscriberAlg: config.subscriberAlg,
        anonymous: true,
        transportUrl: 'memory://',
        logLevel: config.logLevel,
      },
      logger.child({ component: 'hub' }),
    );
    closers.push(() => hub!.close());
    store = new MemoryBiddingStore();
    const embedded = new BiddingEngine({
      store,
      publisher: localPublisher(hub),
      topics,
      logger: engineLogger,
      masks,
    });
    closers.push(() => embedded.stop());
    engine = embedded;
  } else {
    redis = createRedis(
      config.redisUrl!,
      { maxRetriesPerRequest: 2, enableAutoPipelining: true },
      { client: 'gateway', logger },
    );
    closers.push(() => redis!.disconnect());
    if (config.biddingUrl !== undefined) {
      // The engine runs as its own process: the gateway only routes to it.
      const remote = new RemoteBiddingService(config.biddingUrl, config.biddingServiceToken!);
      closers.push(() => remote.close());
      engine = remote;
      store = new RedisBiddingStore({ redis, prefix: config.redisPrefix });
    } else {
      const local = await createRedisEngine({
        redis,
        prefix: config.redisPrefix,
        hubPublishUrl: config.hubPublishUrl!,
        publisherKey: config.publisherKey,
        publisherAlg: config.publisherAlg,
        topics,
        topicBase: config.topicBase,
        logger: engineLogger,
        masks,
      });
      closers.push(local.close);
      engine = local.engine;
      store = local.engine.store;
    }
  }
  const directory =
    options.directory ??
    (redis === undefined ? new MemoryBidderDirectory() : new RedisBidderDirectory(redis, config.redisPrefix));
  const subscriberKey = await importSigningKey(config.subscriberKey, config.subscriberAlg);
  // Bundled while the rest starts; a page request waits for it. A failed bundle is logged, and the pages answer 500.
  const clients = options.clients === false ? undefined : loadClients();
  clients?.catch((err: unknown) => logger.error({ err }, 'could not bundle the browser clients'));

  // The hub URL is only known once the port is: bind first, then build the app.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  const hubUrl = config.mode === 'embedded' ? `${url}${MERCURE_PATH}` : config.hubUrl!;
  if (config.demo && config.demoAllowRemote)
    logger.warn(
      { host: config.host, port },
      'the passwordless demo sign-in answers other machines (GAVEL_DEMO_ALLOW_REMOTE=true): anyone who reaches this gateway can sign in as a demo bidder or the auctioneer',
    );
  const app = createGatewayApp({
    engine,
    tokens,
    masks,
    topics,
    logger: logger.child({ component: 'gateway' }),
    hub: {
      url: hubUrl,
      subscriberKey,
      subscriberAlg: config.subscriberAlg,
      tokenTtlSeconds: config.hubTokenTtlSeconds,
      cookie: config.mode === 'embedded',
    },
    bidLimiter: createLimiter({
      perSecond: config.ratePerSecond,
      burst: config.rateBurst,
      redis,
      prefix: `${config.redisPrefix}:rl`,
    }),
    catalogue:
      options.catalogue ??
      (config.orchestratorUrl !== undefined
        ? new HttpCatalogue(config.orchestratorUrl)
        : config.demo
          ? demoCatalogue()
          : emptyCatalogue),
    demoUsers: config.demo ? DEMO_USERS : undefined,
    demoAllowRemote: config.demoAllowRemote,
    clients,
    directory,
    messaging: {
      twilioAuthToken: config.twilioAuthToken,
      publicUrl: config.messagingPublicUrl,
      whatsapp: config.whatsapp,
      confirm: {
        thresholds: config.smsConfirmAbove ?? CONFIRM_EVERY_BID,
        windowMs: config.smsConfirmWindowMs,
        // On Redis when there is one, so a code sent through one gateway is taken by any.
        store:
          redis === undefined
            ? new MemoryBidConfirmations({ windowMs: config.smsConfirmWindowMs })
            : new RedisBidConfirmations(redis, config.redisPrefix, { windowMs: config.smsConfirmWindowMs }),
      },
    },
  });
  const listener = getRequestListener(app.fetch);
  server.on('request', (req, res) => {
    if (hub?.handle(req, res) === true) return;
    void listener(req, res);
  });
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;

  return {
    url,
    hubUrl,
    app,
    engine,
    store,
    tokens,
    hub,
    directory,
    server,
    config,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await engine
        .drain()
        .catch((err: unknown) => logger.warn({ err }, 'could not drain the bidding engine before shutdown'));
      for (const c of closers.reverse()) await c();
      server.closeAllConnections();
      await closed;
    },
  };
}
