import type { IncomingMessage } from 'node:http';
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

/** Thrown by a body reader past the hub's body limit. */
export class BodyTooLarge extends Error {}

/** The request body as UTF-8 text, at most `max` bytes (BodyTooLarge beyond, the rest discarded). */
export function readRequestText(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', reject);
  });
}
