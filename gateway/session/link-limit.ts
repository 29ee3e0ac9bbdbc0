import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppError } from '../../common/errors.ts';

/** Sign-in links one address may be sent: 5 per 15 minutes, so the form cannot be used to flood a mailbox. */
export const LINKS_PER_ADDRESS = { points: 5, durationSeconds: 15 * 60 } as const;

/** The limiter of link requests per address; on Redis when the gateways share one. */
export function createLinkLimiter(redis: Redis | undefined, prefix: string): RateLimiterAbstract {
  const o = {
    points: LINKS_PER_ADDRESS.points,
    duration: LINKS_PER_ADDRESS.durationSeconds,
    keyPrefix: `${prefix}:rl:sign-in-link`,
  };
  return redis === undefined
    ? new RateLimiterMemory(o)
    : new RateLimiterRedis({ ...o, storeClient: redis, useRedisPackage: false });
}

/** Counts one link for `email` (case-insensitive); RATE_LIMITED once the address had its share (`onRefused` is told). */
export async function consumeLink(
  limiter: RateLimiterAbstract,
  email: string,
  onRefused?: () => void,
): Promise<void> {
  try {
    await limiter.consume(email.trim().toLowerCase());
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    onRefused?.();
    const retry = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    throw new AppError(
      'RATE_LIMITED',
      `too many sign-in links for this address; try again in ${Math.ceil(retry / 60)} min`,
      { details: { retryAfterSeconds: retry } },
    );
  }
}
