import { pgliteDatabase } from '../ledger/db.ts';
import { accountsServiceCases } from './service-cases.ts';

// In-memory PGlite: the embedded default's database.
accountsServiceCases(async () => {
  const db = await pgliteDatabase();
  return { db, close: () => db.close() };
});
