/**
 * `npm run backup` / `npm run restore` as an operator runs them: exit codes, the one JSON line, and
 * a clear message for each way it fails (no pg_dump, no database, an S3 store saying no) with no
 * password in it.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupName } from '../../orchestrator/backup.ts';
import { runBackupCli } from '../../test/support/backup-cli.ts';
import { freePort } from '../../test/support/net.ts';
import { postgresDatabaseOfItsOwn } from '../../test/support/postgres.ts';
import { startS3, type TestS3 } from '../../test/support/s3.ts';

const database = postgresDatabaseOfItsOwn('cli');
let s3: TestS3;
let dir: string;

/** One statement on the test's database; its rows. */
async function sql(text: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  try {
    return (await c.query<Record<string, unknown>>(text)).rows;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await database.create();
  // A Gavel table (by name), so restore treats the database as one.
  await sql(`CREATE TABLE sales (id TEXT PRIMARY KEY); INSERT INTO sales VALUES ('kept')`);
  s3 = await startS3('gavel-backups');
  dir = await mkdtemp(join(tmpdir(), 'gavel-backup-cli-'));
}, 60_000);

afterAll(async () => {
  await database.cleanup();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;

describe('npm run backup', () => {
  it('dumps into a folder with its figures and retention; restores over a Gavel database only with --yes', async () => {
    // Four older backups (content does not matter to retention) and a file that is not a backup.
    const old = [1, 2, 3, 40].map((days) => backupName(Date.now() - days * DAY));
    for (const name of old) await writeFile(join(dir, name), 'old');
    await writeFile(join(dir, 'notes.txt'), 'not a backup');
    const run = await runBackupCli('backup', ['--to', dir, '--keep', '3', '--max-age', '30d'], {
      DATABASE_URL: database.url,
    });
    expect(run.code, run.err).toBe(0);
    expect(run.out.trim().split('\n')).toHaveLength(1);
    expect(run.figures).toMatchObject({ kept: 3, deleted: 2 });
    expect(Object.keys(run.figures ?? {}).sort()).toEqual(['bytes', 'deleted', 'file', 'kept', 'seconds']);
    const made = String(run.figures?.file);
    expect(made.startsWith(dir)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(
      [made.slice(dir.length + 1), old[0]!, old[1]!, 'notes.txt'].sort(),
    );
    expect(run.err).toContain('retention kept 3, deleted 2');

    // Restore over this Gavel database: refused, then with --yes it is back as it was backed up.
    await sql(`INSERT INTO sales VALUES ('after the backup')`);
    const refused = await runBackupCli('restore', ['--from', made], { DATABASE_URL: database.url });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('already has Gavel tables');
    expect(await sql('SELECT id FROM sales ORDER BY id')).toHaveLength(2);
    const restored = await runBackupCli('restore', ['--from', 'latest', '--in', dir, '--yes'], {
      DATABASE_URL: database.url,
    });
    expect(restored.code, restored.err).toBe(0);
    expect(restored.figures).toMatchObject({ file: made, bytes: run.figures?.bytes });
    expect(await sql('SELECT id FROM sales')).toEqual([{ id: 'kept' }]);
  }, 180_000);

  it('says to install the PostgreSQL client when pg_dump is missing', async () => {
    const run = await runBackupCli('backup', ['--to', dir], {
      DATABASE_URL: database.url,
      PATH: '/nonexistent',
    });
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toContain('pg_dump not found');
    expect(run.err).toContain('apt-get install postgresql-client');
  }, 120_000);

  it('names the database it cannot reach, never its password', async () => {
    const port = await freePort();
    const run = await runBackupCli('backup', ['--to', dir], {
      DATABASE_URL: `postgres://gavel:hunter2-secret@127.0.0.1:${port}/gavel`,
    });
    expect(run.code).toBe(1);
    expect(run.err).toContain(`cannot reach the database at 127.0.0.1:${port}/gavel`);
    expect(run.err).not.toContain('hunter2');
  }, 120_000);

  it('reports an S3 store that refuses the upload', async () => {
    const run = await runBackupCli('backup', ['--to', 's3://gavel-backups/refused'], {
      DATABASE_URL: database.url,
      MEDIA_S3_ENDPOINT: s3.endpoint,
      // s3rver checks the key id (it does not verify SigV4 signatures): an unknown key is refused.
      MEDIA_S3_ACCESS_KEY_ID: 'NOT-A-KEY',
      MEDIA_S3_SECRET_ACCESS_KEY: 'not-the-secret',
      MEDIA_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /the S3 store refused to upload s3:\/\/gavel-backups\/refused\/gavel-.*\.dump: .*\(HTTP 403\)/,
    );
    expect(run.err).not.toContain('not-the-secret');
    const run2 = await runBackupCli('backup', ['--to', 's3://no-such-bucket/x'], {
      DATABASE_URL: database.url,
      MEDIA_S3_ENDPOINT: s3.endpoint,
      MEDIA_S3_ACCESS_KEY_ID: s3.accessKeyId,
      MEDIA_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      MEDIA_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(run2.code).toBe(1);
    expect(run2.err).toContain('the S3 store refused to upload s3://no-such-bucket/x/');
  }, 120_000);

  it('refuses bad usage with exit 2', async () => {
    const noUrl = await runBackupCli('backup', ['--to', dir], { DATABASE_URL: '' });
    expect([noUrl.code, noUrl.err.includes('DATABASE_URL is not set')]).toEqual([2, true]);
    const badKeep = await runBackupCli('backup', ['--keep', '0'], { DATABASE_URL: database.url });
    expect([badKeep.code, badKeep.err.includes('--keep')]).toEqual([2, true]);
    const noFrom = await runBackupCli('restore', [], { DATABASE_URL: database.url });
    expect([noFrom.code, noFrom.err.includes('--from is required')]).toEqual([2, true]);
  }, 120_000);
});
