/**
 * pg_dump and pg_restore, spawned with an argument array (no shell). The password never goes on a
 * command line or into a message: it is taken out of the URL and handed over as PGPASSWORD, and every
 * message names the database as `host:port/name` only.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { BackupError } from './errors.ts';

export interface PgTarget {
  /** The connection URL without its password (what the tools get as --dbname). */
  url: string;
  /** PGPASSWORD when the URL had one. */
  env: Record<string, string>;
  /** `host:port/name`, for messages. */
  label: string;
  /** The URL as given (for the node client). */
  full: string;
}

export function pgTarget(databaseUrl: string): PgTarget {
  let u: URL;
  try {
    u = new URL(databaseUrl);
  } catch {
    throw new BackupError(
      'DATABASE_UNREACHABLE',
      'DATABASE_URL is not a URL (expected postgres://user@host:5432/name)',
    );
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new BackupError(
      'DATABASE_UNREACHABLE',
      'DATABASE_URL is not a PostgreSQL URL (backups need PostgreSQL, not the embedded PGlite)',
    );
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  u.password = '';
  return {
    url: u.toString(),
    env: password === undefined ? {} : { PGPASSWORD: password },
    label: `${u.hostname}${u.port === '' ? '' : `:${u.port}`}${u.pathname}`,
    full: databaseUrl,
  };
}

/** Connects once: the server's major version, and how many Gavel tables the database holds. */
export async function probeDatabase(target: PgTarget): Promise<{ serverMajor: number; gavelTables: number }> {
  const client = new pg.Client({ connectionString: target.full, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new BackupError(
      'DATABASE_UNREACHABLE',
      `cannot reach the database at ${target.label}: ${(err as Error).message || (err as NodeJS.ErrnoException).code || 'connection failed'}`,
      err,
    );
  }
  try {
    const version = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    // The back office's own tables, in any schema: a database that has them is a Gavel database.
    const tables = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_tables
        WHERE tablename IN ('schema_migrations', 'sales', 'bids', 'audit_log')
          AND schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    return {
      serverMajor: Math.floor(Number(version.rows[0]?.v ?? 0) / 10_000),
      gavelTables: tables.rows[0]?.n ?? 0,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `tool` with `args`; its stderr lines go to `onLine`; rejects with the tail of stderr on failure. */
export function runPgTool(
  tool: 'pg_dump' | 'pg_restore',
  args: readonly string[],
  target: PgTarget,
  onLine: (line: string) => void = () => undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      env: { ...process.env, ...target.env, PGCONNECT_TIMEOUT: '10' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const tail: string[] = [];
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine(line);
      }
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new BackupError(
              'PG_TOOL_MISSING',
              `${tool} not found on PATH: install the PostgreSQL client tools (apt-get install postgresql-client), of the server's major version or newer`,
              err,
            )
          : new BackupError(
              tool === 'pg_dump' ? 'DUMP_FAILED' : 'RESTORE_FAILED',
              `${tool}: ${err.message}`,
              err,
            ),
      );
    });
    child.once('close', (code, signal) => {
      if (partial !== '') tail.push(partial);
      if (code === 0) return resolve();
      const why = tail
        .filter((l) => l.trim() !== '')
        .slice(-5)
        .join('\n  ');
      reject(
        new BackupError(
          tool === 'pg_dump' ? 'DUMP_FAILED' : 'RESTORE_FAILED',
          `${tool} on ${target.label} failed (${signal ?? `exit ${code}`})${why === '' ? '' : `:\n  ${why}`}`,
        ),
      );
    });
  });
}
