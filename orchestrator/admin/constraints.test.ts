import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, pgliteDatabase, type Database } from '../ledger.ts';
import { constraintError } from './constraints.ts';

let db: Database;
beforeAll(async () => {
  db = await pgliteDatabase();
  await migrate(db);
}, 120_000);
afterAll(() => db?.close());

/** The error a statement fails with. */
async function failure(sql: string): Promise<unknown> {
  return db.query(sql).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('constraintError', () => {
  it('turns the paddle-range checks into 400 BAD_PADDLES naming the constraint', async () => {
    const err = await failure(
      `INSERT INTO sales (id, title, mode, currency, status, starts_at, online_paddle_from, online_paddle_to)
       VALUES ('s-c', 't', 'timed', 'EUR', 'draft', now(), 5, 5)`,
    );
    expect(err).toBeDefined();
    expect(constraintError(err)).toMatchObject({
      status: 400,
      code: 'BAD_PADDLES',
      details: { constraint: 'sales_paddle_ranges_apart' },
    });
  });

  it('leaves every other failure alone', async () => {
    const other = await failure(
      `INSERT INTO sales (id, title, mode, currency, status, starts_at) VALUES ('s-d', 't', 'nope', 'EUR', 'draft', now())`,
    );
    expect(other).toBeDefined();
    expect(constraintError(other)).toBeUndefined();
    expect(constraintError(new Error('boom'))).toBeUndefined();
    expect(constraintError(undefined)).toBeUndefined();
  });
});
