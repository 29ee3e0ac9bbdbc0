/** Gavel user tokens (bidder, auctioneer, admin) and the Hono middleware that reads them: shared by the gateway and the orchestrator's admin API. */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { ConfigError, shortSecretProblem } from './config.ts';
import { AppError } from './errors.ts';

/** Who is calling: bidders bid, the auctioneer runs the floor, admins run the back office. */
export const ROLES = ['bidder', 'auctioneer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  role: Role;
  name: string | undefined;
}

export type AuthVariables = { user: User | undefined };

/** The `iss` every user token carries. */
export const TOKEN_ISSUER = 'gavel';

/**
 * Which service a set of tokens is for: the gateway's API (bids, the floor console, hub tokens) or
 * the back office's admin API. Each service accepts only its own audiences, so a token minted for the
 * one is refused by the other — an API session, even an admin's, cannot drive the admin API.
 */
export const SERVICES = ['api', 'admin'] as const;
export type Audience = (typeof SERVICES)[number];

/**
 * The `aud` of a user token: bidders and staff hold separate audiences on the gateway's API, and the
 * admin API has its own. The audience is bound to the role: a `bidder` token must say
 * `gavel-bidder`, an auctioneer's or admin's `gavel-staff`, so neither can pass for the other.
 */
export const AUDIENCE_NAMES = { bidder: 'gavel-bidder', staff: 'gavel-staff', admin: 'gavel-admin' } as const;

/** The `aud` a token for `role` carries on `service`. */
export function audienceFor(service: Audience, role: Role): string {
  if (service === 'admin') return AUDIENCE_NAMES.admin;
  return role === 'bidder' ? AUDIENCE_NAMES.bidder : AUDIENCE_NAMES.staff;
}

const SERVICE_AUDIENCES: Readonly<Record<Audience, string[]>> = {
  api: [AUDIENCE_NAMES.bidder, AUDIENCE_NAMES.staff],
  admin: [AUDIENCE_NAMES.admin],
};

/**
 * The longest a token may live (`exp - iat`), by role: a bidder's or an auctioneer's session is a
 * sale's evening; an admin's is under an hour, so a leaked one is of little use for long.
 */
export const MAX_TOKEN_SECONDS: Readonly<Record<Role, number>> = {
  bidder: 12 * 3600,
  auctioneer: 12 * 3600,
  admin: 30 * 60,
};

/** How far a signer's clock may be ahead of ours (an `iat` in the future) or behind (a just-expired `exp`). */
export const CLOCK_SKEW_SECONDS = 60;

/** HS256 wants a key at least as long as its hash (RFC 7518 §3.2): 32 bytes. */
export const MIN_KEY_BYTES = 32;

const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  name: z.string().optional(),
  iat: z.number(),
  exp: z.number(),
});

export interface UserTokensOptions {
  /** HS256 secret, at least 32 bytes. */
  key: string;
  /** Which service these tokens are for: only tokens with this `aud` are accepted, and signed with it. */
  audience: Audience;
}

const invalidClaims = (message: string, claim: string, cause?: unknown): AppError =>
  new AppError('TOKEN_INVALID_CLAIMS', message, { details: { claim }, cause });

/**
 * Verifies and signs Gavel user tokens for one audience (HS256, pinned; the key is imported once).
 * A token needs `sub`, `role`, `iat`, `exp`, `iss` = "gavel" and the `aud` of its role on this
 * service (`audienceFor`); it may not live longer than its role allows, nor be issued in the future
 * beyond the clock skew.
 */
export class UserTokens {
  readonly audience: Audience;
  private readonly key: Uint8Array;

  constructor(opts: UserTokensOptions) {
    const problem = shortSecretProblem(opts.key, MIN_KEY_BYTES);
    if (problem !== undefined) throw new ConfigError(`the user-token key is too short: ${problem}`);
    this.key = new TextEncoder().encode(opts.key);
    this.audience = opts.audience;
  }

  /**
   * Verified tokens, kept until they expire: WebCrypto verification costs more than the rest of a
   * bid request, and a bidder sends the same token many times. Bounded; cleared when full.
   */
  private readonly verified = new Map<string, { user: User; exp: number }>();

