import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Hono } from 'hono';
import { UserTokens } from '../common/auth.ts';
import { emptyCatalogue, HttpCatalogue, type Catalogue } from '../common/catalogue.ts';
import type { InvitationsPort } from '../common/invitations.ts';
import { RemoteInvitations } from './session/remote-invitations.ts';
import { MemoryBidderDirectory, RedisBidderDirectory, type BidderDirectory } from '../common/directory.ts';
import type { Logger } from '../common/logger.ts';
import { importSigningKey, MERCURE_PATH, mintMercureToken, type SigningKey } from '../common/mercure.ts';
import { createRedis } from '../common/redis.ts';
import { READINESS_TIMEOUT_MS, type ReadinessChecks } from '../common/health.ts';
import { topics as makeTopics, type Topics } from '../common/topics.ts';
import {
  BidderMasks,
  BiddingEngine,
  createRedisEngine,
  EngineMetrics,
  MemoryBiddingStore,
  RedisBiddingStore,
  RemoteBiddingService,
  type BiddingService,
  type BiddingStore,
} from '../bidding/index.ts';
import {
  createHubService,
  httpSubscriptions,
  hubDefaults,
  inProcessSubscriptions,
  isHubStreamUrl,
  localPublisher,
  streamSubscriptions,
  type HubConfig,
  type HubService,
  type HubSubscriptions,
} from '../hub/index.ts';
import { hubPublisherFor } from '../common/hub-publisher-for.ts';
import type { HubPublisher } from '../common/hub-publisher.ts';
import type { SaleRoomDeps } from './routes/floor-room.ts';
import { MemorySaleMessageStore, RedisSaleMessageStore } from './routes/floor-room-store.ts';
import { createGatewayApp } from './app.ts';
import type { AppEnv } from '../common/http-env.ts';
import type { GatewayConfig } from './config.ts';
import { demoCatalogue, DEMO_USERS } from './demo/seed.ts';
import { CONFIRM_EVERY_BID } from './messaging/confirm-policy.ts';
import { MemoryBidConfirmations, RedisBidConfirmations } from './messaging/confirmations.ts';
import { createLimiter } from './middleware/rate-limit.ts';
import type { ClientAssets } from './routes/clients.ts';
import { hubCookieFor } from './routes/hub-token.ts';
import type { AccountsPort, MailboxView } from '../common/accounts.ts';
import { createLinkLimiter } from './session/link-limit.ts';
import { RemoteAccounts } from './session/remote-accounts.ts';
import type { BidderSelfPort } from '../common/bidder-self.ts';
import { RemoteBidderSelf } from './me/remote.ts';
import { GatewayMetrics } from './metrics.ts';

/* The gateway's pieces by topology — engine, hub, shared stores — and the app built on them; no socket is opened here. */

export interface GatewayOptions {
  /** Where sale titles, lot numbers and estimates come from; default: the demo's when GAVEL_DEMO, else none. */
  catalogue?: Catalogue;
  /** Serve the browser clients (bundled in memory at start-up); default true. */
  clients?: boolean;
  /** Who phone numbers belong to; default: on Redis when distributed, in-process when embedded. */
  directory?: BidderDirectory;
  /** Embedded: settings of the mounted hub over its defaults (client limits, trusted proxies). */
  hub?: Partial<HubConfig>;
  /** Sign-in and sessions (gateway/session): the back office's accounts, the local outbox, admin tokens. */
  session?: GatewaySessionOptions;
}

export interface GatewaySessionOptions {
  /** In process (embedded; a promise when the back office starts after the gateway); default: over HTTP when ORCHESTRATOR_URL and ACCOUNTS_SERVICE_TOKEN are set. */
  accounts?: AccountsPort | Promise<AccountsPort | undefined>;
  /** The embedded default's local outbox, shown at /dev/mail with the demo. */
  mailbox?: MailboxView;
  /** Admin-API tokens a staff admin's session may be exchanged for. */
  adminTokens?: UserTokens;
  /** A bidder's own profile and registrations (gateway/me); default: over HTTP like `accounts`. */
  bidders?: BidderSelfPort | Promise<BidderSelfPort | undefined>;
  /** Invitations to invite-only sales (embedded: in process, like `accounts`); default: over HTTP like `accounts`. */
  invitations?: InvitationsPort | Promise<InvitationsPort | undefined>;
  /** The admin API's base (`…/admin/v1`) the /admin panel calls; with `adminTokens`, the panel is served. */
  adminApiUrl?: string | Promise<string | undefined>;
}

