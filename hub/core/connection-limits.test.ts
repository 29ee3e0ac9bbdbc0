import { describe, expect, it } from 'vitest';
import { clientAddress, ConnectionLimiter } from './connection-limits.ts';
import { HubRefusal } from './refusal.ts';

describe('ConnectionLimiter', () => {
  it('counts anonymous connections per address and refuses past the limit with 429', () => {
    const limiter = new ConnectionLimiter({ perIp: 2, perSubject: 5 });
    const a = { ip: '10.0.0.1', subject: undefined };
    limiter.acquire(a);
    const release = limiter.acquire(a);
    expect(() => limiter.acquire(a)).toThrow(HubRefusal);
    try {
      limiter.acquire(a);
    } catch (err) {
      expect(err).toMatchObject({ status: 429, code: 'TOO_MANY_CONNECTIONS' });
      expect((err as Error).message).toContain('MERCURE_MAX_CONNECTIONS_PER_IP');
    }
    // Another address has its own count; a release frees one place, once.
    limiter.acquire({ ip: '10.0.0.2', subject: undefined });
    release();
    release();
    limiter.acquire(a);
    expect(() => limiter.acquire(a)).toThrow(HubRefusal);
  });

  it('counts a connection with a token subject against the subject, not the address', () => {
    const limiter = new ConnectionLimiter({ perIp: 1, perSubject: 2 });
    limiter.acquire({ ip: '10.0.0.1', subject: 'bidder-1' });
    limiter.acquire({ ip: '10.0.0.1', subject: 'bidder-1' });
    limiter.acquire({ ip: '10.0.0.1', subject: 'bidder-2' });
    limiter.acquire({ ip: '10.0.0.1', subject: undefined });
    expect(() => limiter.acquire({ ip: '10.0.0.9', subject: 'bidder-1' })).toThrow(
      /MERCURE_MAX_CONNECTIONS_PER_SUBJECT/,
    );
  });

  it('does not count at all when the limit is 0', () => {
    const limiter = new ConnectionLimiter({ perIp: 0, perSubject: 0 });
    expect(() => {
      for (let i = 0; i < 1000; i++)
        limiter.acquire({ ip: '10.0.0.1', subject: i % 2 === 0 ? 's' : undefined });
    }).not.toThrow();
  });
});

describe('clientAddress', () => {
  it('is the socket peer unless that peer is a trusted proxy', () => {
    expect(clientAddress('203.0.113.5', '198.51.100.1', [])).toBe('203.0.113.5');
    expect(clientAddress('10.0.0.5', '198.51.100.1', ['10.0.0.5'])).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.5', undefined, ['10.0.0.5'])).toBe('10.0.0.5');
  });

  it('takes the rightmost address that is not a trusted proxy (a client can prepend anything)', () => {
    expect(clientAddress('10.0.0.5', '1.1.1.1, 198.51.100.1, 10.0.0.6', ['10.0.0.5', '10.0.0.6'])).toBe(
      '198.51.100.1',
    );
    expect(clientAddress('10.0.0.5', ['1.1.1.1', '198.51.100.2'], ['10.0.0.5'])).toBe('198.51.100.2');
  });

  it('falls back to the peer on a hop that is not an address', () => {
    expect(clientAddress('10.0.0.5', 'not-an-ip', ['10.0.0.5'])).toBe('10.0.0.5');
  });

  it('reads an IPv4 client on a dual-stack socket as IPv4', () => {
    expect(clientAddress('::ffff:203.0.113.5', undefined, [])).toBe('203.0.113.5');
    expect(clientAddress('::ffff:10.0.0.5', '198.51.100.1', ['10.0.0.5'])).toBe('198.51.100.1');
  });
});
