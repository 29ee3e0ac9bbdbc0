/** The orchestrator's configuration (from the environment, checked by zod) and what a caller may pass in. */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { UserTokens } from '../../common/auth.ts';
import { type BidderDirectory } from '../../common/directory.ts';
import {
  envBool,
  envInt,
  envSecret,
  jwtAlgEnv,
  loadEnv,
  MIN_SECRET_BYTES,
  sharedEnv,
} from '../../common/config.ts';
import { type HubPublisher } from '../../common/hub-publisher.ts';
import { type Logger, type LogLevel } from '../../common/logger.ts';
import { type JwtAlg } from '../../common/mercure.ts';
import { kycConfigFromEnv, type KycConfig } from '../kyc/index.ts';
import { type Database } from '../ledger/db.ts';
import { type DecisionSource } from '../ledger/decision-source.ts';
import { type LifecycleEngine } from '../lifecycle/lifecycle.ts';
import { type CancellationEngine } from '../ledger/cancellation.ts';
import { type RecoveryEngine } from '../lifecycle/recovery.ts';
import { type NotificationChannel } from '../notify/outbox.ts';
import type { Sender } from '../notify/senders.ts';
import { notifyConfigFromEnv, type NotifyConfig } from '../notify/config.ts';
import { accountsConfigFromEnv, type AccountsConfig } from '../accounts/config.ts';
import { mediaConfigFromEnv, type MediaConfig } from '../media/config.ts';
import type { MediaStore } from '../media/store.ts';
import {
  backupKeepEnv,
  backupMaxAgeEnv,
  backupS3FromEnv,
  backupScheduleEnv,
  backupToEnv,
  type BackupScheduleConfig,
} from '../backup/config.ts';

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
  /** The accounts API for gateways in other processes (`/accounts/v1`, docs/accounts.md); no token = not served. */
  accounts?: AccountsConfig;
  /** `PUBLIC_ORIGIN`: where invitation links point (docs/invite-only.md); unset = no invitations. */
  publicOrigin?: string | undefined;
  /** Lot images: local disk (unset: a temporary folder) or S3, and the upload limits (docs/media.md). */
  media?: MediaConfig;
  /** Scheduled backups (`BACKUP_*`, docs/operations.md); unset = none. Only on PostgreSQL. */
  backup?: BackupScheduleConfig | undefined;
}

export const DEFAULT_DATA_DIR = '.data/pglite';

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
  ...sharedEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: envInt(3003, 0, 65535),
  DATABASE_URL: databaseUrl,
  GAVEL_DATA_DIR: dataDir,
  REDIS_URL: z
    .string({ error: 'REDIS_URL is required (the decision streams the ledger is written from)' })
    .regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL'),
  LEDGER_POLL_MS: envInt(200, 1, 60_000),
  GATEWAY_JWT_KEY: envSecret(),
  ADMIN_JWT_KEY: envSecret(),
  GAVEL_MASK_KEY: envSecret().refine((v) => v !== undefined, {
    message: 'GAVEL_MASK_KEY is required (the bidder-mask key, the same as the engine and the gateways)',
  }),
  HUB_URL: optional,
  HUB_PUBLISH_URL: optional,
  MERCURE_PUBLISHER_JWT_KEY: envSecret(MIN_SECRET_BYTES, { pem: true }),
  MERCURE_PUBLISHER_JWT_ALG: jwtAlgEnv,
  LIFECYCLE_TICK_MS: envInt(250, 10, 60_000),
  RECONCILE_MS: envInt(60_000, 1_000, 3_600_000),
  PUBLIC_ORIGIN: optional.refine((v) => v === undefined || /^https?:\/\/[^/\s]+\/?$/.test(v), {
    message: 'PUBLIC_ORIGIN is an http(s) origin like https://bids.example.com',
  }),
  BACKUP_SCHEDULE: backupScheduleEnv,
  BACKUP_TO: backupToEnv,
  BACKUP_KEEP: backupKeepEnv,
  BACKUP_MAX_AGE: backupMaxAgeEnv,
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
    accounts: accountsConfigFromEnv(env),
    publicOrigin: e.PUBLIC_ORIGIN === undefined ? undefined : new URL(e.PUBLIC_ORIGIN).origin,
    media: mediaConfigFromEnv(env, e.DATABASE_URL === undefined ? e.GAVEL_DATA_DIR : undefined),
    backup:
      e.BACKUP_SCHEDULE === undefined
        ? undefined
        : {
            schedule: e.BACKUP_SCHEDULE,
            to: e.BACKUP_TO,
            keep: e.BACKUP_KEEP,
            maxAgeMs: e.BACKUP_MAX_AGE,
            s3: backupS3FromEnv(env),
          },
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
  /** Lot images (`MEDIA_*`; default: local disk in `media/` beside the PGlite folder, `.data/media`). */
  media: MediaConfig;
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
    media: mediaConfigFromEnv(env, e.GAVEL_DATA_DIR),
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
  /** Without SMTP: where email goes instead — bidders' notices, invitations (the embedded default's local outbox, /dev/mail). */
  devMail?: Sender;
  /** Verifies admin-API tokens (audience "admin"); unset = from `adminJwtKey` or `userJwtKey`. */
  tokens?: UserTokens;
  /** Extra routes on the orchestrator's HTTP server (e.g. `/kyc` for the vendor's webhook). */
  routes?: (app: Hono) => void;
  /** Where bidders' phone numbers are published for the SMS/WhatsApp ingress (embedded: the gateway's); unset with REDIS_URL: on the engine's Redis. */
  directory?: BidderDirectory;
  /** Store lot images here instead of the store `config.media` names (the caller closes it). */
  media?: MediaStore;
}
