/**
 * CSRF defences for requests a session cookie authenticates: the request must come from the
 * public origin (Sec-Fetch-Site, else Origin), and a state-changing one must also carry the
 * session's CSRF token (a form field or the `X-CSRF-Token` header). The token is derived from the
 * session's secret, so it needs no storage and another site cannot know it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface OriginHeaders {
  origin: string | undefined;
  secFetchSite: string | undefined;
}

/**
 * Whether a request comes from `publicOrigin`'s own pages. Browsers send Sec-Fetch-Site on every
 * request and Origin on every POST; pages can forge neither. Both, when present, must say so:
 * `same-origin`, and the public origin exactly. A request with neither is not a browser's and is
 * refused too: cookies are for browsers, scripts use bearer tokens.
 */
export function sameOrigin(h: OriginHeaders, publicOrigin: string): boolean {
  // `Origin: null` says nothing (a page with Referrer-Policy: no-referrer posts it): Sec-Fetch-Site decides then.
  const origin = h.origin === 'null' ? undefined : h.origin;
  if (h.secFetchSite === undefined && origin === undefined) return false;
  if (h.secFetchSite !== undefined && h.secFetchSite !== 'same-origin') return false;
  return origin === undefined || origin === new URL(publicOrigin).origin;
}

/** The session's CSRF token: SHA-256 of a label and the session secret, base64url. */
export function csrfTokenFor(sessionSecret: string): string {
  return createHash('sha256').update(`gavel-csrf\0${sessionSecret}`).digest('base64url');
}

/** Whether `given` is the session's CSRF token (compared in constant time). */
export function csrfTokenMatches(given: string | undefined, sessionSecret: string): boolean {
  if (given === undefined) return false;
  const want = Buffer.from(csrfTokenFor(sessionSecret));
  const got = Buffer.from(given);
  return got.length === want.length && timingSafeEqual(got, want);
}
