import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import { BidderMasks, RedisBiddingStore } from '../../bidding/index.ts';
import { isHubStreamUrl, RedisStreamPublisher } from '../../hub/index.ts';
import { UserTokens } from '../../common/auth.ts';
import { RedisBidderDirectory, type BidderDirectory } from '../../common/directory.ts';
import { ConfigError, envBool, envInt, envSecret, loadEnv } from '../../common/config.ts';
import { errorBody } from '../../common/errors.ts';
import { HttpHubPublisher, type HubPublisher } from '../../common/hub-publisher.ts';
import { createLogger, type Logger, type LogLevel } from '../../common/logger.ts';
import { createRedis, redisMetrics } from '../../common/redis.ts';
import { importSigningKey, JWT_ALGS, mintMercureToken, type JwtAlg } from '../../common/mercure.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import { adminApi } from '../admin/api.ts';
import { catalogueApi } from '../catalogue/api.ts';
import {
  kycConfigFromEnv,
  kycRoutes,
  kycServiceFromConfig,
  type KycConfig,
  type KycService,
} from '../kyc/index.ts';
import { openDatabase, quoteIdent, type Database } from '../ledger/db.ts';
import { RedisDecisionSource, type DecisionSource } from '../ledger/decision-source.ts';
import { EngineSync } from '../lifecycle/engine-sync.ts';
import { LedgerWriter } from '../ledger/ledger-writer.ts';
import { Lifecycle, type LifecycleEngine } from '../lifecycle/lifecycle.ts';
import { migrate } from '../ledger/migrate.ts';
import { Poller } from './poller.ts';
import { BidCancellation, type CancellationEngine } from '../ledger/cancellation.ts';
import { Recovery, type RecoveryEngine } from '../lifecycle/recovery.ts';
import { HubChannel, OutboxDispatcher, type NotificationChannel } from '../notify/outbox.ts';
import { notifyChannels, notifyConfigFromEnv, type NotifyConfig } from '../notify/config.ts';
import { receiptRoutes } from '../notify/receipts.ts';

export interface OrchestratorConfig {
  host: string;
  /** HTTP port for `/healthz` and `/metrics`; undefined = no HTTP server (embedded in `npm start`). */
  port: number | undefined;
  /** PostgreSQL; unset = PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** PGlite data folder (created if missing); unset with no `databaseUrl` = PGlite in memory. */
  dataDir: string | undefined;
  /** Where the decision streams are; unset = the caller passes a `source` (embedded). */
  redisUrl: string | undefined;
  redisPrefix: string;
  /** Pause between ledger passes that found nothing to do. */
  ledgerPollMs: number;
  logLevel: LogLevel;
  /** The gateway's user-token key: admin tokens are signed with it unless `adminJwtKey` is set. */
  userJwtKey?: string | undefined;
  /**
   * The key of the public bidder masks (`GAVEL_MASK_KEY`, the engine's and the gateways'), for the
   * room's announcement of a cancelled bid; unset = a random one (the embedded tests).
   */
  maskKey?: string | undefined;
  /** The key admin-API tokens are signed with (`ADMIN_JWT_KEY`); unset = `userJwtKey`; both unset = the admin API answers 503. */
  adminJwtKey?: string | undefined;
  /** Where notifications are published; unset = they wait in the outbox. */
  hubPublishUrl?: string | undefined;
  publisherKey?: string | undefined;
  publisherAlg?: JwtAlg;
  topicBase?: string;
  /** Pause between lifecycle ticks (open, extend, closing soon, close, finalise). */
  lifecycleTickMs?: number;
  /** How often the engine is re-synced from PostgreSQL (set-up and eligibility). */
  reconcileMs?: number;
  /** The KYC vendor; disabled = no checks, no webhook. */
  kyc?: KycConfig;
  /** Bidders' own notifications by SMS, WhatsApp and email; none configured = the hub only. */
  notify?: NotifyConfig;
}

