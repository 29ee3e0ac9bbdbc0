/** The back office's public surface (issue #4, first increment: database layer and ledger writer). */
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
