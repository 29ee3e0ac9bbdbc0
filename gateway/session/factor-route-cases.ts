/**
 * Passkeys, the staff's code step and staff administration through the gateway's session routes,
 * as one suite: in process on PGlite (factor-routes.test.ts) and across processes over HTTP on
 * PostgreSQL (remote-factors.int.test.ts, RemoteAccounts ↔ /accounts/v1).
 */
import { Hono } from 'hono';
import { Secret, TOTP } from 'otpauth';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountsPort, MailboxView } from '../../common/accounts.ts';
import { UserTokens } from '../../common/auth.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { createLogger } from '../../common/logger.ts';
import { sessionRoutes } from './routes.ts';

export const ORIGIN = 'https://bids.example.com';
const same = { 'Sec-Fetch-Site': 'same-origin' };
const tokens = new UserTokens({ key: 'factor-routes-user-key-0123456789abcdef', audience: 'api' });

export interface FactorRouteSetup {
  accounts: AccountsPort;
  mailbox: MailboxView;
  /** Creates a staff account directly in the back office. */
  staff(email: string, name: string, roles: ('admin' | 'auctioneer')[]): Promise<void>;
}

export function factorRouteCases(setup: () => Promise<FactorRouteSetup>): void {
  let app: Hono;
  let s: FactorRouteSetup;
  beforeAll(async () => {
    s = await setup();
    app = new Hono();
    app.onError(errorHandler(createLogger('factor-routes-test', 'silent')));
    app.route('/', sessionRoutes({ accounts: s.accounts, tokens, publicOrigin: ORIGIN }));
  }, 60_000);

  const req = (
    path: string,
    init: {
      method?: string;
      cookie?: string;
      headers?: Record<string, string>;
      body?: unknown;
      form?: Record<string, string | string[]>;
    } = {},
  ) => {
    const headers: Record<string, string> = { ...same, ...init.headers };
    if (init.cookie !== undefined) headers.Cookie = init.cookie;
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const x of [v].flat()) p.append(k, x);
      body = p.toString();
    } else if (init.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    return app.request(`${ORIGIN}${path}`, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
  };
  const linkFor = (to: string): string => {
    const mail = s.mailbox.list().find((m) => m.to.toLowerCase() === to.toLowerCase());
    const url = /https:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec(mail?.text ?? '')?.[0];
    if (url === undefined) throw new Error(`no link mailed to ${to}`);
    return new URL(url).searchParams.get('token')!;
  };
  /** Signs in by link: the cookie and where the sign-in sent the browser. */
  const signIn = async (email: string): Promise<{ cookie: string; location: string }> => {
    expect((await req('/v1/session/link', { body: { email } })).status).toBe(202);
    const res = await req('/sign-in/link', { form: { token: linkFor(email) } });
    expect(res.status).toBe(303);
    return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, location: res.headers.get('location')! };
  };
  const csrfOf = async (cookie: string): Promise<string> =>
    ((await (await req('/v1/session', { cookie })).json()) as { csrfToken: string }).csrfToken;
  const errorCode = async (res: Response): Promise<string> =>
    ((await res.json()) as { error: { code: string } }).error.code;

  describe('passkeys at the gateway', () => {
    it('answers sign-in options for PUBLIC_ORIGIN, only to our own origin, and refuses a bogus answer by name', async () => {
      const res = await req('/v1/session/passkey/options', { body: {} });
      expect(res.status).toBe(200);
      const { challengeId, options } = (await res.json()) as {
        challengeId: string;
        options: { rpId: string };
      };
      expect(options.rpId).toBe('bids.example.com');
      const other = await req('/v1/session/passkey/options', {
        body: {},
        headers: { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
      });
      expect(await errorCode(other)).toBe('CSRF_FAILED');
      const bogus = await req('/v1/session/passkey', {
        body: {
          challengeId,
          response: {
            id: 'AAAA',
            rawId: 'AAAA',
            type: 'public-key',
            clientExtensionResults: {},
            response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
          },
        },
      });
      expect(bogus.status).toBe(400);
      expect(await errorCode(bogus)).toBe('PASSKEY_INVALID');
      expect(bogus.headers.get('set-cookie')).toBeNull();
    });

    it('gives registration options to a signed-in person with the CSRF token only', async () => {
      await s.accounts.requestLink({ email: 'pk@example.com', name: 'Pk', origin: ORIGIN });
      const res = await req('/sign-in/link', { form: { token: linkFor('pk@example.com') } });
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      expect(await errorCode(await req('/v1/session/passkeys/options', { cookie, body: {} }))).toBe(
        'CSRF_FAILED',
      );
      const ok = await req('/v1/session/passkeys/options', {
        cookie,
        body: {},
        headers: { 'X-CSRF-Token': await csrfOf(cookie) },
      });
      const { options } = (await ok.json()) as { options: { user: { name: string }; rp: { id: string } } };
      expect(options).toMatchObject({ user: { name: 'pk@example.com' }, rp: { id: 'bids.example.com' } });
      const list = (await (await req('/v1/session/passkeys', { cookie })).json()) as { passkeys: unknown[] };
      expect(list.passkeys).toEqual([]);
    });
  });

  describe('the staff code step and staff administration at the gateway', () => {
    it('enrols an admin in TOTP by form, asks for the code at the next sign-in, then lets them manage staff', async () => {
      await s.staff('chief@house.example', 'Chief', ['admin']);
      const first = await signIn('chief@house.example');
      expect(first.location).toBe('/floor');
      const csrf = await csrfOf(first.cookie);
      const setUp = await req('/account/totp', { cookie: first.cookie, form: { csrf } });
      expect(setUp.status).toBe(200);
      expect(setUp.headers.get('content-security-policy')).toContain("default-src 'none'");
      const page = await setUp.text();
      expect(page).toContain('<svg');
      const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page)![1]!;
      const uri = /id="totp-uri">([^<]+)</.exec(page)![1]!.replace(/&amp;/g, '&');
      const totp = new TOTP({ secret: Secret.fromBase32(secret) });
      const wrong = await req('/account/totp/confirm', {
        cookie: first.cookie,
        form: { csrf, uri, code: '12' },
      });
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain(secret);
      const confirmed = await req('/account/totp/confirm', {
        cookie: first.cookie,
        form: { csrf, uri, code: totp.generate() },
      });
      expect(await confirmed.text()).toMatch(/id="recovery-codes">(\w{4}-){3}\w{4}/);

      const second = await signIn('chief@house.example');
      expect(second.location).toBe('/sign-in/code');
      expect((await req('/v1/session', { cookie: second.cookie })).status).toBe(401);
      const codePage = await (await req('/sign-in/code', { cookie: second.cookie })).text();
      const codeCsrf = /name="csrf" value="([^"]+)"/.exec(codePage)![1]!;
      const refused = await req('/sign-in/code', {
        cookie: second.cookie,
        form: { csrf: codeCsrf, code: '000000x' },
      });
      expect(refused.status).toBe(400);
      const done = await req('/sign-in/code', {
        cookie: second.cookie,
        form: { csrf: codeCsrf, code: totp.generate({ timestamp: Date.now() + 30_000 }) },
      });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/floor');
      const cookie = second.cookie;
      const adminCsrf = await csrfOf(cookie);

      // Staff administration in JSON: CSRF and the admin role.
      const invite = { email: 'aide@house.example', name: 'Aide', roles: ['auctioneer'] };
      expect(await errorCode(await req('/v1/staff/invitations', { cookie, body: invite }))).toBe(
        'CSRF_FAILED',
      );
      const invited = await req('/v1/staff/invitations', {
        cookie,
        body: invite,
        headers: { 'X-CSRF-Token': adminCsrf },
      });
      expect(invited.status).toBe(201);
      const aide = (await invited.json()) as { id: string; roles: string[] };
      expect(aide.roles).toEqual(['auctioneer']);
      const bad = await req('/v1/staff/invitations', {
        cookie,
        body: { ...invite, email: 'x@house.example', roles: ['owner'] },
        headers: { 'X-CSRF-Token': adminCsrf },
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { details: { field: string } } }).error.details.field).toBe(
        'roles',
      );

      const aideSession = await req('/sign-in/link', { form: { token: linkFor('aide@house.example') } });
      const aideCookie = aideSession.headers.get('set-cookie')!.split(';')[0]!;
      expect(await errorCode(await req('/v1/staff', { cookie: aideCookie }))).toBe('FORBIDDEN');
      expect((await req('/admin/staff', { cookie: aideCookie })).status).toBe(403);

      const roles = await req(`/v1/staff/${aide.id}/roles`, {
        cookie,
        body: { roles: ['admin', 'auctioneer'] },
        headers: { 'X-CSRF-Token': adminCsrf },
      });
      expect(((await roles.json()) as { roles: string[] }).roles).toEqual(['admin', 'auctioneer']);
      const listed = (await (await req('/v1/staff', { cookie })).json()) as {
        staff: { account: { email: string }; sessions: unknown[]; totp: boolean }[];
      };
      expect(listed.staff.find((m) => m.account.email === 'aide@house.example')?.sessions).toHaveLength(1);
      expect(listed.staff.find((m) => m.account.email === 'chief@house.example')?.totp).toBe(true);

      // The page's forms: disable the aide (her session ends), with the CSRF field.
      const disable = await req(`/admin/staff/${aide.id}/status`, {
        cookie,
        form: { csrf: adminCsrf, status: 'disabled' },
      });
      expect(disable.status).toBe(303);
      expect(disable.headers.get('location')).toBe('/admin/staff?notice=disabled');
      expect((await req('/v1/session', { cookie: aideCookie })).status).toBe(401);
      const self = await req(
        `/admin/staff/${((await (await req('/v1/session', { cookie })).json()) as { account: { id: string } }).account.id}/status`,
        {
          cookie,
          form: { csrf: adminCsrf, status: 'disabled' },
        },
      );
      expect(self.status).toBe(403);
      expect(await self.text()).toContain('cannot remove their own admin role or disable themselves');
    });
  });
}
