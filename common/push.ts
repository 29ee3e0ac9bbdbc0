/**
 * The server's rules on a Web Push subscription (docs/push-notifications.md), shared by the gateway
 * (first check) and the back office (the one that decides): the endpoint is where the back office
 * will POST, so it must be a push service's https URL — never one of our own or a private address.
 */
import { isIP } from 'node:net';
import type { PushSubscriptionInput } from './contracts/push.ts';
import { AppError } from './errors.ts';
import { isLoopback } from './loopback.ts';

const b64url = /^[A-Za-z0-9_-]+$/;

/** The bytes of a base64url string (padding tolerated), or undefined when it is not one. */
function bytesOf(v: string): Buffer | undefined {
  const s = v.replace(/=+$/, '');
  return b64url.test(s) ? Buffer.from(s, 'base64url') : undefined;
}

export interface EndpointPolicy {
  /**
   * Accept `http://` endpoints on this machine's loopback (tests, the local demo). Never when the
   * site itself is served over https (PUBLIC_ORIGIN): browsers' push services are all https.
   */
  allowLoopbackHttp: boolean;
}

/** Why an endpoint is refused, or undefined when it is acceptable. */
export function endpointProblem(endpoint: string, policy: EndpointPolicy): string | undefined {
  if (!URL.canParse(endpoint)) return 'endpoint: not a URL';
  const u = new URL(endpoint);
  if (u.username !== '' || u.password !== '') return 'endpoint: a URL with credentials';
  if (u.hash !== '') return 'endpoint: a URL with a fragment';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (u.protocol === 'http:') {
    if (policy.allowLoopbackHttp && isLoopback(host)) return undefined;
    return 'endpoint: a push service is reached over https';
  }
  if (u.protocol !== 'https:') return 'endpoint: a push service is reached over https';
  // Push services are named hosts; an address literal (or this machine) is not one.
  if (isIP(host) !== 0 || isLoopback(host) || !host.includes('.'))
    return 'endpoint: the push service must be a public host name';
  return undefined;
}

/** The subscription, checked: AppError BAD_PUSH_ENDPOINT or BAD_PUSH_KEYS when refused. */
export function checkSubscription(s: PushSubscriptionInput, policy: EndpointPolicy): PushSubscriptionInput {
  const problem = endpointProblem(s.endpoint, policy);
  if (problem !== undefined)
    throw new AppError('BAD_PUSH_ENDPOINT', problem, { details: { field: 'endpoint' } });
  const key = bytesOf(s.keys.p256dh);
  // An uncompressed P-256 point: 0x04, then X and Y.
  if (key === undefined || key.length !== 65 || key[0] !== 4)
    throw new AppError('BAD_PUSH_KEYS', 'keys.p256dh: not a P-256 public key (65 bytes, base64url)', {
      details: { field: 'keys.p256dh' },
    });
  const auth = bytesOf(s.keys.auth);
  if (auth === undefined || auth.length !== 16)
    throw new AppError('BAD_PUSH_KEYS', 'keys.auth: not a 16-byte secret (base64url)', {
      details: { field: 'keys.auth' },
    });
  return {
    endpoint: new URL(s.endpoint).toString(),
    keys: { p256dh: key.toString('base64url'), auth: auth.toString('base64url') },
  };
}
