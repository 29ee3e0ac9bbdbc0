import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { Gauge, Registry } from 'prom-client';
import { RedisBiddingStore } from '../../bidding/back-office.ts';
import { UserTokens } from '../../common/auth.ts';
import { RedisBidderDirectory } from '../../common/directory.ts';
import { ConfigError } from '../../common/config.ts';
import { AppError } from '../../common/errors.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { healthRoutes, type ReadinessChecks } from '../../common/health.ts';
import { serverUrl } from '../../common/listen-url.ts';
import { createLogger, type Logger } from '../../common/logger.ts';
import { createRedis, redisMetrics } from '../../common/redis.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import { accountsRoutes, startAccounts } from '../accounts/index.ts';
import { adminApi } from '../admin/api.ts';
import { BidderSelfService, bidderSelfRoutes } from '../bidders-self/index.ts';
import { catalogueApi } from '../catalogue/api.ts';
import { InvitationService } from '../catalogue/invitations.ts';
import { invitationsRoutes } from '../catalogue/routes.ts';
import { EmailSender, type Sender } from '../notify/senders.ts';
import { kycRoutes } from '../kyc/index.ts';
import { openDatabase, quoteIdent, type Database } from '../ledger/db.ts';
import { RedisDecisionSource } from '../ledger/decision-source.ts';
import { LedgerWriter } from '../ledger/ledger-writer.ts';
import { pushFollowUps } from '../notify/push/follow-ups.ts';
import { pushSubscribing } from '../notify/config.ts';
import { migrate } from '../ledger/migrate.ts';
import { DEFAULT_MEDIA_LIMITS, openMediaStore } from '../media/config.ts';
import { mediaRoutes } from '../media/routes.ts';
import type { MediaStore } from '../media/store.ts';
import type { OutboxDispatcher } from '../notify/outbox.ts';
import { receiptRoutes } from '../notify/receipts.ts';
import { BackupScheduler, canSchedule } from '../backup/scheduler.ts';
import { startBackOffice, type BackOffice } from './back-office.ts';
import { BackOfficeMetrics } from './metrics.ts';
import { Poller } from './poller.ts';
import { type OrchestratorConfig, type OrchestratorDeps } from './config.ts';

export interface RunningOrchestrator {
  /** `http://host:port` of `/healthz` and `/metrics`; undefined without an HTTP server. */
  url: string | undefined;
  db: Database;
  writer: LedgerWriter;
  /** The back office (undefined when running as ledger only). */
  backOffice: BackOffice | undefined;
  /** Invitations to invite-only sales (with the back office). */
  invitations: InvitationService | undefined;
  /** Where lot images are stored (what `/media/v1/…` and the admin API's image routes use). */
  media: MediaStore;
  /** The backup schedule (`BACKUP_SCHEDULE` on PostgreSQL); undefined without one. */
  backups: BackupScheduler | undefined;
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
  // What /health/ready checks: the engine's Redis (decisions in, set-ups out) and the database.
  const readiness: ReadinessChecks = {};
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
      readiness.redis = () => redis.ping();
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

    // Scheduled backups need pg_dump, so PostgreSQL; several orchestrators agree through an advisory lock.
    let backups: BackupScheduler | undefined;
    if (config.backup !== undefined) {
      if (canSchedule(config.databaseUrl)) {
        const scheduler = new BackupScheduler({
          config: config.backup,
          databaseUrl: config.databaseUrl,
          logger: logger.child({ module: 'backup' }),
          ...(config.backup.startDelayMs === undefined ? {} : { startDelayMs: config.backup.startDelayMs }),
        });
        scheduler.start();
        closers.push(() => scheduler.stop());
        backups = scheduler;
      } else
        logger.warn(
          'backups: BACKUP_SCHEDULE ignored: the ledger is PGlite (no DATABASE_URL) and pg_dump needs PostgreSQL',
        );
    }

    const writer = new LedgerWriter({
      db,
      source,
      pollIntervalMs: config.ledgerPollMs,
      logger: logger.child({ module: 'ledger-writer' }),
      // Web Push on: the outbid and coming-up pushes are queued with the decisions that cause them.
      afterBatch: config.notify?.push === undefined ? undefined : pushFollowUps(makeTopics(config.topicBase)),
    });
    writer.start();
    closers.push(async () => {
      await writer.stop();
      // One last pass: what was decided up to now (the engine has drained) reaches the ledger.
      await writer.runOnce();
    });

    let lastLogged = -1;
    const lagLogMs = deps.lagLogMs ?? 30_000;
    const lagLog = new Poller(
      () => {
        const total = writer.lastMeasuredLag.total;
        // Info while behind and once when caught up again; debug while it stays at zero.
        logger[total > 0 || total !== lastLogged ? 'info' : 'debug']({ lag: total }, 'ledger lag');
        lastLogged = total;
        return Promise.resolve(lagLogMs);
      },
      (err) => logger.warn({ err }, 'ledger lag log failed'),
    );
    lagLog.start(lagLogMs, lagLogMs);
    closers.push(() => lagLog.stop());

