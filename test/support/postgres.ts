import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { postgresDatabase, quoteIdent, type Database } from '../../orchestrator/ledger.ts';
import { track } from './registry.ts';

export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh schema for one test file: `open()` gives a Database whose every connection has
 * `search_path` set to it; `cleanup()` closes them all and drops the schema.
 */
export function postgresSchema(label: string): {
  schema: string;
  url: string;
  create: () => Promise<void>;
  open: (max?: number) => Database;
  cleanup: () => Promise<void>;
} {
  const schema = `t_${label.replace(/[^a-z0-9_]/gi, '_')}_${randomUUID().slice(0, 8)}`.toLowerCase();
  const opened: Database[] = [];
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  // Once, and by the registry if the test file did not: its connections closed, the schema dropped.
  const cleanup = track(`PostgreSQL schema ${schema}`, async () => {
    for (const db of opened.splice(0)) await db.close().catch(() => undefined);
    await admin(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  });
  return {
    schema,
    url: DATABASE_URL,
    create: () => admin(`CREATE SCHEMA ${quoteIdent(schema)}`),
    open(max = 10) {
      const db = postgresDatabase({ connectionString: DATABASE_URL, searchPath: schema, max });
      opened.push(db);
      return db;
    },
    cleanup,
  };
}

/**
 * A database of its own for one test (what pg_dump and pg_restore work on: a whole database, where
 * the schemas of other test files would get in the way). Same shape as `postgresSchema` (its schema
 * is `public`), plus `drop()` — the database gone, connections and all, as in a disaster — and
 * `adminUrl`, the server's `test` database to run CREATE/DROP DATABASE from.
 */
export function postgresDatabaseOfItsOwn(label: string): ReturnType<typeof postgresSchema> & {
  name: string;
  drop: () => Promise<void>;
} {
  const name = `t_${label.replace(/[^a-z0-9_]/gi, '_')}_${randomUUID().slice(0, 8)}`.toLowerCase();
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const opened: Database[] = [];
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const drop = async (): Promise<void> => {
    for (const db of opened.splice(0)) await db.close().catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  };
  const cleanup = track(`PostgreSQL database ${name}`, drop);
  return {
    name,
    schema: 'public',
    url: url.toString(),
    create: () => admin(`CREATE DATABASE ${quoteIdent(name)}`),
    open(max = 10) {
      const db = postgresDatabase({ connectionString: url.toString(), max });
      opened.push(db);
      return db;
    },
    drop,
    cleanup,
  };
}
