/**
 * The pages' side of the email-link sign-in (docs/accounts.md): the gateway's session cookie is
 * HttpOnly, so a page never sees it; it asks for a short bearer token instead, and ends the session
 * at the server on sign-out (with the session's CSRF token).
 */
import { api, type Session } from './api.ts';
import { signInResponseSchema } from '../../common/contracts/index.ts';

/** A bearer token for the cookie session of this browser, or undefined when it has none. */
export function tokenFromCookie(): Promise<Session | undefined> {
  return api('/v1/session/token', signInResponseSchema, { method: 'POST', body: {} }).catch(() => undefined);
}

/** A token's `iat` and `exp` in seconds (unverified: the gateway verifies); undefined when unreadable. */
function tokenTimes(token: string): { iat: number | undefined; exp: number } | undefined {
  try {
    const part = token.split('.')[1] ?? '';
    const { iat, exp } = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      iat?: unknown;
      exp?: unknown;
    };
    return typeof exp === 'number' ? { iat: typeof iat === 'number' ? iat : undefined, exp } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a held token has expired (its `exp`, unverified: the gateway verifies). */
export function tokenExpired(token: string, now = Date.now()): boolean {
  const t = tokenTimes(token);
  return t !== undefined && t.exp * 1000 <= now;
}

/** Tokens exchanged for a cookie session live minutes: such a one is renewed before it expires. */
const SESSION_TOKEN_MAX_SECONDS = 10 * 60;

/**
 * When to renew a token from the cookie session: a minute before it expires (at least 5 s from
 * now); undefined for a token that is no session's (a demo's or a pasted one lives for hours).
 */
export function renewAt(token: string, now = Date.now()): number | undefined {
  const t = tokenTimes(token);
  if (t?.iat === undefined || t.exp - t.iat > SESSION_TOKEN_MAX_SECONDS) return undefined;
  return Math.max(now + 5_000, t.exp * 1000 - 60_000);
}

/**
 * Keeps a session's bearer token fresh from the cookie: the pages read `session.token` at each
 * use, so it is replaced in place. Stops when the cookie session has ended or is someone else's
 * (the next call then answers TOKEN_EXPIRED, and the page says to sign in again).
 */
export function keepFresh(session: Session, save: (s: Session) => void): void {
  const at = renewAt(session.token);
  if (at === undefined) return;
  setTimeout(() => {
    void tokenFromCookie().then((next) => {
      if (next === undefined || next.user.id !== session.user.id || next.user.role !== session.user.role)
        return;
      session.token = next.token;
      save(session);
      keepFresh(session, save);
    });
  }, at - Date.now());
}

/** Revokes this browser's cookie session, if it has one. */
export async function endCookieSession(): Promise<void> {
  const res = await fetch('/v1/session', { cache: 'no-store' }).catch(() => undefined);
  if (res?.ok !== true) return;
  const { csrfToken } = (await res.json()) as { csrfToken?: unknown };
  if (typeof csrfToken !== 'string') return;
  await fetch('/v1/session/sign-out', { method: 'POST', headers: { 'X-CSRF-Token': csrfToken } }).catch(
    () => undefined,
  );
}