/** A configuration with its per-run keys filled in (embedded mode makes up what it was not given). */
export function withRunKeys(input: GatewayConfig): GatewayConfig {
  const config = { ...input };
  config.userJwtKey ??= randomBytes(32).toString('hex');
  // Embedded: a mask key for this run (the in-process engine and back office share it); distributed: required.
  config.maskKey ??= randomBytes(32).toString('hex');
  config.publisherKey ??= randomBytes(32).toString('hex');
  config.subscriberKey ??= config.publisherKey;
  config.hubPublishUrl ??= config.hubUrl;
  return config;
}

export interface GatewayBackends {
  engine: BiddingService;
  /** The engine's store when the engine runs in this process (seeding, tests); undefined with a remote engine. */
  store: BiddingStore | undefined;
  /** The in-process hub (embedded mode only). */
  hub: HubService | undefined;
  /** Distributed mode's Redis: rate limits, confirmation codes and the directory are shared through it. */
  redis: Redis | undefined;
  tokens: UserTokens;
  masks: BidderMasks;
  topics: Topics;
  /** The key hub subscriber tokens are signed with. */
  subscriberKey: SigningKey;
  /** Who phone numbers belong to (the embedded back office writes the same one). */
  directory: BidderDirectory;
  /** The floor console's room: a hub publisher, the hubs' subscriptions, the sales' messages. */
  room: SaleRoomDeps;
  /** This gateway's metrics, and the engine's when it runs in this process (the hub keeps its own). */
  metrics: { gateway: GatewayMetrics; engine: EngineMetrics | undefined };
  /** Stops what was started, newest first. */
  close(): Promise<void>;
}

/**
 * Starts the engine and the hub the topology asks for. Embedded: the Mercure hub and the engine's
 * state are in this process — nothing external. Distributed: the engine's state is in Redis (the
 * Lua decision) or in a separate engine process, updates go to an external hub over HTTP.
 * `config` must have its run keys (withRunKeys).
 */
