import { describe, expect, it } from 'vitest';
import { csrfTokenFor, csrfTokenMatches, sameOrigin } from './csrf.ts';

const ORIGIN = 'https://bids.example.com';

describe('the CSRF checks of cookie sessions', () => {
  it('trusts Sec-Fetch-Site when the browser sends it, and only same-origin', () => {
    expect(sameOrigin({ secFetchSite: 'same-origin', origin: undefined }, ORIGIN)).toBe(true);
    for (const site of ['same-site', 'cross-site', 'none'])
      expect(sameOrigin({ secFetchSite: site, origin: ORIGIN }, ORIGIN)).toBe(false);
  });

  it('falls back to Origin, which must be the public origin exactly', () => {
    expect(sameOrigin({ secFetchSite: undefined, origin: ORIGIN }, `${ORIGIN}/`)).toBe(true);
    for (const origin of [
      'https://evil.example.com',
      'http://bids.example.com',
      'https://bids.example.com:8443',
      'https://bids.example.com.evil.example',
      'null',
      undefined,
    ])
      expect(sameOrigin({ secFetchSite: undefined, origin }, ORIGIN), String(origin)).toBe(false);
  });

  it("takes only the session's own CSRF token", () => {
    const secret = 'a'.repeat(43);
    const token = csrfTokenFor(secret);
    expect(token).not.toContain(secret);
    expect(csrfTokenMatches(token, secret)).toBe(true);
    expect(csrfTokenMatches(token, 'b'.repeat(43))).toBe(false);
    expect(csrfTokenMatches(csrfTokenFor('b'.repeat(43)), secret)).toBe(false);
    expect(csrfTokenMatches(undefined, secret)).toBe(false);
    expect(csrfTokenMatches('', secret)).toBe(false);
    expect(csrfTokenMatches(`${token}x`, secret)).toBe(false);
  });
});
