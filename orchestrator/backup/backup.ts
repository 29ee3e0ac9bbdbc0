/**
 * Taking a backup (pg_dump, custom format, into a folder or a bucket, then retention) and restoring
 * one (pg_restore in one transaction). Shared by `npm run backup` / `npm run restore`
 * (tools/backup/) and the orchestrator's schedule (scheduler.ts). docs/operations.md, "Backups and restore".
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BackupError } from './errors.ts';
import { pgTarget, probeDatabase, runPgTool } from './pg-tools.ts';
import { backupName, selectRetention, type RetentionRules } from './retention.ts';
import { openBackupStore, parseLocation, prepareStore, type BackupStore, type S3Access } from './store.ts';

export interface BackupOptions extends RetentionRules {
  /** The back office's PostgreSQL (the orchestrator's DATABASE_URL). */
  databaseUrl: string;
  /** A folder or `s3://bucket/prefix`. */
  to: string;
  s3: S3Access;
  /** Progress lines for people (the CLI writes them to stderr). */
  progress?: (line: string) => void;
  /** The clock that names the backup and ages the old ones. */
  now?: () => number;
}

/** What `npm run backup` prints as its one JSON line. */
export interface BackupFigures {
  /** The new backup: a path or an `s3://` URL. */
  file: string;
  bytes: number;
  seconds: number;
  /** Backups in the store after retention, the new one included. */
  kept: number;
  deleted: number;
}

export interface BackupResult extends BackupFigures {
  name: string;
  takenAt: number;
  deletedNames: string[];
  /** Retention could not delete everything it chose (the backup itself is stored). */
  retentionError?: string;
}

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

export async function takeBackup(o: BackupOptions): Promise<BackupResult> {
  const say = o.progress ?? (() => undefined);
  const now = o.now ?? Date.now;
  const target = pgTarget(o.databaseUrl);
  const store = openBackupStore(parseLocation(o.to), o.s3);
  let scratchDir: string | undefined;
  try {
    const started = performance.now();
    const { serverMajor } = await probeDatabase(target);
    say(`backup: PostgreSQL ${serverMajor} at ${target.label} → ${store.where}`);
    await prepareStore(store);
    const takenAt = now();
    const name = backupName(takenAt);
    let scratch = store.scratchFile(name);
    if (scratch === undefined) {
      scratchDir = await mkdtemp(join(tmpdir(), 'gavel-backup-'));
      scratch = join(scratchDir, name);
    }
    const file = scratch;
    // A large database dumps for minutes: say how far it has got every few seconds.
    const ticker = setInterval(() => {
      stat(file).then(
        (s) => say(`backup: pg_dump ${mb(s.size)} so far`),
        () => undefined,
      );
    }, 5_000);
    try {
      await runPgTool(
        'pg_dump',
        ['--format=custom', '--no-password', `--file=${file}`, `--dbname=${target.url}`],
        target,
        (line) => say(`pg_dump: ${line}`),
      );
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    } finally {
      clearInterval(ticker);
    }
    const { size: bytes } = await stat(file);
    say(
      `backup: pg_dump done, ${mb(bytes)}${scratchDir === undefined ? '' : `; uploading to ${store.where}`}`,
    );
    try {
      await store.put(file, name);
    } finally {
      await rm(file, { force: true });
    }
    const seconds = Math.round(performance.now() - started) / 1000;
    say(`backup: ${store.address(name)} stored (${mb(bytes)} in ${seconds} s)`);

    const retention = await applyRetention(store, o, now(), name, say);
    return {
      file: store.address(name),
      name,
      takenAt,
      bytes,
      seconds,
      kept: retention.kept,
      deleted: retention.deletedNames.length,
      deletedNames: retention.deletedNames,
      ...(retention.error === undefined ? {} : { retentionError: retention.error }),
    };
  } finally {
    store.close();
    if (scratchDir !== undefined) await rm(scratchDir, { recursive: true, force: true });
  }
}

