/** Gavel user tokens (bidder, auctioneer, admin) and the Hono middleware that reads them: shared by the gateway and the orchestrator's admin API. */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
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

const claimsSchema = z.object({ sub: z.string().min(1), role: z.enum(ROLES), name: z.string().optional() });

/** Verifies Gavel user tokens (HS256, pinned); the key is imported once. */
export class UserTokens {
  private readonly key: Uint8Array;
  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /**
   * Verified tokens, kept until they expire: WebCrypto verification costs more than the rest of a
   * bid request, and a bidder sends the same token many times. Bounded; cleared when full.
   */
  private readonly verified = new Map<string, { user: User; exp: number }>();

  async verify(token: string): Promise<User> {
    const hit = this.verified.get(token);
    if (hit !== undefined) {
      if (hit.exp > Date.now() / 1000) return hit.user;
      this.verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const c = claimsSchema.safeParse(payload);
      if (!c.success)
        throw new AppError(
          401,
          'TOKEN_INVALID_CLAIMS',
          'the token needs "sub" and a "role" of bidder, auctioneer or admin',
        );
      const user: User = { id: c.data.sub, role: c.data.role, name: c.data.name };
      if (this.verified.size >= 50_000) this.verified.clear();
      // A token without an expiry is verified again after a minute.
      this.verified.set(token, { user, exp: payload.exp ?? Date.now() / 1000 + 60 });
      return user;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired)
        throw new AppError(401, 'TOKEN_EXPIRED', 'the token has expired; sign in again', { cause: err });
      throw new AppError(401, 'TOKEN_INVALID', 'the token is not valid for this gateway', { cause: err });
    }
  }

  async sign(user: User, ttlSeconds = 12 * 3600): Promise<string> {
    const claims: Record<string, string> = { role: user.role };
    if (user.name !== undefined) claims.name = user.name;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.key);
  }
}

/** Reads `Authorization: Bearer` (or the `gavel_session` cookie) when present; routes decide whether it is required. */
export function authenticate(tokens: UserTokens): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function authenticateMiddleware(c, next) {
    const header = c.req.header('authorization');
    let token: string | undefined;
    if (header !== undefined) {
      const m = /^Bearer\s+(.+)$/i.exec(header);
      if (m === null) throw new AppError(401, 'TOKEN_INVALID', 'use "Authorization: Bearer <token>"');
      token = m[1];
    } else {
      token = /(?:^|;\s*)gavel_session=([^;]+)/.exec(c.req.header('cookie') ?? '')?.[1];
    }
    c.set('user', token === undefined ? undefined : await tokens.verify(token));
    await next();
  };
}

/** Requires a signed-in user with one of the roles. */
export function requireRole(...roles: Role[]): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function requireRoleMiddleware(c, next) {
    const user = c.get('user');
    if (user === undefined)
      throw new AppError(401, 'UNAUTHENTICATED', 'sign in first: send "Authorization: Bearer <token>"');
    if (!roles.includes(user.role))
      throw new AppError(
        403,
        'FORBIDDEN',
        `this needs the ${roles.join(' or ')} role; you are signed in as ${user.role}`,
      );
    await next();
  };
}