export const DEFAULT_DATA_DIR = '.data/pglite';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const databaseUrl = optional.refine((v) => v === undefined || /^postgres(ql)?:\/\/\S+$/.test(v), {
  message: 'expected a postgres:// or postgresql:// URL (unset: embedded PGlite in GAVEL_DATA_DIR)',
});
const dataDir = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? DEFAULT_DATA_DIR : v.trim()));

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: envInt(3003, 0, 65535),
  DATABASE_URL: databaseUrl,
  GAVEL_DATA_DIR: dataDir,
  REDIS_URL: z
    .string({ error: 'REDIS_URL is required (the decision streams the ledger is written from)' })
    .regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default('gavel'),
  LEDGER_POLL_MS: envInt(200, 1, 60_000),
  LOG_LEVEL: logLevel,
  GATEWAY_JWT_KEY: envSecret(),
  ADMIN_JWT_KEY: envSecret(),
  GAVEL_MASK_KEY: envSecret().refine((v) => v !== undefined, {
    message: 'GAVEL_MASK_KEY is required (the bidder-mask key, the same as the engine and the gateways)',
  }),
  HUB_URL: optional,
  HUB_PUBLISH_URL: optional,
  MERCURE_PUBLISHER_JWT_KEY: optional,
  MERCURE_PUBLISHER_JWT_ALG: z.enum(JWT_ALGS as [JwtAlg, ...JwtAlg[]]).default('HS256'),
  GAVEL_TOPIC_BASE: z.string().url().default('https://gavel.local'),
  LIFECYCLE_TICK_MS: envInt(250, 10, 60_000),
  RECONCILE_MS: envInt(60_000, 1_000, 3_600_000),
});

/** `npm run orchestrator`: the back office as its own process, on PostgreSQL and the engine's Redis. */
export function orchestratorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const e = loadEnv(schema, env);
  return {
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATABASE_URL === undefined ? e.GAVEL_DATA_DIR : undefined,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    ledgerPollMs: e.LEDGER_POLL_MS,
    logLevel: e.LOG_LEVEL,
    userJwtKey: e.GATEWAY_JWT_KEY,
    adminJwtKey: e.ADMIN_JWT_KEY,
    maskKey: e.GAVEL_MASK_KEY,
    hubPublishUrl: e.HUB_PUBLISH_URL ?? e.HUB_URL,
    publisherKey: e.MERCURE_PUBLISHER_JWT_KEY,
    publisherAlg: e.MERCURE_PUBLISHER_JWT_ALG,
    topicBase: e.GAVEL_TOPIC_BASE,
    lifecycleTickMs: e.LIFECYCLE_TICK_MS,
    reconcileMs: e.RECONCILE_MS,
    kyc: kycConfigFromEnv(env),
    notify: notifyConfigFromEnv(env),
  };
}

export interface EmbeddedLedgerConfig {
  enabled: boolean;
  dataDir: string;
  ledgerPollMs: number;
  /** The back office's HTTP port (admin API, /healthz, /metrics) in the embedded process; 0 = any free port. */
  adminPort: number;
  lifecycleTickMs: number;
  /** `ADMIN_JWT_KEY`: a key of its own for admin-API tokens; unset = the gateway's user-token key. */
  adminJwtKey: string | undefined;
}

const embeddedSchema = z.object({
  GAVEL_LEDGER: envBool(true),
  GAVEL_DATA_DIR: dataDir,
  LEDGER_POLL_MS: envInt(200, 1, 60_000),
  GAVEL_ADMIN_PORT: envInt(3001, 0, 65535),
  LIFECYCLE_TICK_MS: envInt(250, 10, 60_000),
  ADMIN_JWT_KEY: envSecret(),
});

/** `npm start` (embedded): the back office on PGlite over the in-process store, unless `GAVEL_LEDGER=false`. */
export function embeddedLedgerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmbeddedLedgerConfig {
  const e = loadEnv(embeddedSchema, env);
  return {
    enabled: e.GAVEL_LEDGER,
    dataDir: e.GAVEL_DATA_DIR,
    ledgerPollMs: e.LEDGER_POLL_MS,
    adminPort: e.GAVEL_ADMIN_PORT,
    lifecycleTickMs: e.LIFECYCLE_TICK_MS,
    adminJwtKey: e.ADMIN_JWT_KEY,
  };
}

