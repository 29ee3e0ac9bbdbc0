/**
 * The restore drill (docs/operations.md, "Backups and restore"): a back office runs two sales on
 * real PostgreSQL and Redis — one to its results, one still open with a proxy bid and a cancelled
 * bid — then it is backed up (into a folder, and with `npm run backup` into an S3 store), the
 * database is dropped, and each backup is restored into a new one. Every table must come back
 * identical, row for row, and sequences where they were; and a back office started on the restored
 * database with an empty Redis must rebuild the open lot in the engine from the restored ledger so it
 * answers the same snapshot — and takes the next bid at the next seq.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminBuilders } from '../../test/support/builders.ts';
import { runBackupCli } from '../../test/support/backup-cli.ts';
import {
  LATER,
  startSaleNow,
  startTestBackOffice,
  until,
  type TestBackOffice,
} from '../../test/support/orchestrator.ts';
import { postgresDatabaseOfItsOwn } from '../../test/support/postgres.ts';
import { startS3, type TestS3 } from '../../test/support/s3.ts';
import { restoreBackup, takeBackup } from './backup.ts';
import { BackupError } from './errors.ts';
import type { S3Access } from './store.ts';

const database = postgresDatabaseOfItsOwn('drill');
let s3: TestS3;
let dir: string;
let access: S3Access;

beforeAll(async () => {
  await database.create();
  s3 = await startS3('gavel-backups');
  dir = await mkdtemp(join(tmpdir(), 'gavel-drill-'));
  access = {
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  };
}, 60_000);

afterAll(async () => {
  await database.cleanup();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every table of the database, each as its rows in JSON sorted, and every sequence's position. */
