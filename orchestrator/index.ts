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
} from './ledger/db.ts';
export {
  loadMigrations,
  migrate,
  MigrationError,
  MIGRATIONS_DIR,
  type Migration,
  type MigrationErrorCode,
} from './ledger/migrate.ts';
export {
  MemoryDecisionSource,
  RedisDecisionSource,
  type DecisionSource,
  type RedisDecisionSourceOptions,
} from './ledger/decision-source.ts';
export {
  LedgerWriter,
  type LedgerLag,
  type LedgerPass,
  type LedgerWriterOptions,
} from './ledger/ledger-writer.ts';
export { readLedgerHistory, type LedgerHistory } from './ledger/ledger-writer.ts';
export { adminApi, type AdminApiDeps, type KycStarter } from './admin/api.ts';
export { EngineSync, type EnginePort, type BidderEligibility } from './lifecycle/engine-sync.ts';
export {
  Lifecycle,
  type LifecycleEngine,
  type LifecycleOptions,
  type TickReport,
} from './lifecycle/lifecycle.ts';
export {
  HubChannel,
  OutboxDispatcher,
  type Notification,
  type NotificationChannel,
} from './notify/outbox.ts';
export { Recovery, type RecoveryEngine, type RecoveryReport } from './lifecycle/recovery.ts';
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
} from './service/server.ts';
export { seedBackOffice, type SeedBidder, type SeedLot, type SeedSale } from './service/seed.ts';
export { notifyConfigFromEnv, type NotifyConfig } from './notify/config.ts';
