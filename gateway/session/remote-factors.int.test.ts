import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll } from 'vitest';
import { errorHandler } from '../../common/http-errors.ts';
import { createLogger } from '../../common/logger.ts';
import { accountsRoutes, DevMailbox, startAccounts } from '../../orchestrator/index.ts';
import { migrate } from '../../orchestrator/ledger.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { tracked } from '../../test/support/registry.ts';
import { factorRouteCases } from './factor-route-cases.ts';
import { RemoteAccounts } from './remote-accounts.ts';

// The distributed topology: the gateway's routes reach the back office (PostgreSQL) over HTTP.
const SERVICE_TOKEN = 'remote-factors-service-token';
const pg = postgresSchema('remote_factors');
factorRouteCases(async () => {
  await pg.create();
  const db = pg.open(4);
  await migrate(db);
  const logger = createLogger('remote-factors', 'silent');
  const mailbox = new DevMailbox();
  const { accounts } = startAccounts(db, { mailbox, logger });
  const office = new Hono();
  office.onError(errorHandler(logger));
  office.route('/accounts/v1', accountsRoutes(accounts, SERVICE_TOKEN));
  const server = tracked('accounts API', createServer(getRequestListener(office.fetch)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    accounts: new RemoteAccounts(url, SERVICE_TOKEN),
    mailbox,
    staff: async (email, name, roles) => {
      await accounts.store.ensure({ kind: 'staff', email, name, roles });
    },
  };
});
afterAll(() => pg.cleanup());