async function everything(url: string): Promise<Record<string, string[]>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, string[]> = {};
    const tables = await c.query<{ t: string }>(
      `SELECT quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    for (const { t } of tables.rows) {
      const rows = await c.query<{ r: string }>(`SELECT row_to_json(x)::text AS r FROM ${t} x`);
      out[t] = rows.rows.map((r) => r.r).sort();
    }
    const seqs = await c.query<{ s: string; v: string | null }>(
      `SELECT sequencename AS s, last_value::text AS v FROM pg_sequences WHERE schemaname = 'public'`,
    );
    out['(sequences)'] = seqs.rows.map((r) => `${r.s}=${r.v ?? 'unset'}`).sort();
    return out;
  } finally {
    await c.end();
  }
}

const cliEnv = (): Record<string, string> => ({
  DATABASE_URL: database.url,
  MEDIA_S3_ENDPOINT: s3.endpoint,
  MEDIA_S3_REGION: s3.region,
  MEDIA_S3_ACCESS_KEY_ID: s3.accessKeyId,
  MEDIA_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  MEDIA_S3_FORCE_PATH_STYLE: 'true',
});

describe('restore drill', () => {
  it('a sale with bids and results → backup → drop the database → restore: identical, and the engine rebuilt answers the same', async () => {
    // ── A back office at work ───────────────────────────────────────────────────────────────
    const t: TestBackOffice = await startTestBackOffice('drill', {}, database);
    const build = adminBuilders((m, p, b) => t.ok(m, p, b));
    await build.setUp({
      bidders: ['bidder-ann', 'bidder-ben', 'bidder-cy'],
      sale: {
        id: 'drill-done',
        title: 'Closed',
        ...LATER,
        kycFreeLimit: '1000000.00',
        closingSoonSeconds: 3,
      },
      lots: [
        { id: 'done-1', title: 'Clock', reserve: '150.00', softCloseSeconds: 3, graceMs: 0 },
        { id: 'done-2', title: 'Lamp', reserve: '9000.00', softCloseSeconds: 3, graceMs: 0 },
      ],
      publish: true,
      register: ['bidder-ann', 'bidder-ben'],
      registration: { limit: '9000.00' },
    });
    await build.setUp({
      sale: { id: 'drill-open', title: 'Open', ...LATER, kycFreeLimit: '1000000.00' },
      lots: [{ id: 'open-1', title: 'Desk' }],
      publish: true,
      register: ['bidder-ann', 'bidder-ben', 'bidder-cy'],
      registration: { limit: '9000.00' },
    });
    await startSaleNow(t, 'drill-done', 4_000);
    await t.ok('PATCH', '/sales/drill-open', {
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    for (const lot of ['done-1', 'open-1'])
      await until(`${lot} open`, async () =>
        (await t.engine.snapshot(lot))?.status === 'open' ? true : undefined,
      );

    expect((await t.bid('done-1', 'bidder-ann', 10_000)).outcome).toBe('accepted');
    expect((await t.bid('done-1', 'bidder-ben', 20_000)).outcome).toBe('accepted');
    expect((await t.bid('done-2', 'bidder-ann', 30_000)).outcome).toBe('accepted');
    // The open lot: a proxy maximum (confidential, re-derived from the ledger on restore), bids
    // against it, a refusal, and a cancelled bid (a restated standing and an audit entry).
    expect((await t.bid('open-1', 'bidder-ann', 10_000, { max: 60_000 })).outcome).toBe('accepted');
    expect((await t.bid('open-1', 'bidder-ben', 20_000)).reason).toBe('OUTBID');
    const cy = await t.bid('open-1', 'bidder-cy', 70_000);
    expect(cy.outcome).toBe('accepted');
    await t.ledgerCaughtUp('open-1');
    await t.ok('POST', `/lots/open-1/bids/${cy.seq}/cancel`, { reason: 'bidder called: wrong lot' });
    expect((await t.bid('open-1', 'bidder-ben', 30_000)).reason).toBe('OUTBID');

    const results = await until(
      'drill-done finalised',
      async () => {
        const r = (await t.ok('GET', '/sales/drill-done/results')).results as Record<string, unknown>[];
        return r.length === 2 ? r : undefined;
      },
      60_000,
    );
    expect(results.map((r) => [r.lotId, r.outcome, r.hammer])).toEqual([
      ['done-1', 'sold', '200.00'],
      ['done-2', 'unsold', null],
    ]);
    for (const lot of ['done-1', 'done-2', 'open-1']) await t.ledgerCaughtUp(lot);
    const snapshot = (await t.engine.snapshot('open-1'))!;
    expect(snapshot).toMatchObject({ status: 'open', price: 31_000, leaderId: 'bidder-ann' });
    // Stopped, so nothing moves between the backup and the comparison.
    await t.orch.close();
    const before = await everything(database.url);
    expect(before.bids?.length).toBeGreaterThanOrEqual(7);
    expect(before.lot_results).toHaveLength(2);
    expect(before.winners).toHaveLength(1);
    expect(before.audit_log?.some((r) => r.includes('bid.cancel'))).toBe(true);

    // ── Backups: into a folder, and with the command into S3 ───────────────────────────────
    const local = await takeBackup({ databaseUrl: database.url, to: dir, s3: access, keep: 3 });
    expect(await readdir(dir)).toEqual([local.name]);
    expect(local.bytes).toBeGreaterThan(10_000);
    const up = await runBackupCli('backup', ['--to', 's3://gavel-backups/drill'], cliEnv());
    expect(up.code, up.err).toBe(0);
    expect(up.figures).toMatchObject({ kept: 1, deleted: 0 });
    expect(up.figures?.file).toMatch(/^s3:\/\/gavel-backups\/drill\/gavel-\d{8}T\d{6}\.\d{3}Z\.dump$/);
    expect(up.figures?.bytes).toBe(local.bytes);
    expect(up.err).not.toContain('S3RVER'); // no credential in the progress

    // ── Restoring over the live database needs --yes ───────────────────────────────────────
    await expect(
      restoreBackup({ databaseUrl: database.url, from: local.file, s3: access }),
    ).rejects.toSatisfy((e) => e instanceof BackupError && e.code === 'RESTORE_REFUSED');
    const refused = await runBackupCli(
      'restore',
      ['--from', 'latest', '--in', 's3://gavel-backups/drill'],
      cliEnv(),
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('--yes');

    // ── Disaster, then the S3 backup with the command ──────────────────────────────────────
    await database.drop();
    await database.create();
    const fromS3 = await runBackupCli(
      'restore',
      ['--from', 'latest', '--in', 's3://gavel-backups/drill'],
      cliEnv(),
    );
    expect(fromS3.code, fromS3.err).toBe(0);
    expect(fromS3.figures?.file).toBe(up.figures?.file);
    expect(await everything(database.url)).toEqual(before);

    // ── Again, from the folder's backup ────────────────────────────────────────────────────
    await database.drop();
    await database.create();
    await restoreBackup({ databaseUrl: database.url, from: local.file, s3: access });
    const after = await everything(database.url);
    expect(after).toEqual(before);

    // ── The engine from the restored ledger, in an empty Redis namespace ───────────────────
    await t.ns.cleanup();
    const again = await startTestBackOffice('drill-restored', {}, database);
    try {
      const rebuilt = await until(
        'open-1 rebuilt from the ledger',
        () => again.engine.snapshot('open-1'),
        30_000,
      );
      const fields = [
        'status',
        'price',
        'leaderId',
        'bidCount',
        'lastSeq',
        'endsAt',
        'nextMinimum',
        'reserveMet',
      ] as const;
      const pick = (s: typeof snapshot): Record<string, unknown> =>
        Object.fromEntries(fields.map((f) => [f, s[f]]));
      expect(pick(rebuilt)).toEqual(pick(snapshot));
      // The finalised lots are not put back (nothing to bid on), and bidding goes on at the next seq,
      // ann's confidential maximum (600.00) still answering.
      expect(await again.engine.snapshot('done-1')).toBeUndefined();
      const next = await again.bid('open-1', 'bidder-ben', 40_000);
      expect(next).toMatchObject({
        seq: snapshot.lastSeq + 1,
        reason: 'OUTBID',
        price: 41_000,
        leaderId: 'bidder-ann',
      });
    } finally {
      await again.orch.close();
      await again.ns.cleanup();
    }
  }, 180_000);
});
