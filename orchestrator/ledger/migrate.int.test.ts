import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteDatabase, type Database } from './db.ts';
import { loadMigrations, migrate, MigrationError } from './migrate.ts';
import { postgresSchema } from '../../test/support/postgres.ts';

const TABLES = [
  'accounts',
  'audit_log',
  'bid_cancellations',
  'bidders',
  'bids',
  'floor_actions',
  'kyc_checks',
  'kyc_webhook_events',
  'ledger_cursors',
  'lot_images',
  'lot_results',
  'lots',
  'notification_deliveries',
  'outbox_events',
  'passkeys',
  'push_deliveries',
  'push_subscriptions',
  'recovery_codes',
  'registrations',
  'sale_invitations',
  'sale_terms',
  'sales',
  'schema_migrations',
  'sessions',
  'sign_in_links',
  'standing_changes',
  'totp_factors',
  'watchlist',
  'webauthn_challenges',
  'winners',
];

async function tables(db: Database): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

async function insertBid(db: Database, seq: number, amount: string): Promise<void> {
  await db.query(
    `INSERT INTO bids (auction_id, seq, bidder_id, amount_minor, currency, outcome, source, price_minor,
                       price_changed, extended, decided_at, idempotency_key, stream_id)
     VALUES ('a1', $1, 'alice', $2, 'EUR', 'accepted', 'api', $2, true, false, now(), $3, $4)`,
    [seq, amount, `k${seq}`, `${seq}-0`],
  );
}

describe('migrations on PostgreSQL', () => {
  const pg = postgresSchema('migrate');
  let db: Database;
  beforeAll(async () => {
    await pg.create();
    db = pg.open();
  });
  afterAll(() => pg.cleanup());

  it('creates the schema on a fresh database and records it', async () => {
    const names = (await loadMigrations()).map((m) => m.name);
    expect(await migrate(db)).toEqual(names);
    expect(await tables(db)).toEqual(TABLES);
    const recorded = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version');
    expect(recorded.map((r) => r.name)).toEqual(names);
  });

  it('does nothing when run again', async () => {
    expect(await migrate(db)).toEqual([]);
    expect(await db.query('SELECT 1 FROM schema_migrations')).toHaveLength((await loadMigrations()).length);
  });

  it('keeps money exact as BIGINT minor units and the ledger append-only', async () => {
    await insertBid(db, 1, '999999999999999');
    const [row] = await db.query<{ amount_minor: string }>(
      `SELECT amount_minor::text FROM bids WHERE seq = 1`,
    );
    expect(row?.amount_minor).toBe('999999999999999');
    await expect(db.query(`UPDATE bids SET amount_minor = 1 WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM bids`)).rejects.toThrow(/append-only/);
    await expect(insertBid(db, 1, '5')).rejects.toThrow(/bids_auction_id_seq_key/);
  });
});

describe('two migrators starting together on PostgreSQL', () => {
  const pg = postgresSchema('migrate_race');
  beforeAll(() => pg.create());
  afterAll(() => pg.cleanup());

  it('applies each migration exactly once', async () => {
    const a = pg.open(1);
    const b = pg.open(1);
    const c = pg.open(1);
    const results = await Promise.all([migrate(a), migrate(b), migrate(c)]);
    const names = (await loadMigrations()).map((m) => m.name);
    expect(results.flat().sort()).toEqual([...names].sort());
    expect(await tables(a)).toEqual(TABLES);
    expect(await a.query('SELECT 1 FROM schema_migrations')).toHaveLength(names.length);
  });
});

describe('migration files', () => {
  const pg = postgresSchema('migrate_files');
  let dir: string;
  beforeAll(async () => {
    await pg.create();
    dir = await mkdtemp(join(tmpdir(), 'gavel-migrations-'));
  });
  afterAll(async () => {
    await pg.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies in version order, and refuses an applied file that was edited', async () => {
    const db = pg.open(2);
    const url = pathToFileURL(`${dir}/`);
    await writeFile(join(dir, '0002_more.sql'), 'ALTER TABLE t ADD COLUMN b INT;');
    await writeFile(join(dir, '0001_first.sql'), 'CREATE TABLE t (a INT);');
    expect(await migrate(db, { dir: url })).toEqual(['0001_first.sql', '0002_more.sql']);
    await writeFile(join(dir, '0001_first.sql'), 'CREATE TABLE t (a BIGINT);');
    const err = await migrate(db, { dir: url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('CHECKSUM_MISMATCH');
  });

  it('rolls a failing migration back whole and names it', async () => {
    const db = pg.open(2);
    const url = pathToFileURL(`${dir}/`);
    await writeFile(join(dir, '0001_first.sql'), 'CREATE TABLE t (a INT);');
    await writeFile(join(dir, '0003_broken.sql'), 'CREATE TABLE u (a INT); SELECT no_such_function();');
    const err = await migrate(db, { dir: url }).catch((e: unknown) => e);
    expect((err as MigrationError).code).toBe('FAILED');
    expect((err as MigrationError).migration).toBe('0003_broken.sql');
    expect(
      await db.query(
        `SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'u'`,
      ),
    ).toEqual([]);
  });

  it('refuses a badly named file', async () => {
    await writeFile(join(dir, 'oops.sql'), 'SELECT 1;');
    const err = await loadMigrations(pathToFileURL(`${dir}/`)).catch((e: unknown) => e);
    expect((err as MigrationError).code).toBe('BAD_FILE_NAME');
  });
});

describe('migrations on PGlite (in memory)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await pgliteDatabase();
  }, 60_000);
  afterAll(() => db.close());

  it('applies the same files and gives the same tables', async () => {
    const names = (await loadMigrations()).map((m) => m.name);
    expect(await migrate(db)).toEqual(names);
    expect(await tables(db)).toEqual(TABLES);
    expect(await migrate(db)).toEqual([]);
  });

  it('keeps the same guarantees', async () => {
    await insertBid(db, 1, '999999999999999');
    const [row] = await db.query<{ amount_minor: string }>(
      `SELECT amount_minor::text FROM bids WHERE seq = 1`,
    );
    expect(row?.amount_minor).toBe('999999999999999');
    await expect(db.query(`UPDATE bids SET amount_minor = 1`)).rejects.toThrow(/append-only/);
    await expect(insertBid(db, 1, '5')).rejects.toThrow(/bids_auction_id_seq_key/);
  });

  it('rolls a transaction back when its function throws', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO audit_log (actor, action, entity_type, entity_id) VALUES ('t', 'x', 'lot', '1')`,
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT 1 FROM audit_log')).toEqual([]);
  });
});
