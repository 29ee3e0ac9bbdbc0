import { SignJWT } from 'jose';
import { audienceFor, TOKEN_ISSUER, type Audience, type Role } from '../../common/auth.ts';

/** The bidder-mask key of the test gateways, engines and back offices: processes sharing a Redis agree on masks. */
export const TEST_MASK_KEY = 'test-mask-key-0123456789abcdef0123456789abcdef';

/** Claims of a user token; a key set to undefined is left out of the token. */
export type TokenClaims = Record<string, string | number | undefined>;

/**
 * The claims of a token a Gavel service accepts — `sub`, `role`, `iss`, `aud`, `iat` now and `exp`
 * an hour later (admin: 20 minutes) — with `overrides` on top, to craft the tokens UserTokens
 * refuses (no `exp`, a century-long life, an `iat` in the future, another audience…).
 */
export function tokenClaims(
  user: { id: string; role: Role },
  audience: Audience,
  overrides: TokenClaims = {},
): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: user.id,
    role: user.role,
    iss: TOKEN_ISSUER,
    aud: audienceFor(audience, user.role),
    iat: now,
    exp: now + (user.role === 'admin' ? 1200 : 3600),
    ...overrides,
  };
}

/** An HS256 token with exactly these claims (undefined ones left out), signed with `key`. */
export function signClaims(key: string, claims: TokenClaims): Promise<string> {
  const present = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  return new SignJWT(present)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(key));
}
