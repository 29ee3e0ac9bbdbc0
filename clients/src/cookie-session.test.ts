import { describe, expect, it } from 'vitest';
import { renewAt, tokenExpired } from './cookie-session.ts';

const jwt = (claims: Record<string, unknown>): string =>
  `e30.${btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.sig`;

describe('a held token', () => {
  it('is dropped once its exp has passed, kept before', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    expect(tokenExpired(jwt({ exp: now / 1000 - 1 }), now)).toBe(true);
    expect(tokenExpired(jwt({ exp: now / 1000 }), now)).toBe(true);
    expect(tokenExpired(jwt({ exp: now / 1000 + 300 }), now)).toBe(false);
  });

  it('is left to the gateway when it cannot be read', () => {
    expect(tokenExpired('not a token')).toBe(false);
    expect(tokenExpired(jwt({ sub: 'x' }))).toBe(false);
  });
});

describe('a token from the cookie session', () => {
  it('is renewed a minute before it expires; a long-lived one (demo, pasted) is not', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const iat = now / 1000;
    expect(renewAt(jwt({ iat, exp: iat + 300 }), now)).toBe(now + 240_000);
    // Already in its last minute: soon, not in the past.
    expect(renewAt(jwt({ iat: iat - 290, exp: iat + 10 }), now)).toBe(now + 5_000);
    expect(renewAt(jwt({ iat, exp: iat + 12 * 3600 }), now)).toBeUndefined();
    expect(renewAt('not a token', now)).toBeUndefined();
  });
});
