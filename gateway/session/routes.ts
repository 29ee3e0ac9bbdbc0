/**
 * Sign-in by one-time email link and the cookie session it opens (docs/accounts.md):
 * - pages: GET/POST /sign-in, GET /sign-in/sent, GET/POST /sign-in/link, GET /account, POST /sign-out;
 * - JSON: /v1/session (who am I, the CSRF token), /v1/session/link, /v1/session/token (a short
 *   bearer token for the existing APIs), sign-out, sign-out everywhere, sessions, an admin's revoke;
 * - GET /dev/mail: the local outbox, with the demo only and from this machine only.
 * Every request the cookie authenticates must come from PUBLIC_ORIGIN; the state-changing ones
 * also carry the session's CSRF token.
 */
import { Hono, type Context } from 'hono';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { AccountsPort, MailboxView, ResolvedSession } from '../../common/accounts.ts';
import type { InvitationsPort } from '../../common/invitations.ts';
import { MAX_TOKEN_SECONDS, type Role, type User, type UserTokens } from '../../common/auth.ts';
import type { SignInResponse } from '../../common/contracts/index.ts';
import { AppError } from '../../common/errors.ts';
import { parseJson, readBodyText, readJson } from '../../common/http-body.ts';
import { localOnly } from '../demo/sign-in.ts';
import { consumeLink, createLinkLimiter } from './link-limit.ts';
import { clearSessionCookie, takeNextCookie, writeNextCookie, writeSessionCookie } from './cookie.ts';
import { safeNextPath } from '../../clients/src/next-path.ts';
import { langHeaders, langOf } from '../i18n.ts';
import { csrfTokenFor } from './csrf.ts';
import { factorRoutes } from './factor-routes.ts';
import { landingFor, sessionKit, type SessionKitDeps } from './kit.ts';
import { passkeyRoutes } from './passkey-routes.ts';
import { staffRoutes } from './staff-routes.ts';
import { accountPage } from './account-pages.ts';
import { confirmPage, devMailPage, linkInvalidPage, linkSentPage, signInPage } from './pages.ts';

/** How long a bearer token from a session lives: minutes, the page asks again. */
export const SESSION_TOKEN_SECONDS = 5 * 60;

export interface SessionRoutesDeps extends SessionKitDeps {
  /** The back office's accounts; a promise when it starts after the gateway (embedded), undefined when there is none. */
  accounts: AccountsPort | Promise<AccountsPort | undefined> | undefined;
  /** The gateway's API tokens (audience `api`). */
  tokens: UserTokens;
  /** Admin-API tokens (audience `admin`), when this gateway may mint them (embedded). */
  adminTokens?: UserTokens | undefined;
  /** PUBLIC_ORIGIN: where the links point and the only origin whose requests the cookie authenticates. */
  publicOrigin: string;
  /** The local outbox to show at /dev/mail (the embedded demo). */
  mailbox?: MailboxView | undefined;
  /** Offer /dev/mail beyond this machine too (GAVEL_DEMO_ALLOW_REMOTE). */
  allowRemote?: boolean;
  /** Links per address (link-limit.ts); default: in this process. */
  linkLimiter?: RateLimiterAbstract | undefined;
  /** Told of each link refused by `linkLimiter` (the gateway's rate-limit metric). */
  onLinkLimited?: (() => void) | undefined;
  /** Invitations to invite-only sales, for `/invite/<token>` (session/invite.ts); like `accounts`. */
  invitations?: InvitationsPort | Promise<InvitationsPort | undefined> | undefined;
}

const linkBody = z.strictObject({
  email: z.string({ error: 'email is required' }).max(254),
  name: z.string().max(100).optional(),
});
const tokenBody = z.strictObject({ audience: z.enum(['api', 'admin']).optional() });
const revokeBody = z.strictObject({ ref: z.string({ error: 'ref is required' }).min(1).max(100) });

