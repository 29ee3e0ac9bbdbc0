import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on another site's
 * POSTs; sent when a link to us is followed), Path=/. Behind TLS (PUBLIC_ORIGIN https) it is Secure
 * and takes the `__Host-` prefix, which browsers only accept from a secure origin with no Domain.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-gavel_session' : 'gavel_session';
}

export function readSessionCookie(c: Context, secure: boolean): string | undefined {
  const v = getCookie(c, sessionCookieName(secure));
  return v === undefined || v === '' ? undefined : v;
}

export function writeSessionCookie(c: Context, secure: boolean, secret: string, expiresAt: Date): void {
  setCookie(c, sessionCookieName(secure), secret, {
    path: '/',
    httpOnly: true,
    secure,
    sameSite: 'Lax',
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, sessionCookieName(secure), { path: '/', secure, httpOnly: true, sameSite: 'Lax' });
}

/**
 * `/sign-in?next=`, kept while the emailed link is on its way (the link itself is the back office's
 * and carries no `next`): HttpOnly, SameSite=Lax, as long as a link lives. Read once, then cleared.
 */
const NEXT_COOKIE = 'gavel_next';

export function writeNextCookie(c: Context, secure: boolean, next: string): void {
  setCookie(c, NEXT_COOKIE, next, { path: '/', httpOnly: true, secure, sameSite: 'Lax', maxAge: 15 * 60 });
}

/** The kept `next` (unchecked: landingFor checks it), and the cookie cleared. */
export function takeNextCookie(c: Context, secure: boolean): string | undefined {
  const v = getCookie(c, NEXT_COOKIE);
  if (v === undefined) return undefined;
  deleteCookie(c, NEXT_COOKIE, { path: '/', secure, httpOnly: true, sameSite: 'Lax' });
  return v;
}
