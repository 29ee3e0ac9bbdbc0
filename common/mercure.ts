import { SignJWT, importPKCS8, type CryptoKey, type KeyObject } from 'jose';
import { z } from 'zod';

/** The `mercure` claim of a hub JWT (publish and subscribe topic selectors, optional payload). */
export const mercureClaimSchema = z.object({
  publish: z.array(z.string()).optional(),
  subscribe: z.array(z.string()).optional(),
  payload: z.unknown().optional(),
});
export type MercureClaim = z.infer<typeof mercureClaimSchema>;

export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlg = (typeof HMAC_ALGS)[number] | (typeof ASYMMETRIC_ALGS)[number];
export const JWT_ALGS: readonly JwtAlg[] = [...HMAC_ALGS, ...ASYMMETRIC_ALGS];

export const isHmacAlg = (alg: JwtAlg): boolean => (HMAC_ALGS as readonly string[]).includes(alg);

export type SigningKey = Uint8Array | CryptoKey | KeyObject;

/** Turns configured key material into a signing key: the secret for HMAC, a PKCS#8 PEM otherwise. */
export async function importSigningKey(material: string, alg: JwtAlg): Promise<SigningKey> {
  return isHmacAlg(alg) ? new TextEncoder().encode(material) : importPKCS8(material, alg);
}

export interface MintOptions {
  key: SigningKey;
  alg: JwtAlg;
  /** Lifetime in seconds; omitted means no `exp` (publisher service tokens). */
  ttlSeconds?: number;
  subject?: string;
}

/** Signs a hub JWT carrying a `mercure` claim. */
export async function mintMercureToken(claim: MercureClaim, opts: MintOptions): Promise<string> {
  let jwt = new SignJWT({ mercure: claim }).setProtectedHeader({ alg: opts.alg, typ: 'JWT' }).setIssuedAt();
  if (opts.ttlSeconds !== undefined) jwt = jwt.setExpirationTime(`${opts.ttlSeconds}s`);
  if (opts.subject !== undefined) jwt = jwt.setSubject(opts.subject);
  return jwt.sign(opts.key);
}

/** Well-known hub path. */
export const MERCURE_PATH = '/.well-known/mercure';
export const SUBSCRIPTIONS_PATH = `${MERCURE_PATH}/subscriptions`;

/**
 * The discovery `Link` header value for a resource: `<hub>; rel="mercure"`, optionally with the
 * `last-event-id` the client should resume from so it gets the snapshot, then every delta after it.
 */
export function mercureLink(hubUrl: string, lastEventId?: string): string {
  const base = `<${hubUrl}>; rel="mercure"`;
  return lastEventId === undefined
    ? base
    : `${base}; last-event-id="${lastEventId.replace(/["\\]/g, '\\$&')}"`;
}
