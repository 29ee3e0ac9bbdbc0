import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

/** What a statement runs on: the database itself or an open transaction. */
export interface Queryable {
  /** One statement with `$n` parameters; the rows it returns (none for most writes without RETURNING). */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements without parameters (a migration file). */
  exec(sql: string): Promise<void>;
}

/**
 * The orchestrator's view of PostgreSQL, implemented over a pg Pool (`DATABASE_URL`) and over
 * embedded PGlite (the zero-setup default). Write for the smaller of the two: PGlite has one
 * connection, so a transaction holds the whole database until it ends — keep them short and never
 * await anything but this database inside one.
 *
 * BIGINT columns come back as strings from pg and as numbers from PGlite: read them through `Number()`
 * (every amount fits: the engine caps them far below 2^53) or cast to `::text` in SQL.
 */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (and the error rethrown). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  connectionString: string;
  /** Pool size per process. */
  max?: number;
  /** Sets `search_path` on every connection of the pool (tests use a schema each). */
  searchPath?: string;
  applicationName?: string;
}

export function postgresDatabase(opts: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'gavel-orchestrator',
    // A startup option, so even a connection the pool opens later gets it without a round trip.
    ...(opts.searchPath === undefined ? {} : { options: `-c search_path=${quoteIdent(opts.searchPath)}` }),
  });
  // An idle client that loses its server connection emits 'error' on the pool; without a listener that
  // is an uncaught exception. The next checkout gets a fresh connection.
  pool.on('error', () => undefined);
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const res = await client.query<R>(sql, params as unknown[]);
      return res.rows;
    },
    async exec(sql: string): Promise<void> {
      // No parameters: the simple query protocol, which accepts several statements.
      await client.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...on(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than return it to the pool.
      let broken = false;
      try {
        await client.query('BEGIN');
        const out = await fn(on(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}

export interface PgliteOptions {
  /** A data folder; unset = in memory (tests). */
  dataDir?: string | undefined;
}

export async function pgliteDatabase(opts: PgliteOptions = {}): Promise<Database> {
  const db = await PGlite.create(opts.dataDir);
  const on = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const res = await q.query<R>(sql, params as unknown[]);
      return res.rows;
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...on(db),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(on(tx)));
    },
    async close(): Promise<void> {
      await db.close();
    },
  };
}

/** `DATABASE_URL` set: PostgreSQL; unset: PGlite in `dataDir` (or in memory). */
export function openDatabase(opts: {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}): Promise<Database> {
  return opts.databaseUrl === undefined || opts.databaseUrl === ''
    ? pgliteDatabase({ dataDir: opts.dataDir })
    : Promise.resolve(postgresDatabase({ connectionString: opts.databaseUrl }));
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
