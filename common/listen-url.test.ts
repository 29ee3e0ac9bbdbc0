import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenUrl, serverUrl } from './listen-url.ts';

describe('listenUrl', () => {
  it('reaches a server on every interface at the loopback address', () => {
    expect(listenUrl('0.0.0.0', 3000)).toBe('http://127.0.0.1:3000');
    expect(listenUrl('::', 3000)).toBe('http://127.0.0.1:3000');
    expect(listenUrl('', 3000)).toBe('http://127.0.0.1:3000');
    expect(listenUrl('::', 3000)).not.toContain(':::');
  });

  it('keeps a named host and brackets an IPv6 address', () => {
    expect(listenUrl('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080');
    expect(listenUrl('gateway.internal', 80)).toBe('http://gateway.internal:80');
    expect(listenUrl('::1', 3001)).toBe('http://[::1]:3001');
    expect(listenUrl('[::1]', 3001)).toBe('http://[::1]:3001');
    expect(listenUrl('fe80::1', 3001)).toBe('http://[fe80::1]:3001');
  });

  it('gives a URL that parses, with the port', () => {
    for (const host of ['::', '::1', '0.0.0.0', 'localhost'])
      expect(new URL(listenUrl(host, 9)).port).toBe('9');
  });

  it('reads the port a server was given', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(serverUrl(server, '127.0.0.1'));
      expect(url.hostname).toBe('127.0.0.1');
      expect(Number(url.port)).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
