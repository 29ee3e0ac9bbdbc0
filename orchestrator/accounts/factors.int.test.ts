import { postgresSchema } from '../../test/support/postgres.ts';
import { accountFactorCases } from './factor-cases.ts';

// PostgreSQL: the same cases as on PGlite (factors.test.ts).
accountFactorCases(async () => {
  const pg = postgresSchema('account_factors');
  await pg.create();
  return { db: pg.open(4), close: pg.cleanup };
});
