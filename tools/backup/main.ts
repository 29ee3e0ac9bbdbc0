/**
 * `npm run backup [-- --to DIR|s3://bucket/prefix] [--keep N] [--max-age 30d]`
 * `npm run restore -- --from FILE|s3://bucket/prefix/NAME|latest [--in DIR|s3://…] [--yes]`
 *
 * Backup: a `pg_dump --format=custom` of the back office's PostgreSQL (DATABASE_URL) into a folder
 * or an S3-compatible store (endpoint and credentials: the media store's MEDIA_S3_* variables),
 * named `gavel-<UTC time>.dump`, then retention by count and age (never the backup just made).
 * Restore: pg_restore --clean --if-exists --no-owner --single-transaction into DATABASE_URL; it
 * refuses a database that already has Gavel tables unless --yes.
 *
 * Progress on stderr; one JSON line of figures on stdout; exit 1 with one clear message on failure,
 * 2 on bad usage. docs/operations.md, "Backups and restore".
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../common/config.ts';
import {
  BackupError,
  backupKeepEnv,
  backupMaxAgeEnv,
  backupS3FromEnv,
  parseDuration,
  restoreBackup,
  takeBackup,
  type S3Access,
} from '../../orchestrator/backup.ts';

const USAGE = `usage:
  npm run backup  [-- --to DIR|s3://bucket/prefix] [--keep N] [--max-age 30d|12h|90m]
  npm run restore -- --from FILE|s3://bucket/prefix/NAME|latest [--in DIR|s3://bucket/prefix] [--yes]
environment: DATABASE_URL (required); BACKUP_TO or BACKUP_DIR (default ./backups), BACKUP_KEEP,
BACKUP_MAX_AGE; MEDIA_S3_ENDPOINT, MEDIA_S3_REGION, MEDIA_S3_ACCESS_KEY_ID, MEDIA_S3_SECRET_ACCESS_KEY,
MEDIA_S3_FORCE_PATH_STYLE for s3:// locations.`;

class UsageError extends Error {}

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function databaseUrl(): string {
  const url = process.env.DATABASE_URL?.trim();
  if (url === undefined || url === '')
    throw new UsageError(
      'DATABASE_URL is not set: the back office PostgreSQL, e.g. postgres://gavel@db:5432/gavel',
    );
  return url;
}

/** The default place: the orchestrator's BACKUP_TO, else BACKUP_DIR, else ./backups. */
function defaultLocation(): string {
  const to = process.env.BACKUP_TO?.trim() || process.env.BACKUP_DIR?.trim();
  return to === undefined || to === '' ? './backups' : to;
}

function s3(): S3Access {
  return backupS3FromEnv(process.env);
}

function envValue<T>(
  name: string,
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
): T | undefined {
  const parsed = schema.safeParse(process.env[name]);
  if (!parsed.success) throw new UsageError(`${name}: not a valid value ("${process.env[name]}")`);
  return parsed.data;
}

async function backup(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { to: { type: 'string' }, keep: { type: 'string' }, 'max-age': { type: 'string' } },
  });
  let keep = envValue('BACKUP_KEEP', backupKeepEnv);
  if (values.keep !== undefined) {
    keep = Number(values.keep);
    if (!Number.isInteger(keep) || keep < 1)
      throw new UsageError(`--keep: an integer ≥ 1, got "${values.keep}"`);
  }
  let maxAgeMs = envValue('BACKUP_MAX_AGE', backupMaxAgeEnv);
  if (values['max-age'] !== undefined) {
    maxAgeMs = parseDuration(values['max-age']);
    if (maxAgeMs === undefined)
      throw new UsageError(`--max-age: a duration like 30d, 12h or 90m, got "${values['max-age']}"`);
  }
  const result = await takeBackup({
    databaseUrl: databaseUrl(),
    to: values.to ?? defaultLocation(),
    s3: s3(),
    keep,
    maxAgeMs,
    progress: say,
  });
  const { file, bytes, seconds, kept, deleted } = result;
  process.stdout.write(`${JSON.stringify({ file, bytes, seconds, kept, deleted })}\n`);
  if (result.retentionError !== undefined)
    say(`backup: warning: retention incomplete: ${result.retentionError}`);
}

async function restore(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, in: { type: 'string' }, yes: { type: 'boolean', default: false } },
  });
  if (values.from === undefined || values.from === '')
    throw new UsageError('--from is required: a backup file, an s3:// URL, or latest');
  const figures = await restoreBackup({
    databaseUrl: databaseUrl(),
    from: values.from,
    in: values.in ?? defaultLocation(),
    s3: s3(),
    yes: values.yes,
    progress: say,
  });
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (rest.includes('--help') || rest.includes('-h')) {
    say(USAGE);
    return;
  }
  if (command === 'backup') return backup(rest);
  if (command === 'restore') return restore(rest);
  throw new UsageError(`unknown command "${command ?? ''}": backup or restore`);
}

main().catch((err: unknown) => {
  if (
    err instanceof UsageError ||
    err instanceof ConfigError ||
    (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    say(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  say(
    err instanceof BackupError
      ? `${process.argv[2] ?? 'backup'} failed: ${err.message}`
      : String(err instanceof Error ? err.stack : err),
  );
  process.exit(1);
});