export async function startBackends(
  config: GatewayConfig,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<GatewayBackends> {
  const topics = makeTopics(config.topicBase);
  const tokens = new UserTokens({ key: config.userJwtKey!, audience: 'api' });
  const masks = new BidderMasks(config.maskKey!);
  const closers: (() => Promise<void> | void)[] = [];

  let engine: BiddingService;
  let store: BiddingStore | undefined;
  let hub: HubService | undefined;
  let redis: Redis | undefined;
  const engineLogger = logger.child({ component: 'bidding' });
  let engineMetrics: EngineMetrics | undefined;
  if (config.mode === 'embedded') {
    hub = await createHubService(
      {
        ...hubDefaults,
        ...options.hub,
        publisherKey: config.publisherKey!,
        publisherAlg: config.publisherAlg,
        subscriberKey: config.subscriberKey!,
        subscriberAlg: config.subscriberAlg,
        anonymous: true,
        transportUrl: 'memory://',
        logLevel: config.logLevel,
      },
      logger.child({ component: 'hub' }),
    );
    closers.push(() => hub!.close());
    store = new MemoryBiddingStore();
    engineMetrics = new EngineMetrics();
    const embedded = new BiddingEngine({
      store,
      publisher: localPublisher(hub),
      topics,
      logger: engineLogger,
      masks,
      metrics: engineMetrics,
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
      engineMetrics = new EngineMetrics();
      const local = await createRedisEngine({
        redis,
        prefix: config.redisPrefix,
        hubPublishUrl: config.hubPublishUrl!,
        publisherKey: config.publisherKey!,
        publisherAlg: config.publisherAlg,
        topics,
        topicBase: config.topicBase,
        logger: engineLogger,
        masks,
        metrics: engineMetrics,
      });
      closers.push(local.close);
      engine = local.engine;
      store = local.engine.store;
    }
  }
  const directory =
    options.directory ??
    (redis === undefined ? new MemoryBidderDirectory() : new RedisBidderDirectory(redis, config.redisPrefix));
  const subscriberKey = await importSigningKey(config.subscriberKey!, config.subscriberAlg);
  const room = await roomBackends(config, logger, hub, redis, subscriberKey);
  closers.push(room.close);
  return {
    engine,
    store,
    hub,
    redis,
    tokens,
    masks,
    topics,
    subscriberKey,
    directory,
    room: room.deps,
    metrics: { gateway: new GatewayMetrics(), engine: engineMetrics },
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}

/**
 * What the floor console's room needs beyond the engine: a hub publisher (messages, missed-bid
 * warnings), the hubs' subscriptions (who is online) and where messages are kept. Embedded: the
 * in-process hub and memory. Distributed: HUB_PUBLISH_URL — the hubs' Redis stream (their registry
 * lists every instance's subscribers) or one hub over HTTP (its subscription API) — and Redis.
 */
async function roomBackends(
  config: GatewayConfig,
  logger: Logger,
  hub: HubService | undefined,
  redis: Redis | undefined,
  subscriberKey: SigningKey,
): Promise<{ deps: SaleRoomDeps; close: () => void }> {
  let publisher: HubPublisher & { close?: () => void };
  let subscriptions: HubSubscriptions;
  if (hub !== undefined) {
    publisher = localPublisher(hub);
    subscriptions = inProcessSubscriptions(hub);
  } else {
    const url = config.hubPublishUrl!;
    publisher = await hubPublisherFor({
      url,
      publisherKey: config.publisherKey,
      publisherAlg: config.publisherAlg,
      topicBase: config.topicBase,
      subject: 'gavel-gateway',
      logger: logger.child({ component: 'room-publisher' }),
      redis,
    });
    if (isHubStreamUrl(url)) subscriptions = streamSubscriptions(url, redis);
    else {
      const listPath = `${new URL(url).pathname.replace(/\/+$/, '')}/subscriptions`;
      subscriptions = httpSubscriptions(url, () =>
        mintMercureToken(
          { subscribe: [listPath] },
          { key: subscriberKey, alg: config.subscriberAlg, ttlSeconds: 60, subject: 'gavel-gateway' },
        ),
      );
    }
  }
  const messages =
    redis === undefined ? new MemorySaleMessageStore() : new RedisSaleMessageStore(redis, config.redisPrefix);
  return {
    deps: { publisher, subscriptions, messages },
    close: () => {
      publisher.close?.();
      subscriptions.close();
    },
  };
}

/**
 * What this gateway needs to serve: distributed, its Redis (rate limits, confirmations, directory,
 * and the engine's state when the engine runs here) and the engine process (its liveness: the
 * engine's own readiness is its own probe's); embedded, the hub it mounts.
 */
function gatewayReadiness(config: GatewayConfig, backends: GatewayBackends): ReadinessChecks {
  const checks: ReadinessChecks = {};
  const { redis, hub } = backends;
  if (redis !== undefined) checks.redis = () => redis.ping();
  const biddingUrl = config.biddingUrl;
  if (config.mode === 'distributed' && biddingUrl !== undefined)
    checks.engine = async () => {
      const res = await fetch(`${biddingUrl}/health/live`, {
        signal: AbortSignal.timeout(READINESS_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`the engine at ${biddingUrl} answers ${res.status}`);
    };
  if (hub !== undefined)
    for (const [name, check] of Object.entries(hub.readiness)) checks[`hub.${name}`] = check;
  return checks;
}

/** The gateway's app on started backends; `hubUrl` is the hub's public URL (known once the port is). */
export function assembleApp(
  config: GatewayConfig,
  backends: GatewayBackends,
  hubUrl: string,
  logger: Logger,
  parts: {
    catalogue?: Catalogue | undefined;
    clients?: Promise<ClientAssets> | undefined;
    session?: GatewaySessionOptions | undefined;
    /** The gateway's own URL: the public origin unless PUBLIC_ORIGIN says otherwise. */
    url?: string | undefined;
  } = {},
): Hono<AppEnv> {
  const { redis } = backends;
  const publicOrigin = config.publicOrigin ?? parts.url;
  // Admin tokens: handed in (embedded), or from ADMIN_JWT_KEY on a back-office gateway (distributed, opt-in).
  const adminTokens =
    parts.session?.adminTokens ??
    (config.adminJwtKey === undefined
      ? undefined
      : new UserTokens({ key: config.adminJwtKey, audience: 'admin' }));
  const accounts =
    parts.session?.accounts ??
    (config.orchestratorUrl !== undefined && config.accountsServiceToken !== undefined
      ? new RemoteAccounts(config.orchestratorUrl, config.accountsServiceToken)
      : undefined);
  return createGatewayApp({
    engine: backends.engine,
    readiness: gatewayReadiness(config, backends),
    tokens: backends.tokens,
    masks: backends.masks,
    topics: backends.topics,
    logger: logger.child({ component: 'gateway' }),
    hub: {
      url: hubUrl,
      subscriberKey: backends.subscriberKey,
      subscriberAlg: config.subscriberAlg,
      tokenTtlSeconds: config.hubTokenTtlSeconds,
      cookie: hubCookieFor(hubUrl, config.publicOrigin, config.mode === 'embedded'),
    },
    bidLimiter: createLimiter({
      perSecond: config.ratePerSecond,
      burst: config.rateBurst,
      redis,
      prefix: `${config.redisPrefix}:rl`,
    }),
    catalogue:
      parts.catalogue ??
      (config.orchestratorUrl !== undefined
        ? new HttpCatalogue(config.orchestratorUrl, undefined, config.accountsServiceToken)
        : config.demo
          ? demoCatalogue()
          : emptyCatalogue),
    demoUsers: config.demo ? DEMO_USERS : undefined,
    demoAllowRemote: config.demoAllowRemote,
    houseRates: config.houseRates,
    clients: parts.clients,
    // Sign-in needs the back office's accounts: none (distributed without ACCOUNTS_SERVICE_TOKEN) = no sign-in routes.
    session:
      publicOrigin === undefined || accounts === undefined
        ? undefined
        : {
            accounts,
            tokens: backends.tokens,
            adminTokens,
            publicOrigin,
            mailbox: config.demo ? parts.session?.mailbox : undefined,
            allowRemote: config.demoAllowRemote,
            linkLimiter: createLinkLimiter(redis, config.redisPrefix),
            invitations:
              parts.session?.invitations ??
              (config.orchestratorUrl !== undefined && config.accountsServiceToken !== undefined
                ? new RemoteInvitations(config.orchestratorUrl, config.accountsServiceToken)
                : undefined),
          },
    // The bidder's own pages (docs/bidders.md), on the same session and the same back office.
    me:
      publicOrigin === undefined || accounts === undefined
        ? undefined
        : {
            accounts,
            bidders:
              parts.session?.bidders ??
              (config.orchestratorUrl !== undefined && config.accountsServiceToken !== undefined
                ? new RemoteBidderSelf(config.orchestratorUrl, config.accountsServiceToken)
                : undefined),
            publicOrigin,
          },
    panel:
      publicOrigin === undefined || accounts === undefined || adminTokens === undefined
        ? undefined
        : {
            accounts,
            adminTokens,
            adminApiUrl:
              parts.session?.adminApiUrl ??
              (config.orchestratorUrl === undefined
                ? Promise.resolve(undefined)
                : `${config.orchestratorUrl}/admin/v1`),
            publicOrigin,
          },
    directory: backends.directory,
    room: backends.room,
    metrics: backends.metrics.gateway,
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
}

/** The embedded gateway without a socket: its app answers `app.request()` (handler tests, a host that brings its own server). */
export interface InProcessGateway extends GatewayBackends {
  app: Hono<AppEnv>;
  config: GatewayConfig;
  hubUrl: string;
}

/**
 * Builds the embedded gateway — the in-process engine on its memory store, the in-process hub —
 * and its app, without opening a socket. `hubUrl` is what the answers name as the hub.
 */
export async function createInProcessGateway(
  input: GatewayConfig,
  logger: Logger,
  options: Omit<GatewayOptions, 'clients'> & { hubUrl?: string } = {},
): Promise<InProcessGateway> {
  const config = withRunKeys({ ...input, mode: 'embedded' });
  const backends = await startBackends(config, logger, options);
  const hubUrl = options.hubUrl ?? `http://gateway.invalid${MERCURE_PATH}`;
  const app = assembleApp(config, backends, hubUrl, logger, {
    catalogue: options.catalogue,
    session: options.session,
  });
  return {
    ...backends,
    app,
    config,
    hubUrl,
    async close() {
      await backends.engine.drain();
      await backends.close();
    },
  };
}
