import { describe, expect, it } from 'vitest';
import { csrfTokenFor, csrfTokenMatches, sameOrigin } from './csrf.ts';

const ORIGIN = 'https://bids.example.com';

describe('the CSRF checks of cookie sessions', () => {
  it('takes Sec-Fetch-Site: same-origin only, and with an Origin only the public one', () => {
    expect(sameOrigin({ secFetchSite: 'same-origin', origin: undefined }, ORIGIN)).toBe(true);
    expect(sameOrigin({ secFetchSite: 'same-origin', origin: ORIGIN }, ORIGIN)).toBe(true);
    for (const site of ['same-site', 'cross-site', 'none'])
      expect(sameOrigin({ secFetchSite: site, origin: ORIGIN }, ORIGIN)).toBe(false);
    // Same-origin for another host name of this server (http://localhost for http://127.0.0.1): not the public origin.
    expect(sameOrigin({ secFetchSite: 'same-origin', origin: 'https://other.example.com' }, ORIGIN)).toBe(
      false,
    );
    expect(sameOrigin({ secFetchSite: undefined, origin: undefined }, ORIGIN)).toBe(false);
    // A page without a referrer posts `Origin: null`: Sec-Fetch-Site decides, and alone it is not enough.
    expect(sameOrigin({ secFetchSite: 'same-origin', origin: 'null' }, ORIGIN)).toBe(true);
    expect(sameOrigin({ secFetchSite: 'cross-site', origin: 'null' }, ORIGIN)).toBe(false);
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
