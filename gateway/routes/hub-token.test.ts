import { describe, expect, it } from 'vitest';
import { hubCookieFor } from './hub-token.ts';

describe('hubCookieFor: the hub cookie whenever the hub shares the public origin', () => {
  it('sets it for the embedded hub, Secure only behind TLS', () => {
    expect(hubCookieFor('http://127.0.0.1:3000/.well-known/mercure', undefined, true)).toEqual({
      secure: false,
    });
    expect(
      hubCookieFor('http://127.0.0.1:3000/.well-known/mercure', 'https://bids.example.com', true),
    ).toEqual({ secure: true });
  });

  it('sets it for a distributed gateway whose hub is on its public origin (behind one proxy)', () => {
    expect(
      hubCookieFor('https://bids.example.com/.well-known/mercure', 'https://bids.example.com', false),
    ).toEqual({ secure: true });
    expect(hubCookieFor('http://localhost:8080/.well-known/mercure', 'http://localhost:8080', false)).toEqual(
      {
        secure: false,
      },
    );
  });

  it('does not for a hub on another origin, or when the public origin is unknown', () => {
    expect(
      hubCookieFor('https://hub.example.com/.well-known/mercure', 'https://bids.example.com', false),
    ).toBe(false);
    expect(
      hubCookieFor('https://bids.example.com:8443/.well-known/mercure', 'https://bids.example.com', false),
    ).toBe(false);
    expect(hubCookieFor('https://bids.example.com/.well-known/mercure', undefined, false)).toBe(false);
  });
});