    let media = deps.media;
    if (media === undefined) {
      const opened = await openMediaStore(config.media?.store ?? { kind: 'local', dir: undefined });
      closers.push(() => opened.close());
      media = opened;
    }
    logger.info({ where: media.where }, 'lot images');

    // The clock's lateness, the finaliser's delay and the messages sent (served on /metrics).
    const metrics = new BackOfficeMetrics();
    let backOffice: RunningOrchestrator['backOffice'];
    let invitations: InvitationService | undefined;
    const app = new Hono();
    app.onError(errorHandler(logger));
    if (engine !== undefined) {
      // Invitation emails: SMTP when configured, else the embedded default's local outbox.
      let mail: Sender | undefined = deps.devMail;
      if (config.notify?.email !== undefined) {
        const smtp = new EmailSender(config.notify.email);
        closers.push(() => smtp.close());
        mail = smtp;
      }
      invitations = new InvitationService({
        db,
        mail,
        publicOrigin: config.publicOrigin,
        logger: logger.child({ module: 'invitations' }),
      });
      backOffice = await startBackOffice(
        config,
        { ...deps, directory },
        db,
        engine,
        logger,
        closers,
        metrics,
      );
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
            invitations,
            media: { store: media, limits: config.media ?? DEFAULT_MEDIA_LIMITS },
          }),
        );
      } else {
        app.all('/admin/*', () => {
          throw new AppError(
            'ADMIN_DISABLED',
            'the admin API needs ADMIN_JWT_KEY or GATEWAY_JWT_KEY (the key admin tokens are signed with)',
          );
        });
      }
    }
    // The public catalogue the gateway serves to the clients (titles, estimates, images; never the reserve).
    const accountsToken = config.accounts?.serviceToken;
    app.route(
      '/catalogue/v1',
      catalogueApi(db, logger.child({ module: 'catalogue' }), { serviceToken: accountsToken, media }),
    );
    // Its lot images, which the gateways serve at /media/… (docs/media.md).
    app.route('/media', mediaRoutes(media, logger.child({ module: 'media' })));
    // The KYC vendor posts its results here (the signature is the authentication).
    if (backOffice?.kyc !== undefined) app.route('/kyc', kycRoutes(backOffice.kyc, { logger }));
    // The gateways' sign-in and sessions, when they share ACCOUNTS_SERVICE_TOKEN (docs/accounts.md).
    if (accountsToken !== undefined) {
      // The invitation landing page of gateways in other processes (docs/invite-only.md).
      if (invitations !== undefined)
        app.route('/invitations/v1', invitationsRoutes(invitations, accountsToken));
      const signIn = startAccounts(db, {
        notify: config.notify,
        logger: logger.child({ module: 'accounts' }),
        totpKey: config.accounts?.totpKey,
      });
      closers.push(signIn.close);
      app.route('/accounts/v1', accountsRoutes(signIn.accounts, accountsToken));
      // A signed-in bidder's profile, registrations and KYC (docs/bidders.md), for the same gateways.
      if (backOffice !== undefined) {
        const self = new BidderSelfService({
          db,
          sync: backOffice.sync,
          kyc: backOffice.kyc,
          push: pushSubscribing(config),
        });
        app.route('/bidders-self/v1', bidderSelfRoutes(self, accountsToken));
      }
    }
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
      readiness.database = () => db.query('SELECT 1');
      const server = await listen(
        config,
        logger,
        db,
        writer,
        app,
        backOffice?.outbox,
        [metrics.registry, ...(backups === undefined ? [] : [backups.registry])],
        readiness,
      );
      url = serverUrl(server, config.host);
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
    }
    // The writer stops before the HTTP server goes and the database closes (closers run in reverse).
    return { url, db, writer, backOffice, invitations, media, backups, where, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function listen(
  config: OrchestratorConfig,
  logger: Logger,
  db: Database,
  writer: LedgerWriter,
  app: Hono,
  outbox: OutboxDispatcher | undefined,
  more: Registry[],
  readiness: ReadinessChecks,
): Promise<Server> {
  // The Redis connection's health (gavel_redis_up, gavel_redis_outages_total) beside the back office's
  // own (gavel_lifecycle_*, gavel_finalisation_*, gavel_notifications_total) and the backup
  // schedule's (gavel_backup_*) when there is one.
  const registry = Registry.merge([redisMetrics, ...more]);
  new Gauge({
    name: 'gavel_ledger_lag_entries',
    help: 'Decisions appended to the streams and not yet in the ledger, as of the latest pass',
    registers: [registry],
    collect() {
      this.set(writer.lastMeasuredLag.total);
    },
  });
  new Gauge({
    name: 'gavel_ledger_entries_applied',
    help: 'Decisions the ledger writer has applied since the process started',
    registers: [registry],
    collect() {
      this.set(writer.applied);
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
  root.route('/', healthRoutes(readiness));
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
  const onError = errorHandler(logger);
  root.onError(onError);
  root.notFound((c) =>
    onError(
      new AppError(
        'NOT_FOUND',
        `no route ${c.req.method} ${c.req.path}: GET /health/live, /health/ready, /metrics, /admin/v1/…`,
      ),
      c,
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

/** `host:port/db` of a connection URL, without the credentials. */
function safeHost(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}
