/**
 * Backup file names and which backups retention deletes. A name carries its UTC time
 * (`gavel-20261207T020000.123Z.dump`), so listing a folder or a bucket prefix is all it takes to
 * know every backup's age; files not named so are never touched.
 */

export interface BackupEntry {
  name: string;
  /** When it was taken (ms since the epoch), from its name. */
  takenAt: number;
  bytes?: number;
}

const NAME = /^gavel-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z\.dump$/;

/** `gavel-20261207T020000.123Z.dump` for a backup taken at that instant. */
export function backupName(takenAt: number): string {
  return `gavel-${new Date(takenAt).toISOString().replace(/[-:]/g, '')}.dump`;
}

/** The time a backup's name carries; undefined for a name that is not a backup's. */
export function parseBackupName(name: string): number | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
  return Number.isNaN(t) ? undefined : t;
}

/** Backups among `names`, newest first. */
export function backupsAmong(names: readonly { name: string; bytes?: number }[]): BackupEntry[] {
  const out: BackupEntry[] = [];
  for (const n of names) {
    const takenAt = parseBackupName(n.name);
    if (takenAt !== undefined) out.push({ ...n, takenAt });
  }
  return out.sort((a, b) => b.takenAt - a.takenAt || b.name.localeCompare(a.name));
}

export interface RetentionRules {
  /** Keep at most this many (the newest); unset = no count limit. */
  keep?: number | undefined;
  /** Delete backups older than this (ms); unset = no age limit. */
  maxAgeMs?: number | undefined;
}

/**
 * Splits `backups` into those to keep and those to delete: a backup goes when it is beyond the
 * `keep` newest or older than `maxAgeMs` at `now`. The one `justMade` is always kept (even with a
 * clock that makes it look old, or `keep` 0), so retention can never leave the store without the
 * backup that was just taken.
 */
export function selectRetention(
  backups: readonly BackupEntry[],
  rules: RetentionRules,
  now: number,
  justMade: string,
): { kept: BackupEntry[]; deleted: BackupEntry[] } {
  const kept: BackupEntry[] = [];
  const deleted: BackupEntry[] = [];
  const newestFirst = [...backups].sort((a, b) => b.takenAt - a.takenAt || b.name.localeCompare(a.name));
  newestFirst.forEach((b, rank) => {
    const tooMany = rules.keep !== undefined && rank >= rules.keep;
    const tooOld = rules.maxAgeMs !== undefined && now - b.takenAt > rules.maxAgeMs;
    (b.name !== justMade && (tooMany || tooOld) ? deleted : kept).push(b);
  });
  return { kept, deleted };
}
