/** The back office's public surface: database and migrations, the ledger writer, the admin API, engine sync, lifecycle, outbox, recovery, the trade rules, and the process. */
export {
  openDatabase,
  pgliteDatabase,
  postgresDatabase,
  type Database,
  type PgliteOptions,
  type PostgresOptions,
  type Queryable,
  type Row,
} from './db.ts';
export {
  loadMigrations,
  migrate,
  MigrationError,
  MIGRATIONS_DIR,
  type Migration,
  type MigrationErrorCode,
} from './migrate.ts';
export {
  MemoryDecisionSource,
  RedisDecisionSource,
  type DecisionSource,
  type RedisDecisionSourceOptions,
} from './decision-source.ts';
export { LedgerWriter, type LedgerLag, type LedgerPass, type LedgerWriterOptions } from './ledger-writer.ts';
export { readLedgerHistory, type LedgerHistory } from './ledger-writer.ts';
export { adminApi, type AdminApiDeps, type KycStarter } from './admin/api.ts';
export { EngineSync, type EnginePort, type BidderEligibility } from './engine-sync.ts';
export { Lifecycle, type LifecycleEngine, type LifecycleOptions, type TickReport } from './lifecycle.ts';
export { HubChannel, OutboxDispatcher, type Notification, type NotificationChannel } from './outbox.ts';
export { Recovery, type RecoveryEngine, type RecoveryReport } from './recovery.ts';
export {
  buyersPremium,
  eligibility,
  invoiceFor,
  limitChangeError,
  nextPaddle,
  type Eligibility,
  type Invoice,
  type PremiumBand,
} from './rules/trade.ts';
export {
  embeddedLedgerConfigFromEnv,
  orchestratorConfigFromEnv,
  startOrchestrator,
  type OrchestratorConfig,
  type OrchestratorDeps,
  type RunningOrchestrator,
} from './server.ts';
export { seedBackOffice, type SeedBidder, type SeedLot, type SeedSale } from './seed.ts';
export { notifyConfigFromEnv, type NotifyConfig } from './notify/config.ts';
