import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserTokens } from '../../common/auth.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { createLogger } from '../../common/logger.ts';
import { startTestSmtp } from '../../test/support/smtp.ts';
import { startTestBackOffice, until, type TestBackOffice } from '../../test/support/orchestrator.ts';
import { RemoteAccounts } from './remote-accounts.ts';
import { sessionRoutes } from './routes.ts';

/**
 * The deployed topology: `npm run orchestrator` (PostgreSQL) serves /accounts/v1 when given
 * ACCOUNTS_SERVICE_TOKEN and mails the links over SMTP (a local SMTP server here); the gateway's
 * session routes reach it over HTTP.
 */
const ORIGIN = 'https://bids.example.com';
const SERVICE_TOKEN = 'distributed-accounts-token-0123';
let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
let office: TestBackOffice;
let gateway: Hono;
const tokens = new UserTokens({ key: 'distributed-sign-in-user-key-0123456789ab', audience: 'api' });

beforeAll(async () => {
  smtp = await startTestSmtp();
  office = await startTestBackOffice('sign_in', {
    accounts: { serviceToken: SERVICE_TOKEN },
    notify: { email: { smtpUrl: smtp.url, from: 'Gavel <sign-in@gavel.example>' } },
  });
  const logger = createLogger('distributed-sign-in', 'silent');
  gateway = new Hono();
  gateway.onError(errorHandler(logger));
  gateway.route(
    '/',
    sessionRoutes({
      accounts: new RemoteAccounts(office.orch.url!, SERVICE_TOKEN),
      tokens,
      publicOrigin: ORIGIN,
    }),
  );
}, 60_000);

afterAll(async () => {
  await office.close();
  await smtp.close();
});

describe('sign-in in the distributed topology', () => {
  it('mails the link over SMTP, opens the session in PostgreSQL and exchanges it for a token', async () => {
    const sent = await gateway.request(`${ORIGIN}/sign-in`, {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'dist@example.com', name: 'Dist' }).toString(),
    });
    expect(sent.status).toBe(303);
    const mail = await until('the sign-in mail', () => smtp.mails.find((m) => m.to === 'dist@example.com'));
    expect(mail.subject).toMatch(/sign/i);
    const token = new URL(/https:\/\/\S+/.exec(mail.text)![0]).searchParams.get('token')!;
    const done = await gateway.request(`${ORIGIN}/sign-in/link`, {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(done.status).toBe(303);
    const cookie = done.headers.get('set-cookie')!.split(';')[0]!;
    const rows = await office.orch.db.query<{ name: string }>(
      `SELECT a.name FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.revoked_at IS NULL`,
    );
    expect(rows).toEqual([{ name: 'Dist' }]);
    const exchanged = await gateway.request(`${ORIGIN}/v1/session/token`, {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'same-origin', Cookie: cookie },
    });
    expect(exchanged.status).toBe(200);
    const { token: bearer } = (await exchanged.json()) as { token: string };
    expect(await tokens.verify(bearer)).toMatchObject({ role: 'bidder', name: 'Dist' });
  });
});
