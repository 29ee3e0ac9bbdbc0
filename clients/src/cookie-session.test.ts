import { describe, expect, it } from 'vitest';
import { tokenExpired } from './cookie-session.ts';

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
