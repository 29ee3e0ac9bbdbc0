import {
  errors as joseErrors,
  importSPKI,
  importX509,
  jwtVerify,
  type CryptoKey,
  type KeyObject,
} from 'jose';
import type { AppErrorOptions, ErrorCode } from '../../common/errors.ts';
import { isHmacAlg, mercureClaimSchema, type JwtAlg, type MercureClaim } from '../../common/mercure.ts';
import { HubRefusal } from './refusal.ts';

/** Why a token check refused a request: codes of the catalogue (common/error-codes.ts), logged, counted and sent in the error body. */
export type AuthFailureCode = Extract<
  ErrorCode,
  | 'TOKEN_MISSING'
  | 'ANONYMOUS_DISABLED'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_BAD_SIGNATURE'
  | 'TOKEN_BAD_ALGORITHM'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_INVALID_CLAIMS'
  | 'KEY_NOT_CONFIGURED'
  | 'CLAIM_MISSING'
  | 'TOPIC_NOT_AUTHORIZED'
  | 'ORIGIN_NOT_ALLOWED'
>;

/** A token check's refusal: a HubRefusal whose code is an AuthFailureCode (status 401 or 403, the catalogue's). */
export class AuthError extends HubRefusal {
  declare readonly code: AuthFailureCode;

  constructor(code: AuthFailureCode, message: string, options?: AppErrorOptions) {
    super(code, message, options);
  }
}

export type TokenSource = 'header' | 'query' | 'cookie';
export interface FoundToken {
  token: string;
  source: TokenSource;
}

const COOKIE_NAME = 'mercureAuthorization';

/**
 * Finds the JWT: `Authorization: Bearer` first, then the `authorization` query parameter,
 * then the `mercureAuthorization` cookie (the reference hub's order).
 */
export function findToken(
  authorization: string | undefined,
  query: URLSearchParams,
  cookieHeader: string | undefined,
): FoundToken | undefined {
  if (authorization !== undefined && authorization !== '') {
    const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    // A non-Bearer Authorization header is passed on as-is so verification names the problem.
    return { token: m?.[1] ?? authorization.trim(), source: 'header' };
  }
  const q = query.get('authorization');
  if (q !== null && q !== '') return { token: q, source: 'query' };
  const cookie = readCookie(cookieHeader, COOKIE_NAME);
  if (cookie !== undefined && cookie !== '') return { token: cookie, source: 'cookie' };
  return undefined;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const raw = part
        .slice(i + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

type VerifyKey = Uint8Array | CryptoKey | KeyObject;

/** What a verified token grants: its `mercure` claim, and its subject (`sub`) if any. */
export interface VerifiedToken {
  claim: MercureClaim | undefined;
  subject: string | undefined;
}

/** Verifies tokens for one role (publisher or subscriber) with a pinned algorithm; the key is imported once. */
export class TokenVerifier {
  private readonly role: 'publisher' | 'subscriber';
  private readonly alg: JwtAlg;
  private readonly key: VerifyKey | undefined;

  private constructor(role: 'publisher' | 'subscriber', key: VerifyKey | undefined, alg: JwtAlg) {
    this.role = role;
    this.key = key;
    this.alg = alg;
  }

  static async create(
    role: 'publisher' | 'subscriber',
    material: string | undefined,
    alg: JwtAlg,
  ): Promise<TokenVerifier> {
    if (material === undefined) return new TokenVerifier(role, undefined, alg);
    let key: VerifyKey;
    if (isHmacAlg(alg)) key = new TextEncoder().encode(material);
    else if (material.includes('BEGIN CERTIFICATE')) key = await importX509(material, alg);
    else key = await importSPKI(material, alg);
    return new TokenVerifier(role, key, alg);
  }

  /**
   * Tokens already verified, until they expire: publishers and reconnecting subscribers send the
   * same token again and again, and WebCrypto verification is the costliest step of a publish.
   * Bounded (cleared when full); a token without `exp` is verified again after a minute.
   */
  private readonly verified = new Map<string, VerifiedToken & { until: number }>();

  async verify(token: string): Promise<MercureClaim | undefined> {
    return (await this.verifyToken(token)).claim;
  }

  async verifyToken(token: string): Promise<VerifiedToken> {
    const hit = this.verified.get(token);
    if (hit !== undefined) {
      if (hit.until > Date.now()) return hit;
      this.verified.delete(token);
    }
    return this.verifyUncached(token);
  }

  private async verifyUncached(token: string): Promise<VerifiedToken> {
    if (this.key === undefined) {
      throw new AuthError('KEY_NOT_CONFIGURED', `no ${this.role} JWT key is configured on this hub`);
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: [this.alg] }));
    } catch (err) {
      throw explain(err, this.alg);
    }
    let result: MercureClaim | undefined;
    if (payload.mercure !== undefined) {
      const claim = mercureClaimSchema.safeParse(payload.mercure);
      if (!claim.success) {
        throw new AuthError(
          'TOKEN_INVALID_CLAIMS',
          `the "mercure" claim is malformed: ${claim.error.issues[0]?.message ?? 'invalid'}`,
        );
      }
      result = claim.data;
    }
    const subject = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
    const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : Date.now() + 60_000;
    if (this.verified.size >= 10_000) this.verified.clear();
    const verified = { claim: result, subject };
    this.verified.set(token, { ...verified, until: Math.min(exp, Date.now() + 3_600_000) });
    return verified;
  }
}

function explain(err: unknown, alg: JwtAlg): AuthError {
  if (err instanceof joseErrors.JWTExpired)
    return new AuthError('TOKEN_EXPIRED', 'the JWT has expired', { cause: err });
  if (err instanceof joseErrors.JOSEAlgNotAllowed) {
    return new AuthError(
      'TOKEN_BAD_ALGORITHM',
      `the JWT is signed with an algorithm other than the configured ${alg}`,
      { cause: err },
    );
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new AuthError(
      'TOKEN_BAD_SIGNATURE',
      'the JWT signature does not verify with the configured key (wrong key?)',
      { cause: err },
    );
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf')
      return new AuthError('TOKEN_NOT_YET_VALID', 'the JWT is not valid yet (nbf)', { cause: err });
    return new AuthError('TOKEN_INVALID_CLAIMS', `the JWT claim "${err.claim}" is invalid: ${err.reason}`, {
      cause: err,
    });
  }
  return new AuthError(
    'TOKEN_MALFORMED',
    `the JWT cannot be parsed: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}
