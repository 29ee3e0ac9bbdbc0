/** One error type for backup and restore, with a stable code callers (the CLI, the scheduler, tests) switch on. */
export type BackupErrorCode =
  | 'BAD_LOCATION'
  | 'PG_TOOL_MISSING'
  | 'DATABASE_UNREACHABLE'
  | 'DUMP_FAILED'
  | 'RESTORE_FAILED'
  | 'RESTORE_REFUSED'
  | 'NOT_FOUND'
  | 'STORE_REFUSED'
  | 'STORE_FAILED';

export class BackupError extends Error {
  readonly code: BackupErrorCode;
  constructor(code: BackupErrorCode, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = new.target.name;
    this.code = code;
  }
}
