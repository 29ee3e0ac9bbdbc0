/**
 * The ledger's face for the other services and the test tooling: open a database (PGlite or
 * PostgreSQL), migrate it, and run the ledger writer over a decision source. Everything else of the
 * ledger stays inside `orchestrator/ledger/`.
 */
export {
  openDatabase,
  pgliteDatabase,
  postgresDatabase,
  quoteIdent,
  type Database,
  type PgliteOptions,
  type PostgresOptions,
  type Queryable,
  type Row,
} from './ledger/db.ts';
export { migrate } from './ledger/migrate.ts';
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