export interface OrchestratorDeps {
  /** Use this database instead of opening one from the config (the caller closes it). */
  db?: Database;
  /** Read decisions from here instead of Redis (the embedded in-process store). */
  source?: DecisionSource;
  /**
   * Empty every table after migrating. For the embedded mode only: its in-process engine starts empty
   * on every run (auction ids and `seq` start over), so the back office starts over too, with the demo.
   */
  resetLedger?: boolean;
  logger?: Logger;
  /** How often the lag is logged (info when non-zero, debug otherwise). Default 30 s. */
  lagLogMs?: number;
  /**
   * The engine's state for the back office (set-up, eligibility, status, snapshots). Embedded: the
   * in-process store. Unset with REDIS_URL: a RedisBiddingStore on the engine's Redis. Unset with
   * an in-process `source` and no Redis: ledger only, no back office.
   */
  engine?: LifecycleEngine & RecoveryEngine & CancellationEngine;
  /** Publishes notifications (embedded: the in-process hub); unset = over HTTP to `hubPublishUrl`. */
  publisher?: HubPublisher;
  /** More notification channels (SMS, WhatsApp, email) after the hub. */
  channels?: NotificationChannel[];
  /** Verifies admin-API tokens (audience "admin"); unset = from `adminJwtKey` or `userJwtKey`. */
  tokens?: UserTokens;
  /** Extra routes on the orchestrator's HTTP server (e.g. `/kyc` for the vendor's webhook). */
  routes?: (app: Hono) => void;
  /** Where bidders' phone numbers are published for the SMS/WhatsApp ingress (embedded: the gateway's); unset with REDIS_URL: on the engine's Redis. */
  directory?: BidderDirectory;
}

export interface RunningOrchestrator {
  /** `http://host:port` of `/healthz` and `/metrics`; undefined without an HTTP server. */
  url: string | undefined;
  db: Database;
  writer: LedgerWriter;
  /** The back office (undefined when running as ledger only). */
  backOffice:
    | {
        sync: EngineSync;
        lifecycle: Lifecycle;
        outbox: OutboxDispatcher | undefined;
        recovery: Recovery;
        cancellation: BidCancellation;
        kyc: KycService | undefined;
      }
    | undefined;
  /** Where the ledger is, for people: `PGlite in <folder>`, `PGlite in memory` or `PostgreSQL at <host>`. */
  where: string;
  /** Stops the writer (after one last pass), the HTTP server, then closes what it opened. */
  close(): Promise<void>;
}

