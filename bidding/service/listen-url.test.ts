import { describe, expect, it } from 'vitest';
import { listenUrl } from './listen-url.ts';

describe('the URL of a listening bidding service', () => {
  it('reaches a wildcard listener on the loopback, IPv4 or IPv6', () => {
    expect(listenUrl('0.0.0.0', 3002)).toBe('http://127.0.0.1:3002');
    expect(listenUrl('::', 3002)).toBe('http://127.0.0.1:3002');
  });

  it('brackets an IPv6 address and keeps names and IPv4 addresses as they are', () => {
    expect(listenUrl('::1', 41000)).toBe('http://[::1]:41000');
    expect(listenUrl('fe80::1', 80)).toBe('http://[fe80::1]:80');
    expect(listenUrl('127.0.0.1', 3002)).toBe('http://127.0.0.1:3002');
    expect(listenUrl('bidding.internal', 3002)).toBe('http://bidding.internal:3002');
  });

  it('gives a URL that parses, with the port', () => {
    for (const host of ['::', '::1', '0.0.0.0', 'localhost'])
      expect(new URL(listenUrl(host, 9)).port).toBe('9');
  });
});
