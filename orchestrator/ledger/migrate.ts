import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './db.ts';

export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

const FILE_NAME = /^(\d{4})_[a-z0-9_-]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export type MigrationErrorCode = 'BAD_FILE_NAME' | 'DUPLICATE_VERSION' | 'CHECKSUM_MISMATCH' | 'FAILED';

export class MigrationError extends Error {
  readonly code: MigrationErrorCode;
  readonly migration: string | undefined;

  constructor(code: MigrationErrorCode, message: string, opts: { migration?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.migration = opts.migration;
  }
}

/** The `NNNN_name.sql` files of `dir`, in version order. */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(fileURLToPath(dir))).filter((n) => n.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    if (m === null) {
      throw new MigrationError('BAD_FILE_NAME', `${name}: migration files are named NNNN_snake_name.sql`, {
        migration: name,
      });
    }
    const version = Number(m[1]);
    if (out.some((x) => x.version === version)) {
      throw new MigrationError('DUPLICATE_VERSION', `${name}: version ${version} is used twice`, {
        migration: name,
      });
    }
    const sql = await readFile(new URL(name, dir), 'utf8');
    out.push({ version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

/**
 * Applies the pending migrations in order, each once, each in its own transaction with its record in
 * `schema_migrations`. Every transaction first takes a transaction-scoped advisory lock (keyed by the
 * current schema), so processes starting together on PostgreSQL queue up: the first applies, the
 * others then find it recorded and skip it. On PGlite the lock is trivially free (one connection).
 * A recorded migration whose file has changed since is an error: write a new migration instead.
 * Returns the names applied by this call.
 */
export async function migrate(db: Database, opts: { dir?: URL } = {}): Promise<string[]> {
  const migrations = await loadMigrations(opts.dir);
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query(
        `SELECT pg_advisory_xact_lock(hashtextextended('gavel.migrate:' || current_schema(), 0))`,
      );
      await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version     INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        checksum    TEXT NOT NULL,
        applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const rows = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE version = $1',
        [m.version],
      );
      const prior = rows[0];
      if (prior !== undefined) {
        if (prior.checksum !== m.checksum) {
          throw new MigrationError(
            'CHECKSUM_MISMATCH',
            `${m.name} was applied with different contents; add a new migration instead of editing it`,
            { migration: m.name },
          );
        }
        return false;
      }
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new MigrationError('FAILED', `${m.name}: ${(err as Error).message}`, {
          migration: m.name,
          cause: err,
        });
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}
