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

/** Whether a held token has expired (its `exp`, unverified: the gateway verifies). */
export function tokenExpired(token: string, now = Date.now()): boolean {
  try {
    const part = token.split('.')[1] ?? '';
    const { exp } = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof exp === 'number' && exp * 1000 <= now;
  } catch {
    return false;
  }
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
