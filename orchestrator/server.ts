import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { Redis } from 'ioredis';
import { Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import { ConfigError, envBool, envInt, loadEnv } from '../common/config.ts';
import { createLogger, type Logger, type LogLevel } from '../common/logger.ts';
import { openDatabase, type Database } from './db.ts';
import { RedisDecisionSource, type DecisionSource } from './decision-source.ts';
import { LedgerWriter } from './ledger-writer.ts';
import { migrate } from './migrate.ts';

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
});

/** `npm run orchestrator`: the ledger writer as its own process, reading the decision streams on Redis. */
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
  };
}

export interface EmbeddedLedgerConfig {
  enabled: boolean;
  dataDir: string;
  ledgerPollMs: number;
}

const embeddedSchema = z.object({
  GAVEL_LEDGER: envBool(true),
  GAVEL_DATA_DIR: dataDir,
  LEDGER_POLL_MS: envInt(200, 1, 60_000),
});

/** `npm start` (embedded): the ledger writer on PGlite over the in-process store, unless `GAVEL_LEDGER=false`. */
export function embeddedLedgerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmbeddedLedgerConfig {
  const e = loadEnv(embeddedSchema, env);
  return { enabled: e.GAVEL_LEDGER, dataDir: e.GAVEL_DATA_DIR, ledgerPollMs: e.LEDGER_POLL_MS };
}

export interface OrchestratorDeps {
  /** Use this database instead of opening one from the config (the caller closes it). */
  db?: Database;
  /** Read decisions from here instead of Redis (the embedded in-process store). */
  source?: DecisionSource;
  /**
   * Empty the stream-derived tables (`bids`, `floor_actions`, `ledger_cursors`) after migrating. For the
   * embedded mode only: its in-process engine starts empty on every run, so auction ids and `seq` start
   * over and the previous run's rows would collide with the new ones.
   */
  resetLedger?: boolean;
  logger?: Logger;
  /** How often the lag is logged (info when non-zero, debug otherwise). Default 30 s. */
  lagLogMs?: number;
}

export interface RunningOrchestrator {
  /** `http://host:port` of `/healthz` and `/metrics`; undefined without an HTTP server. */
  url: string | undefined;
  db: Database;
  writer: LedgerWriter;
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
    if (source === undefined) {
      if (config.redisUrl === undefined) {
        throw new ConfigError('The orchestrator needs REDIS_URL (or an in-process decision source)');
      }
      const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
      closers.push(() => redis.disconnect());
      await redis.connect();
      source = new RedisDecisionSource({ redis, prefix: config.redisPrefix });
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
      await db.exec('TRUNCATE bids, floor_actions, ledger_cursors');
    }

    const writer = new LedgerWriter({
      db,
      source,
      pollIntervalMs: config.ledgerPollMs,
      logger: logger.child({ component: 'ledger-writer' }),
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

    let url: string | undefined;
    if (config.port !== undefined) {
      const server = await listen(config, db, writer);
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
    return { url, db, writer, where, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function listen(config: OrchestratorConfig, db: Database, writer: LedgerWriter): Promise<Server> {
  const registry = new Registry();
  new Gauge({
    name: 'gavel_ledger_lag_entries',
    help: 'Decisions appended to the streams and not yet in the ledger, as of the latest pass',
    registers: [registry],
    collect() {
      this.set(writer.lastMeasuredLag.total);
    },
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      db.query('SELECT 1').then(
        () => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok', lag: writer.lastMeasuredLag.total }));
        },
        () => {
          res.writeHead(503, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ status: 'database unavailable' }));
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'GET /healthz or /metrics' } }));
  });
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
