import { afterAll } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { DevMailbox, startAccounts } from '../../orchestrator/index.ts';
import { migrate, pgliteDatabase, type Database } from '../../orchestrator/ledger.ts';
import { factorRouteCases } from './factor-route-cases.ts';

// In process, on in-memory PGlite (the embedded default).
let db: Database | undefined;
factorRouteCases(async () => {
  db = await pgliteDatabase();
  await migrate(db);
  const mailbox = new DevMailbox();
  const { accounts } = startAccounts(db, { mailbox, logger: createLogger('factor-routes', 'silent') });
  return {
    accounts,
    mailbox,
    staff: async (email, name, roles) => {
      await accounts.store.ensure({ kind: 'staff', email, name, roles });
    },
  };
});
afterAll(() => db?.close());