async function applyRetention(
  store: BackupStore,
  rules: RetentionRules,
  now: number,
  justMade: string,
  say: (line: string) => void,
): Promise<{ kept: number; deletedNames: string[]; error?: string }> {
  const all = await store.list();
  if (rules.keep === undefined && rules.maxAgeMs === undefined) return { kept: all.length, deletedNames: [] };
  const { kept, deleted } = selectRetention(all, rules, now, justMade);
  const deletedNames: string[] = [];
  let error: string | undefined;
  for (const b of deleted) {
    try {
      await store.delete(b.name);
      deletedNames.push(b.name);
      say(`backup: retention deleted ${b.name}`);
    } catch (err) {
      error ??= (err as Error).message;
      kept.push(b);
      say(`backup: retention could not delete ${b.name}: ${(err as Error).message}`);
    }
  }
  say(`backup: retention kept ${kept.length}, deleted ${deletedNames.length}`);
  return { kept: kept.length, deletedNames, ...(error === undefined ? {} : { error }) };
}

/** The newest backup in a folder or bucket prefix, as an address restore accepts (undefined: none). */
export async function latestBackup(location: string, s3: S3Access): Promise<string | undefined> {
  const store = openBackupStore(parseLocation(location), s3);
  try {
    const [newest] = await store.list();
    return newest === undefined ? undefined : store.address(newest.name);
  } finally {
    store.close();
  }
}

export interface RestoreOptions {
  databaseUrl: string;
  /** A backup file, an `s3://bucket/prefix/name` URL, or `latest` (the newest in `in`). */
  from: string;
  /** Where `latest` looks: a folder or `s3://bucket/prefix`. */
  in?: string;
  s3: S3Access;
  /** Restore over a database that already has Gavel tables (they are replaced). */
  yes?: boolean;
  progress?: (line: string) => void;
}

export interface RestoreFigures {
  /** The backup restored: a path or an `s3://` URL. */
  file: string;
  bytes: number;
  seconds: number;
}

export async function restoreBackup(o: RestoreOptions): Promise<RestoreFigures> {
  const say = o.progress ?? (() => undefined);
  const target = pgTarget(o.databaseUrl);
  const started = performance.now();
  let from = o.from;
  if (from === 'latest') {
    const where = o.in ?? '';
    const newest = await latestBackup(where, o.s3);
    if (newest === undefined)
      throw new BackupError('NOT_FOUND', `no backup in ${where} (files named gavel-<UTC time>.dump)`);
    from = newest;
  }
  const { serverMajor, gavelTables } = await probeDatabase(target);
  if (gavelTables > 0 && o.yes !== true)
    throw new BackupError(
      'RESTORE_REFUSED',
      `the database at ${target.label} already has Gavel tables: restoring replaces everything in it. ` +
        'Restore into an empty database (createdb), or pass --yes to replace it (take a backup of it first).',
    );
  say(
    `restore: ${from} → PostgreSQL ${serverMajor} at ${target.label}${gavelTables > 0 ? ' (replacing its tables)' : ''}`,
  );

  let scratchDir: string | undefined;
  try {
    let file = from;
    if (from.startsWith('s3://')) {
      const slash = from.lastIndexOf('/');
      const name = from.slice(slash + 1);
      const store = openBackupStore(parseLocation(from.slice(0, slash + 1)), o.s3);
      scratchDir = await mkdtemp(join(tmpdir(), 'gavel-restore-'));
      file = join(scratchDir, basename(name) || 'backup.dump');
      try {
        say(`restore: downloading ${from}`);
        await store.fetch(name, file);
      } finally {
        store.close();
      }
    }
    const bytes = await stat(file).then(
      (s) => s.size,
      () => {
        throw new BackupError('NOT_FOUND', `no backup file at ${file}`);
      },
    );
    await runPgTool(
      'pg_restore',
      [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--single-transaction',
        '--no-password',
        `--dbname=${target.url}`,
        file,
      ],
      target,
      (line) => say(`pg_restore: ${line}`),
    );
    const seconds = Math.round(performance.now() - started) / 1000;
    say(`restore: done in ${seconds} s`);
    return { file: from, bytes, seconds };
  } finally {
    if (scratchDir !== undefined) await rm(scratchDir, { recursive: true, force: true });
  }
}