  async verify(token: string): Promise<User> {
    const now = Date.now() / 1000;
    const hit = this.verified.get(token);
    if (hit !== undefined) {
      if (hit.exp > now - CLOCK_SKEW_SECONDS) return hit.user;
      this.verified.delete(token);
    }
    const payload = await this.verifySignedClaims(token);
    const c = claimsSchema.safeParse(payload);
    if (!c.success)
      throw invalidClaims(
        'the token needs "sub", a "role" of bidder, auctioneer or admin, and numeric "iat" and "exp"',
        String(c.error.issues[0]?.path[0] ?? 'role'),
      );
    const { sub, role, name, iat, exp } = c.data;
    const aud = payload.aud;
    const expected = audienceFor(this.audience, role);
    if (!(aud === expected || (Array.isArray(aud) && aud.length === 1 && aud[0] === expected)))
      throw invalidClaims(`a ${role} token for this service must have "aud" "${expected}"`, 'aud');
    if (iat > now + CLOCK_SKEW_SECONDS)
      throw invalidClaims('the token is issued in the future ("iat"); check the clock of its signer', 'iat');
    if (exp - iat > MAX_TOKEN_SECONDS[role])
      throw invalidClaims(
        `a ${role} token may live at most ${MAX_TOKEN_SECONDS[role]} s ("exp" - "iat"); this one ${exp - iat} s`,
        'exp',
      );
    const user: User = { id: sub, role, name };
    if (this.verified.size >= 50_000) this.verified.clear();
    this.verified.set(token, { user, exp });
    return user;
  }

  /** The token's claims once its signature, `iss`, `aud`, `exp` and `nbf` hold; the presence of `iat` and `exp` too. */
  private async verifySignedClaims(token: string): Promise<Record<string, unknown>> {
    const aud = SERVICE_AUDIENCES[this.audience];
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: TOKEN_ISSUER,
        audience: aud,
        requiredClaims: ['sub', 'iat', 'exp'],
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        throw new AppError('TOKEN_EXPIRED', 'the token has expired; sign in again', { cause: err });
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        if (err.reason === 'missing')
          throw invalidClaims(`the token has no "${err.claim}" claim`, err.claim, err);
        if (err.claim === 'iss')
          throw invalidClaims(`the token's issuer ("iss") must be "${TOKEN_ISSUER}"`, 'iss', err);
        if (err.claim === 'aud')
          throw invalidClaims(
            `this service takes only tokens for ${aud.map((a) => `"${a}"`).join(' or ')} ("aud")`,
            'aud',
            err,
          );
        throw invalidClaims(`the token's "${err.claim}" claim is not valid: ${err.message}`, err.claim, err);
      }
      throw new AppError('TOKEN_INVALID', 'the token is not valid for this service', { cause: err });
    }
  }

  /** A token for `user` on this audience, valid for `ttlSeconds` (default and at most: the role's maximum). */
  async sign(user: User, ttlSeconds = MAX_TOKEN_SECONDS[user.role]): Promise<string> {
    if (!(ttlSeconds > 0 && ttlSeconds <= MAX_TOKEN_SECONDS[user.role]))
      throw new RangeError(
        `a ${user.role} token lives 1–${MAX_TOKEN_SECONDS[user.role]} s; asked for ${ttlSeconds}`,
      );
    const claims: Record<string, string> = { role: user.role };
    if (user.name !== undefined) claims.name = user.name;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(audienceFor(this.audience, user.role))
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + Math.floor(ttlSeconds))
      .sign(this.key);
  }
}

/** Reads `Authorization: Bearer` when present; routes decide whether it is required. */
export function authenticate(tokens: UserTokens): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function authenticateMiddleware(c, next) {
    const header = c.req.header('authorization');
    let user: User | undefined;
    if (header !== undefined) {
      const m = /^Bearer\s+(.+)$/i.exec(header);
      if (m === null) throw new AppError('TOKEN_INVALID', 'use "Authorization: Bearer <token>"');
      user = await tokens.verify(m[1]!);
    }
    c.set('user', user);
    await next();
  };
}

/** Requires a signed-in user with one of the roles. */
export function requireRole(...roles: Role[]): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function requireRoleMiddleware(c, next) {
    const user = c.get('user');
    if (user === undefined)
      throw new AppError('UNAUTHENTICATED', 'sign in first: send "Authorization: Bearer <token>"');
    if (!roles.includes(user.role))
      throw new AppError(
        'FORBIDDEN',
        `this needs the ${roles.join(' or ')} role; you are signed in as ${user.role}`,
      );
    await next();
  };
}
