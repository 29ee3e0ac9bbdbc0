import { isIP } from 'node:net';
import { HubRefusal } from './refusal.ts';

export interface ConnectionLimitOptions {
  /** Open subscriptions per client address without a token subject; 0 = unlimited. */
  perIp: number;
  /** Open subscriptions per token subject (`sub`); 0 = unlimited. */
  perSubject: number;
}

/**
 * Open subscriber connections per client, on this hub instance. A connection whose token names a
 * subject counts against that subject (bidders behind one venue NAT are not each other's limit);
 * any other — anonymous, or a token without `sub`, which anyone can get — against its address.
 */
export class ConnectionLimiter {
  private readonly open = new Map<string, number>();
  private readonly opts: ConnectionLimitOptions;

  constructor(opts: ConnectionLimitOptions) {
    this.opts = opts;
  }

  /** Counts a connection in; returns its release (idempotent), or throws the refusal when over the limit. */
  acquire(client: { ip: string; subject: string | undefined }): () => void {
    const bySubject = client.subject !== undefined;
    const limit = bySubject ? this.opts.perSubject : this.opts.perIp;
    if (limit === 0) return () => {};
    const key = bySubject ? `sub:${client.subject}` : `ip:${client.ip}`;
    const n = this.open.get(key) ?? 0;
    if (n >= limit) {
      throw bySubject
        ? new HubRefusal(
            'TOO_MANY_CONNECTIONS',
            `this token's subject already has ${n} open subscriptions on this hub; the limit is ${limit} (MERCURE_MAX_CONNECTIONS_PER_SUBJECT): close one, or use one connection with several topics`,
          )
        : new HubRefusal(
            'TOO_MANY_CONNECTIONS',
            `this address already has ${n} open subscriptions on this hub; the limit is ${limit} (MERCURE_MAX_CONNECTIONS_PER_IP): close one, or use one connection with several topics`,
          );
    }
    this.open.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left <= 0) this.open.delete(key);
      else this.open.set(key, left);
    };
  }
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the nearest
 * address in `X-Forwarded-For` that is not one (the rightmost: a client can prepend anything).
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: readonly string[],
): string {
  const direct = normalise(peer ?? '');
  if (!trustedProxies.includes(direct) || forwardedFor === undefined) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((h) => normalise(h.trim()))
    .filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return direct;
    if (!trustedProxies.includes(hop)) return hop;
  }
  return direct;
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is 1.2.3.4. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
