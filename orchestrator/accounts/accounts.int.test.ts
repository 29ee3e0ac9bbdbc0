import { postgresSchema } from '../../test/support/postgres.ts';
import { accountsServiceCases } from './service-cases.ts';

// PostgreSQL: the same cases as on PGlite (service.test.ts).
accountsServiceCases(async () => {
  const pg = postgresSchema('accounts');
  await pg.create();
  return { db: pg.open(4), close: pg.cleanup };
});
