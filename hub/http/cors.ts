/**
 * CORS for the hub. A listed origin is answered with itself and credentials, so cookie
 * authorisation works cross-origin for that site only. `*` is answered with a literal `*` and no
 * credentials: any site may read public updates, and browsers send no cookie on such a request
 * (reflecting any origin with credentials let a foreign site read a bidder's private stream).
 */
export function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (origin === undefined || allowed.length === 0) return {};
  const expose = 'Last-Event-ID, Link, Retry-After';
  if (allowed.includes(origin))
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': expose,
      Vary: 'Origin',
    };
  if (allowed.includes('*'))
    return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': expose, Vary: 'Origin' };
  return {};
}

export function preflightHeaders(
  origin: string | undefined,
  allowed: readonly string[],
): Record<string, string> {
  const base = corsHeaders(origin, allowed);
  if (Object.keys(base).length === 0) return {};
  return {
    ...base,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID, Cache-Control',
    'Access-Control-Max-Age': '600',
  };
}

/**
 * Whether a cookie-authenticated publish may come from this origin. `*` is refused at start-up
 * while a JWT key is set (see assertSafeConfig), so it only ever stands here on a hub that verifies nothing.
 */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes('*') || allowed.includes(origin);
}

/** The origin of a request for CSRF checks: `Origin`, else the origin of `Referer`. */
export function requestOrigin(origin: string | undefined, referer: string | undefined): string | undefined {
  if (origin !== undefined && origin !== '' && origin !== 'null') return origin;
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
