import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserTokens } from '../../common/auth.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { createLogger } from '../../common/logger.ts';
import { startTestSmtp } from '../../test/support/smtp.ts';
import { startTestBackOffice, until, type TestBackOffice } from '../../test/support/orchestrator.ts';
import { panelRoutes } from '../panel/routes.tsx';
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
/** ADMIN_JWT_KEY, given to the orchestrator and to a back-office gateway (opt-in) that serves /admin. */
const ADMIN_KEY = 'distributed-panel-admin-key-0123456789abcd';
const adminTokens = new UserTokens({ key: ADMIN_KEY, audience: 'admin' });

beforeAll(async () => {
  smtp = await startTestSmtp();
  office = await startTestBackOffice('sign_in', {
    accounts: { serviceToken: SERVICE_TOKEN },
    adminJwtKey: ADMIN_KEY,
    notify: { email: { smtpUrl: smtp.url, from: 'Gavel <sign-in@gavel.example>' } },
  });
  const logger = createLogger('distributed-sign-in', 'silent');
  gateway = new Hono();
  gateway.onError(errorHandler(logger));
  const accounts = new RemoteAccounts(office.orch.url!, SERVICE_TOKEN);
  gateway.route('/', sessionRoutes({ accounts, tokens, adminTokens, publicOrigin: ORIGIN }));
  gateway.route(
    '/admin',
    panelRoutes({ accounts, adminTokens, adminApiUrl: `${office.orch.url!}/admin/v1`, publicOrigin: ORIGIN }),
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

  it('serves the /admin panel from a back-office gateway holding ADMIN_JWT_KEY, on the PostgreSQL back office', async () => {
    await office.orch.db.query(
      `INSERT INTO accounts (id, kind, email, name, roles) VALUES ('acc_dist_admin', 'staff', 'boss@example.com', 'Boss', '{admin}')`,
    );
    const form = { 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/x-www-form-urlencoded' };
    await gateway.request(`${ORIGIN}/sign-in`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ email: 'boss@example.com' }).toString(),
    });
    const mail = await until("the admin's sign-in mail", () =>
      smtp.mails.find((m) => m.to === 'boss@example.com'),
    );
    const token = new URL(/https:\/\/\S+/.exec(mail.text)![0]).searchParams.get('token')!;
    const done = await gateway.request(`${ORIGIN}/sign-in/link`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ token }).toString(),
    });
    const cookie = done.headers.get('set-cookie')!.split(';')[0]!;
    // A sale made through the orchestrator's admin API (PostgreSQL) …
    const ops = await adminTokens.sign({ id: 'ops', role: 'admin', name: undefined });
    const made = await fetch(`${office.orch.url!}/admin/v1/sales`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ops}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        id: 'dist-panel-sale',
        mode: 'timed',
        currency: 'EUR',
        title: 'Distributed Panel Sale',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      }),
    });
    expect(made.status).toBe(201);
    // … is on the panel the admin reaches through the gateway, which calls that API with its own short token.
    const page = await gateway.request(`${ORIGIN}/admin/sales`, {
      headers: { 'Sec-Fetch-Site': 'same-origin', Cookie: cookie },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Distributed Panel Sale');
    // Without a session: to the sign-in page.
    const anonymous = await gateway.request(`${ORIGIN}/admin/sales`, {
      headers: { 'Sec-Fetch-Site': 'same-origin' },
    });
    expect([303, 302]).toContain(anonymous.status);
  });
});
