import { pgliteDatabase } from '../ledger/db.ts';
import { accountFactorCases } from './factor-cases.ts';

// In-memory PGlite: the embedded default's database.
accountFactorCases(async () => {
  const db = await pgliteDatabase();
  return { db, close: () => db.close() };
});
