import pg from 'pg';

/** Quotes an SQL identifier. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

async function onServer(adminUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * A database of the topology's own on a PostgreSQL server: `create()` makes it empty, `drop()` removes
 * it even with connections still open (PostgreSQL 13+: `WITH (FORCE)`). `url` is its connection string.
 */
export function ownDatabase(
  adminUrl: string,
  name: string,
): { url: string; create(): Promise<void>; drop(): Promise<void> } {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`database name ${name}: lower-case letters, digits, _`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    create: () => onServer(adminUrl, `CREATE DATABASE ${ident(name)}`),
    drop: () => onServer(adminUrl, `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`),
  };
}
