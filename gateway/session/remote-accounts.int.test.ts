import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserTokens } from '../../common/auth.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { createLogger } from '../../common/logger.ts';
import { accountsRoutes, DevMailbox, startAccounts, type AccountsService } from '../../orchestrator/index.ts';
import { migrate } from '../../orchestrator/ledger.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { tracked } from '../../test/support/registry.ts';
import { RemoteAccounts } from './remote-accounts.ts';
import { sessionRoutes } from './routes.ts';

/**
 * The distributed topology's sign-in: the gateway's session routes reach the back office's accounts
 * (PostgreSQL) over HTTP, with the shared service token — the same flow as in process.
 */
const ORIGIN = 'https://bids.example.com';
const SERVICE_TOKEN = 'accounts-service-token-for-tests';
const logger = createLogger('remote-accounts-test', 'silent');
const pg = postgresSchema('remote_accounts');
const mailbox = new DevMailbox();
let accounts: AccountsService;
let officeUrl: string;
let gateway: Hono;
const tokens = new UserTokens({ key: 'remote-accounts-user-key-0123456789abcdef', audience: 'api' });

beforeAll(async () => {
  await pg.create();
  const db = pg.open(4);
  await migrate(db);
  accounts = startAccounts(db, { mailbox, logger }).accounts;
  const office = new Hono();
  office.onError(errorHandler(logger));
  office.route('/accounts/v1', accountsRoutes(accounts, SERVICE_TOKEN));
  const server = tracked('accounts API', createServer(getRequestListener(office.fetch)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  officeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway = new Hono();
  gateway.onError(errorHandler(logger));
  gateway.route(
    '/',
    sessionRoutes({ accounts: new RemoteAccounts(officeUrl, SERVICE_TOKEN), tokens, publicOrigin: ORIGIN }),
  );
}, 60_000);
afterAll(() => pg.cleanup());

const same = { 'Sec-Fetch-Site': 'same-origin' };

describe('sign-in across processes (RemoteAccounts ↔ /accounts/v1 on PostgreSQL)', () => {
  it('signs up, opens a session, exchanges it for a token and signs out, through the accounts API', async () => {
    const sent = await gateway.request(`${ORIGIN}/v1/session/link`, {
      method: 'POST',
      headers: { ...same, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'remote@example.com', name: 'Remote' }),
    });
    expect(sent.status).toBe(202);
    const token = new URL(/https:\/\/\S+/.exec(mailbox.list()[0]!.text)![0]).searchParams.get('token')!;
    const consume = () =>
      gateway.request(`${ORIGIN}/sign-in/link`, {
        method: 'POST',
        headers: { ...same, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
    const done = await consume();
    expect(done.status).toBe(303);
    const cookie = done.headers.get('set-cookie')!.split(';')[0]!;
    // The back office's refusal (LINK_INVALID) crosses the wire as itself.
    expect((await consume()).status).toBe(400);

    const me = await gateway.request(`${ORIGIN}/v1/session`, { headers: { Cookie: cookie } });
    const { account, csrfToken } = (await me.json()) as { account: { name: string }; csrfToken: string };
    expect(account.name).toBe('Remote');
    const exchanged = await gateway.request(`${ORIGIN}/v1/session/token`, {
      method: 'POST',
      headers: { ...same, Cookie: cookie },
    });
    const { token: bearer } = (await exchanged.json()) as { token: string };
    expect((await tokens.verify(bearer)).role).toBe('bidder');

    const out = await gateway.request(`${ORIGIN}/v1/session/sign-out`, {
      method: 'POST',
      headers: { ...same, Cookie: cookie, 'X-CSRF-Token': csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await gateway.request(`${ORIGIN}/v1/session`, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('refuses a caller without the service token', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-of-some-length']) {
      const res = await fetch(`${officeUrl}/accounts/v1/sessions/resolve`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(auth === undefined ? {} : { Authorization: auth }),
        },
        body: JSON.stringify({ secret: 'x' }),
      });
      expect(res.status).toBe(401);
    }
  });
});
