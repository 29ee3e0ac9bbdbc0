/**
 * What every session route needs: the back office's port, the origin and CSRF checks, the cookie's
 * session, the pages' headers and the form reader. One kit per `sessionRoutes`, shared by its
 * route files (routes.ts, passkey-routes.ts, factor-routes.ts, staff-routes.ts).
 */
import type { Context } from 'hono';
import type { AccountsPort, OpenedSession, RelyingParty, ResolvedSession } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import { readBodyText } from '../../common/http-body.ts';
import type { ClientAssets } from '../routes/clients.ts';
import { readSessionCookie } from './cookie.ts';
import { safeNextPath } from '../../clients/src/next-path.ts';
import { csrfTokenMatches, sameOrigin } from './csrf.ts';

export interface SessionKitDeps {
  accounts: AccountsPort | Promise<AccountsPort | undefined> | undefined;
  publicOrigin: string;
  /** The bundled clients: the passkey script's URL (no bundle, no passkey buttons). */
  clients?: Promise<ClientAssets> | undefined;
}

export type CurrentSession = { secret: string; session: ResolvedSession };

export interface SessionKit {
  secure: boolean;
  publicOrigin: string;
  /** The relying party of passkeys: PUBLIC_ORIGIN's host and origin. */
  rp: RelyingParty;
  port: () => Promise<AccountsPort>;
  fromOurOrigin: (c: Context) => void;
  /** `referrer`: `no-referrer` for a page whose URL holds a link's token. `script`: the page loads our bundle. */
  pageHeaders: (c: Context, opts?: { referrer?: 'same-origin' | 'no-referrer'; script?: boolean }) => void;
  current: (c: Context) => Promise<CurrentSession | undefined>;
  /** A cookie-authenticated request: from our origin, signed in, and when `csrf` is not false with the session's token. */
  signedIn: (c: Context, csrf: string | undefined | false) => Promise<CurrentSession>;
  readForm: (c: Context) => Promise<URLSearchParams>;
  /** The passkey script's URL, when the clients are bundled. */
  passkeyScript: () => Promise<string | undefined>;
}

/**
 * Where a new session goes: the code step when it waits for one, else `next` (a checked same-origin
 * path from `/sign-in?next=`) when there is one, else the bidder's or the floor's page.
 */
export function landingFor(opened: OpenedSession, next?: string): string {
  if (opened.pendingFactor !== undefined) return '/sign-in/code';
  const back = safeNextPath(next);
  if (back !== undefined) return back;
  return opened.account.kind === 'bidder' ? '/bid' : '/floor';
}

export function sessionKit(deps: SessionKitDeps): SessionKit {
  const secure = new URL(deps.publicOrigin).protocol === 'https:';
  const origin = new URL(deps.publicOrigin);
  const port = async (): Promise<AccountsPort> => {
    const p = await deps.accounts;
    if (p === undefined)
      throw new AppError('ACCOUNTS_UNAVAILABLE', 'accounts need the back office (GAVEL_LEDGER)');
    return p;
  };
  const fromOurOrigin = (c: Context): void => {
    if (
      !sameOrigin(
        { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') },
        deps.publicOrigin,
      )
    )
      throw new AppError('CSRF_FAILED', `a request signed in by cookie must come from ${origin.origin}`);
  };
  const current = async (c: Context): Promise<CurrentSession | undefined> => {
    const secret = readSessionCookie(c, secure);
    if (secret === undefined) return undefined;
    const session = await (await port()).resolve(secret);
    return session === undefined ? undefined : { secret, session };
  };
  return {
    secure,
    publicOrigin: deps.publicOrigin,
    rp: { rpId: origin.hostname, rpName: 'Gavel', origin: origin.origin },
    port,
    fromOurOrigin,
    pageHeaders(c, opts = {}) {
      c.header('Cache-Control', 'no-store');
      c.header('Referrer-Policy', opts.referrer ?? 'same-origin');
      c.header('X-Content-Type-Options', 'nosniff');
      c.header(
        'Content-Security-Policy',
        [
          "default-src 'none'",
          "style-src 'unsafe-inline'",
          // Only our own bundle, and its calls to our own API: no inline script anywhere.
          ...(opts.script === true ? ["script-src 'self'", "connect-src 'self'"] : []),
          "form-action 'self'",
          "base-uri 'none'",
          "frame-ancestors 'none'",
        ].join('; '),
      );
    },
    current,
    async signedIn(c, csrf) {
      fromOurOrigin(c);
      const s = await current(c);
      if (s === undefined) throw new AppError('UNAUTHENTICATED', 'sign in first (/sign-in)');
      if (csrf !== false && !csrfTokenMatches(csrf, s.secret))
        throw new AppError(
          'CSRF_FAILED',
          "send the session's CSRF token (X-CSRF-Token, from GET /v1/session)",
        );
      return s;
    },
    async readForm(c) {
      const type = c.req.header('content-type') ?? '';
      if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the form as application/x-www-form-urlencoded');
      return new URLSearchParams(await readBodyText(c));
    },
    async passkeyScript() {
      if (deps.clients === undefined) return undefined;
      return (await deps.clients).scripts.passkey;
    },
  };
}
