import type { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { TokenVerifier } from '../core/auth.ts';
import { refusalFrom } from '../core/refusal.ts';
import type { Hub } from '../fanout/hub.ts';
import type { HubConfig } from '../service/config.ts';
import type { HubMetrics } from '../service/metrics.ts';

/** What every hub handler works with. */
export interface HubHttpDeps {
  config: HubConfig;
  hub: Hub;
  metrics: HubMetrics;
  logger: Logger;
  publisher: TokenVerifier;
  subscriber: TokenVerifier;
}

/** Counts and logs a refusal (one structured line, `reason` = its code) and returns it. */
export function refuse(
  deps: HubHttpDeps,
  what: string,
  r: AppError,
  extra: Record<string, unknown> = {},
): AppError {
  deps.metrics.refused.inc({ reason: r.code });
  deps.logger.info(
    { refused: what, status: r.status, reason: r.code, detail: r.message, ...extra },
    `${what} refused: ${r.message}`,
  );
  return r;
}

/** Token verification's refusal (an AuthError); any other error is thrown on. */
export function refusalOrThrow(err: unknown): AppError {
  const r = refusalFrom(err);
  if (r === undefined) throw err;
  return r;
}