/** The role a session's bearer token carries for an audience; undefined when the account has none there. */
export function tokenRole(account: ResolvedSession['account'], audience: 'api' | 'admin'): Role | undefined {
  if (account.kind === 'bidder') return audience === 'api' ? 'bidder' : undefined;
  if (audience === 'admin') return account.roles.includes('admin') ? 'admin' : undefined;
  return account.roles.includes('auctioneer')
    ? 'auctioneer'
    : account.roles.includes('admin')
      ? 'admin'
      : undefined;
}

export function sessionRoutes(deps: SessionRoutesDeps): Hono {
  const app = new Hono();
  const kit = sessionKit(deps);
  const { secure, port, fromOurOrigin, pageHeaders, current, signedIn, readForm } = kit;
  const linkLimiter = deps.linkLimiter ?? createLinkLimiter(undefined, 'gavel');
  /** Asks the back office for a link, within the address's share. */
  const requestLink = async (email: string, name: string | undefined): Promise<void> => {
    const accounts = await port();
    await consumeLink(linkLimiter, email, deps.onLinkLimited);
    await accounts.requestLink({ email, name, origin: deps.publicOrigin });
  };
  const formField = async (c: Context, name: string): Promise<string | undefined> =>
    (await readForm(c)).get(name) ?? undefined;

  // --- pages ---
  app.get('/sign-in', async (c) => {
    const script = await kit.passkeyScript();
    pageHeaders(c, { script: script !== undefined });
    const next = safeNextPath(c.req.query('next'));
    return c.html(signInPage({ demo: deps.mailbox !== undefined, script, lang: langOf(c), next }));
  });
  app.post('/sign-in', async (c) => {
    fromOurOrigin(c);
    pageHeaders(c);
    const form = await readForm(c);
    const email = form.get('email') ?? '';
    const name = form.get('name') ?? undefined;
    const next = safeNextPath(form.get('next'));
    try {
      await requestLink(email, name);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'VALIDATION_FAILED' || err.code === 'RATE_LIMITED'))
        return c.html(
          signInPage({
            error: err.message,
            demo: deps.mailbox !== undefined,
            script: undefined,
            lang: langOf(c),
            next,
          }),
          err.code === 'RATE_LIMITED' ? 429 : 400,
        );
      throw err;
    }
    // The emailed link opens in this browser, most often: it comes back here then (POST /sign-in/link).
    if (next !== undefined) writeNextCookie(c, secure, next);
    return c.redirect('/sign-in/sent', 303);
  });
  app.get('/sign-in/sent', (c) => {
    pageHeaders(c);
    return c.html(linkSentPage(langOf(c)));
  });
  app.get('/sign-in/link', (c) => {
    pageHeaders(c, { referrer: 'no-referrer' });
    return c.html(confirmPage(c.req.query('token') ?? '', langOf(c)));
  });
  app.post('/sign-in/link', async (c) => {
    fromOurOrigin(c);
    pageHeaders(c);
    const token = (await formField(c, 'token')) ?? '';
    try {
      const opened = await (await port()).consumeLink(token, c.req.header('user-agent'));
      writeSessionCookie(c, secure, opened.secret, new Date(opened.expiresAt));
      return c.redirect(landingFor(opened, takeNextCookie(c, secure)), 303);
    } catch (err) {
      if (err instanceof AppError && err.code === 'LINK_INVALID')
        return c.html(linkInvalidPage(langOf(c)), 400);
      throw err;
    }
  });
  app.get('/account', async (c) => {
    const s = await current(c);
    if (s === undefined) {
      pageHeaders(c);
      return c.redirect('/sign-in', 303);
    }
    const script = await kit.passkeyScript();
    pageHeaders(c, { script: script !== undefined });
    const accounts = await port();
    const { id, kind, name, email } = s.session.account;
    // A bidder's page in their language; staff pages stay English (docs/bidders.md, "Languages").
    const lang = kind === 'bidder' ? langOf(c) : undefined;
    if (lang !== undefined) langHeaders(c, lang);
    const [passkeys, totp] = await Promise.all([
      accounts.passkeys(id),
      kind === 'staff' ? accounts.totpStatus(id) : Promise.resolve(undefined),
    ]);
    return c.html(
      accountPage({
        name,
        email,
        csrf: csrfTokenFor(s.secret),
        passkeys,
        totp,
        admin: s.session.account.roles.includes('admin'),
        bidder: kind === 'bidder',
        script,
        notice: c.req.query('notice'),
        lang,
      }),
    );
  });
  app.post('/sign-out', async (c) => {
    const s = await signedIn(c, await formField(c, 'csrf'));
    const accounts = await port();
    if (c.req.query('everywhere') === '1') await accounts.signOutEverywhere(s.session.account.id);
    else await accounts.signOut(s.secret);
    clearSessionCookie(c, secure);
    return c.redirect('/sign-in', 303);
  });

  // --- JSON ---
  app.get('/v1/session', async (c) => {
    c.header('Cache-Control', 'no-store');
    const s = await current(c);
    if (s === undefined) throw new AppError('UNAUTHENTICATED', 'no session: sign in at /sign-in');
    return c.json({
      account: s.session.account,
      session: { ref: s.session.ref, expiresAt: s.session.expiresAt },
      csrfToken: csrfTokenFor(s.secret),
    });
  });
  app.post('/v1/session/link', async (c) => {
    fromOurOrigin(c);
    const { email, name } = linkBody.parse(await readJson(c));
    await requestLink(email, name);
    return c.json({ sent: 'if the address may sign in here' }, 202);
  });
  // Reads only (a token for the caller): from our origin suffices, no CSRF token needed.
  app.post('/v1/session/token', async (c) => {
    const s = await signedIn(c, false);
    const raw = await readBodyText(c);
    const { audience = 'api' } = tokenBody.parse(raw.trim() === '' ? {} : parseJson(raw));
    const role = tokenRole(s.session.account, audience);
    const tokens = audience === 'admin' ? deps.adminTokens : deps.tokens;
    if (role === undefined || tokens === undefined)
      throw new AppError(
        'FORBIDDEN',
        `this account has no ${audience === 'admin' ? 'admin' : 'API'} role here`,
      );
    const user: User & { name: string } = { id: s.session.account.id, role, name: s.session.account.name };
    const ttl = Math.min(SESSION_TOKEN_SECONDS, MAX_TOKEN_SECONDS[role]);
    const token = await tokens.sign(user, ttl);
    c.header('Cache-Control', 'no-store');
    return c.json({
      token,
      user,
      audience,
      expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
    } satisfies SignInResponse & Record<string, unknown>);
  });
  app.post('/v1/session/sign-out', async (c) => {
    const s = await signedIn(c, c.req.header('x-csrf-token'));
    await (await port()).signOut(s.secret);
    clearSessionCookie(c, secure);
    return c.body(null, 204);
  });
  app.post('/v1/session/sign-out-everywhere', async (c) => {
    const s = await signedIn(c, c.req.header('x-csrf-token'));
    const revoked = await (await port()).signOutEverywhere(s.session.account.id);
    clearSessionCookie(c, secure);
    return c.json({ revoked });
  });
  app.get('/v1/session/sessions', async (c) => {
    // A read: another site's page cannot read the answer (no CORS), so no origin check, as GET /v1/session.
    const s = await current(c);
    if (s === undefined) throw new AppError('UNAUTHENTICATED', 'no session: sign in at /sign-in');
    c.header('Cache-Control', 'no-store');
    return c.json({ sessions: await (await port()).sessions(s.session.account.id) });
  });
  app.post('/v1/session/revoke', async (c) => {
    const s = await signedIn(c, c.req.header('x-csrf-token'));
    const { ref } = revokeBody.parse(await readJson(c));
    await (await port()).revokeStaffSession(s.session.account.id, ref);
    return c.body(null, 204);
  });

  app.route('/', passkeyRoutes(kit));
  app.route('/', factorRoutes(kit));
  app.route('/', staffRoutes(kit));

  // --- the local outbox ---
  const mailbox = deps.mailbox;
  if (mailbox !== undefined) {
    if (deps.allowRemote !== true) app.use('/dev/*', localOnly());
    app.get('/dev/mail', (c) => {
      pageHeaders(c);
      return c.html(devMailPage(mailbox.list()));
    });
  }
  return app;
}
