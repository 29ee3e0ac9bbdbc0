/**
 * Backups of the back office's PostgreSQL, for `npm run backup` / `npm run restore` (tools/backup/)
 * and the orchestrator's schedule. A face of its own so the command-line tool loads only this, not
 * the whole back office.
 */
export {
  latestBackup,
  restoreBackup,
  takeBackup,
  type BackupFigures,
  type BackupOptions,
  type BackupResult,
  type RestoreFigures,
  type RestoreOptions,
} from './backup/backup.ts';
export { backupKeepEnv, backupMaxAgeEnv, backupS3FromEnv } from './backup/config.ts';
export { BackupError, type BackupErrorCode } from './backup/errors.ts';
export { backupName, parseBackupName } from './backup/retention.ts';
export { parseDuration } from './backup/schedule.ts';
export type { S3Access } from './backup/store.ts';