/** Runs the migrations, then the ledger writer loop; serves `/healthz` and `/metrics` when `config.port` is set. */
export async function startOrchestrator(
  config: OrchestratorConfig,
  deps: OrchestratorDeps = {},
): Promise<RunningOrchestrator> {
  const logger = deps.logger ?? createLogger('orchestrator', config.logLevel);
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) {
      await Promise.resolve(c()).catch((err: unknown) => logger.warn({ err }, 'orchestrator: close failed'));
    }
  };
  try {
    let source = deps.source;
    let engine = deps.engine;
    let directory = deps.directory;
    if (source === undefined) {
      if (config.redisUrl === undefined) {
        throw new ConfigError('The orchestrator needs REDIS_URL (or an in-process decision source)');
      }
      const redis = createRedis(
        config.redisUrl,
        { maxRetriesPerRequest: 2, lazyConnect: true },
        { client: 'engine', logger },
      );
      closers.push(() => redis.disconnect());
      await redis.connect();
      source = new RedisDecisionSource({ redis, prefix: config.redisPrefix });
      // The back office writes set-up and eligibility into the engine's Redis, through the engine's own scripts.
      engine ??= new RedisBiddingStore({ redis, prefix: config.redisPrefix });
      directory ??= new RedisBidderDirectory(redis, config.redisPrefix);
    }

    let db = deps.db;
    let where: string;
    if (db === undefined) {
      const dataDir = config.dataDir === undefined ? undefined : resolvePath(config.dataDir);
      if (config.databaseUrl === undefined && dataDir !== undefined)
        await mkdir(dataDir, { recursive: true });
      db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir });
      const opened = db;
      closers.push(() => opened.close());
      where =
        config.databaseUrl !== undefined
          ? `PostgreSQL at ${safeHost(config.databaseUrl)}`
          : dataDir !== undefined
            ? `PGlite in ${dataDir}`
            : 'PGlite in memory';
    } else where = db.kind === 'postgres' ? 'PostgreSQL' : 'PGlite';

    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    if (deps.resetLedger === true) {
      // Every table but the migrations' record: the embedded engine starts empty, so does its back office.
      const tables = await db.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
      );
      if (tables.length > 0)
        await db.exec(`TRUNCATE ${tables.map((t) => quoteIdent(t.tablename)).join(', ')} CASCADE`);
    }

    const writer = new LedgerWriter({
      db,
      source,
      pollIntervalMs: config.ledgerPollMs,
      logger: logger.child({ module: 'ledger-writer' }),
    });
    writer.start();
    closers.push(async () => {
      await writer.stop();
      // One last pass: what was decided up to now (the engine has drained) reaches the ledger.
      await writer.runOnce();
    });

    let lastLogged = -1;
    const lagTimer = setInterval(() => {
      const total = writer.lastMeasuredLag.total;
      // Info while behind and once when caught up again; debug while it stays at zero.
      logger[total > 0 || total !== lastLogged ? 'info' : 'debug']({ lag: total }, 'ledger lag');
      lastLogged = total;
    }, deps.lagLogMs ?? 30_000);
    lagTimer.unref();
    closers.push(() => clearInterval(lagTimer));

    let backOffice: RunningOrchestrator['backOffice'];
    const app = new Hono();
    if (engine !== undefined) {
      backOffice = await startBackOffice(config, { ...deps, directory }, db, engine, logger, closers);
      const adminKey = config.adminJwtKey ?? config.userJwtKey;
      const tokens =
        deps.tokens ??
        (adminKey === undefined ? undefined : new UserTokens({ key: adminKey, audience: 'admin' }));
      if (tokens !== undefined) {
        app.route(
          '/admin/v1',
          adminApi({
            db,
            engine,
            sync: backOffice.sync,
            tokens,
            topics: makeTopics(config.topicBase),
            logger: logger.child({ module: 'admin-api' }),
            kyc: backOffice.kyc,
            cancel: backOffice.cancellation,
          }),
        );
      } else {
        app.all('/admin/*', (c) =>
          c.json(
            errorBody(
              'ADMIN_DISABLED',
              'the admin API needs ADMIN_JWT_KEY or GATEWAY_JWT_KEY (the key admin tokens are signed with)',
            ),
            503,
          ),
        );
      }
    }
    // The public catalogue the gateway serves to the clients (titles, estimates, images; never the reserve).
    app.route('/catalogue/v1', catalogueApi(db));
    // The KYC vendor posts its results here (the signature is the authentication).
    if (backOffice?.kyc !== undefined) app.route('/kyc', kycRoutes(backOffice.kyc, { logger }));
    // Twilio posts the delivery receipts of the SMS and WhatsApp messages it took here.
    if (config.notify?.twilio !== undefined)
      app.route(
        '/notify',
        receiptRoutes({
          db,
          authToken: config.notify.twilio.authToken,
          publicUrl: config.notify.twilio.publicUrl,
          logger: logger.child({ module: 'notify' }),
        }),
      );
    deps.routes?.(app);

    let url: string | undefined;
    if (config.port !== undefined) {
      const server = await listen(config, db, writer, app, backOffice?.outbox);
      const { port } = server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      url = `http://${host}:${port}`;
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
    }
    // The writer stops before the HTTP server goes and the database closes (closers run in reverse).
    return { url, db, writer, backOffice, where, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function listen(
  config: OrchestratorConfig,
  db: Database,
  writer: LedgerWriter,
  app: Hono,
  outbox: OutboxDispatcher | undefined,
): Promise<Server> {
  // The Redis connection's health (gavel_redis_up, gavel_redis_outages_total) beside the back office's own.
  const registry = Registry.merge([redisMetrics]);
  new Gauge({
    name: 'gavel_ledger_lag_entries',
    help: 'Decisions appended to the streams and not yet in the ledger, as of the latest pass',
    registers: [registry],
    collect() {
      this.set(writer.lastMeasuredLag.total);
    },
  });
  if (outbox !== undefined) {
    new Gauge({
      name: 'gavel_outbox_pending',
      help: 'Notifications written and not yet delivered',
      registers: [registry],
      async collect() {
        this.set(await outbox.pending());
      },
    });
  }
  const root = new Hono();
  root.get('/healthz', async (c) => {
    try {
      await db.query('SELECT 1');
    } catch {
      return c.json({ status: 'database unavailable' }, 503);
    }
    return c.json({
      status: 'ok',
      lag: writer.lastMeasuredLag.total,
      ...(outbox === undefined ? {} : { outboxPending: await outbox.pending() }),
    });
  });
  root.get('/metrics', async (c) =>
    c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType }),
  );
  root.route('/', app);
  root.notFound((c) =>
    c.json(
      errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}: GET /healthz, /metrics, /admin/v1/…`),
      404,
    ),
  );
  const server = createServer(getRequestListener(root.fetch));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  return server;
}

/** Engine sync (with its periodic reconcile), the lifecycle clock and the outbox dispatcher. */
async function startBackOffice(
  config: OrchestratorConfig,
  deps: OrchestratorDeps,
  db: Database,
  engine: LifecycleEngine & RecoveryEngine & CancellationEngine,
  logger: Logger,
  closers: (() => Promise<void> | void)[],
): Promise<NonNullable<RunningOrchestrator['backOffice']>> {
  const topics = makeTopics(config.topicBase);
  const sync = new EngineSync(db, engine, logger.child({ module: 'engine-sync' }), deps.directory);
  const masks = new BidderMasks(config.maskKey ?? randomBytes(32).toString('hex'));
  const recovery = new Recovery({
    db,
    engine,
    sync,
    logger: logger.child({ module: 'recovery' }),
  });
  sync.restorer = (lot, sale) => recovery.recoverLot(lot, sale);
  // The engine may have lost state or missed writes while we were away: rebuild from the ledger first.
  await recovery.recoverMissing();
  await sync.reconcile();
  // Then again every reconcileMs, never two at once; closing waits for the one in flight.
  const reconcileMs = config.reconcileMs ?? 60_000;
  const reconciler = new Poller(
    async () => {
      await sync.reconcile();
      return reconcileMs;
    },
    (err: unknown) => logger.warn({ err }, 'reconcile failed'),
  );
  reconciler.start(reconcileMs, reconcileMs);
  closers.push(() => reconciler.stop());

  const lifecycle = new Lifecycle({
    db,
    engine,
    masks,
    sync,
    topics,
    logger: logger.child({ module: 'lifecycle' }),
    tickMs: config.lifecycleTickMs ?? 250,
  });
  lifecycle.start();
  closers.push(() => lifecycle.stop());

  let publisher = deps.publisher;
  if (publisher === undefined && config.hubPublishUrl !== undefined && isHubStreamUrl(config.hubPublishUrl)) {
    // Straight into the hubs' Redis stream: no HTTP hop and no publisher key.
    const stream = new RedisStreamPublisher({ url: config.hubPublishUrl, logger });
    closers.push(() => stream.close());
    publisher = stream;
  } else if (publisher === undefined && config.hubPublishUrl !== undefined) {
    if (config.publisherKey === undefined)
      throw new ConfigError('HUB_URL is set: MERCURE_PUBLISHER_JWT_KEY is needed to publish notifications');
    const alg = config.publisherAlg ?? 'HS256';
    const key = await importSigningKey(config.publisherKey, alg);
    // A service token for Gavel's own topics; it never leaves the back end.
    const token = await mintMercureToken(
      { publish: [`${(config.topicBase ?? 'https://gavel.local').replace(/\/+$/, '')}/{+path}`] },
      { key, alg, subject: 'gavel-orchestrator' },
    );
    const http = new HttpHubPublisher(config.hubPublishUrl, () => token);
    closers.push(() => http.close());
    publisher = http;
  }
  // The hub first (the room and the bidder's screens), then the bidder's SMS, WhatsApp and email.
  const contact = notifyChannels(config.notify ?? {}, { db, logger: logger.child({ module: 'notify' }) });
  closers.push(contact.close);
  const channels = [
    ...(publisher === undefined ? [] : [new HubChannel(publisher, topics.bidder(''))]),
    ...contact.channels,
    ...(deps.channels ?? []),
  ];
  if (publisher === undefined)
    logger.warn('no hub to publish to (HUB_URL unset): the screens are not notified');
  let outbox: OutboxDispatcher | undefined;
  if (channels.length > 0) {
    outbox = new OutboxDispatcher({ db, channels, logger: logger.child({ module: 'outbox' }) });
    outbox.start();
    const started = outbox;
    closers.push(() => started.stop());
  } else {
    logger.warn('no notification channel (hub, SMS, WhatsApp, email): notifications wait in the outbox');
  }
  // A KYC result changes what the bidder may bid from their next bid on.
  const kyc = kycServiceFromConfig(config.kyc ?? { enabled: false }, {
    db,
    logger: logger.child({ module: 'kyc' }),
    onKycChange: (bidderId) => sync.syncBidder(bidderId),
  });
  const cancellation = new BidCancellation({ db, engine, topics, masks });
  return { sync, lifecycle, outbox, recovery, cancellation, kyc };
}

/** `host:port/db` of a connection URL, without the credentials. */
function safeHost(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}
