import { describe, expect, it } from 'vitest';
import { backupName, backupsAmong, parseBackupName, selectRetention, type BackupEntry } from './retention.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T02:00:00.000Z');
/** A backup taken `daysAgo` days before NOW. */
const b = (daysAgo: number): BackupEntry => ({
  name: backupName(NOW - daysAgo * DAY),
  takenAt: NOW - daysAgo * DAY,
});
const names = (entries: BackupEntry[]): string[] => entries.map((e) => e.name);

describe('backup names', () => {
  it('carry their UTC time to the millisecond, and only such names are backups', () => {
    const t = Date.parse('2026-12-07T02:00:03.045Z');
    expect(backupName(t)).toBe('gavel-20261207T020003.045Z.dump');
    expect(parseBackupName(backupName(t))).toBe(t);
    for (const other of [
      'notes.txt',
      'gavel-20261207T020003Z.dump',
      '.gavel-20261207T020003.045Z.dump.partial',
      'gavel-20261307T020003.045Z.dump',
    ])
      expect(parseBackupName(other), other).toBeUndefined();
  });

  it('are listed newest first, other files left out', () => {
    const listed = backupsAmong([
      { name: b(2).name },
      { name: 'README' },
      { name: b(0).name },
      { name: b(1).name },
    ]);
    expect(names(listed)).toEqual([b(0).name, b(1).name, b(2).name]);
  });
});

describe('selectRetention', () => {
  const all = [b(0), b(1), b(2), b(10), b(40)];

  it('keeps everything without rules', () => {
    expect(selectRetention(all, {}, NOW, b(0).name).deleted).toEqual([]);
  });

  it('by count: the newest N', () => {
    const { kept, deleted } = selectRetention(all, { keep: 2 }, NOW, b(0).name);
    expect(names(kept)).toEqual([b(0).name, b(1).name]);
    expect(names(deleted)).toEqual([b(2).name, b(10).name, b(40).name]);
  });

  it('by age: older than the limit', () => {
    const { deleted } = selectRetention(all, { maxAgeMs: 30 * DAY }, NOW, b(0).name);
    expect(names(deleted)).toEqual([b(40).name]);
  });

  it('both: a backup goes when either rule says so', () => {
    const { kept, deleted } = selectRetention(all, { keep: 4, maxAgeMs: 5 * DAY }, NOW, b(0).name);
    expect(names(kept)).toEqual([b(0).name, b(1).name, b(2).name]);
    expect(names(deleted)).toEqual([b(10).name, b(40).name]);
  });

  it('never deletes the backup just made, even when it looks old or is not the newest', () => {
    // A clock that was wrong when it was named: it is "40 days old" and ranks last.
    const { kept, deleted } = selectRetention(all, { keep: 1, maxAgeMs: DAY }, NOW, b(40).name);
    expect(names(kept)).toEqual([b(0).name, b(40).name]);
    expect(names(deleted)).toEqual([b(1).name, b(2).name, b(10).name]);
    expect(names(selectRetention([b(3)], { maxAgeMs: DAY }, NOW, b(3).name).kept)).toEqual([b(3).name]);
  });
});
