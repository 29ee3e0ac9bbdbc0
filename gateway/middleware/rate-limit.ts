import type { Context, MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { AppError } from '../../common/errors.ts';
import type { AppEnv } from '../../common/http-env.ts';

export interface RateLimitOptions {
  /** Sustained rate per key. */
  perSecond: number;
  /** Requests allowed at once (burst), at least perSecond. */
  burst: number;
  /** Shared store so the limit holds across gateway instances; in-process when absent. */
  redis?: Redis | undefined;
  prefix?: string;
}

/**
 * Per-key limiter: `perSecond` every second plus a burst pool refilled over ten seconds, so a
 * bidder gets `burst` at once and `perSecond` sustained. Backed by Redis across instances.
 */
export function createLimiter(opts: RateLimitOptions): BurstyRateLimiter {
  const extra = Math.max(0, opts.burst - opts.perSecond);
  const make = (points: number, duration: number, name: string): RateLimiterMemory | RateLimiterRedis =>
    opts.redis === undefined
      ? new RateLimiterMemory({ points, duration, keyPrefix: `${opts.prefix ?? 'gavel:rl'}:${name}` })
      : new RateLimiterRedis({
          storeClient: opts.redis,
          useRedisPackage: false,
          points,
          duration,
          keyPrefix: `${opts.prefix ?? 'gavel:rl'}:${name}`,
        });
  return new BurstyRateLimiter(make(opts.perSecond, 1, 'rate'), make(Math.max(1, extra), 10, 'burst'));
}

/** Hono middleware: consumes one point for the key; 429 with Retry-After when over the limit. */
export function rateLimit(
  limiter: BurstyRateLimiter,
  keyOf: (c: Context<AppEnv>) => string | undefined,
  /** Told of each refusal (the limit's metric). */
  onRefused?: () => void,
): MiddlewareHandler<AppEnv> {
  return async function rateLimitMiddleware(c, next) {
    const key = keyOf(c);
    if (key !== undefined) {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        onRefused?.();
        const retry = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        c.header('Retry-After', String(retry));
        throw new AppError('RATE_LIMITED', `too many requests; retry in ${retry} s`, {
          details: { retryAfterSeconds: retry },
        });
      }
    }
    await next();
  };
}
