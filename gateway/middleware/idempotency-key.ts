import type { Context } from 'hono';
import { AppError } from '../../common/errors.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The `Idempotency-Key` every state-changing POST needs (bids, floor actions): a retry with the
 * same key gets the same answer and has no second effect. `what` names the thing keyed ("bid").
 */
export function idempotencyKey(c: Context, what: string): string {
  const key = c.req.header('idempotency-key');
  if (key === undefined || key === '')
    throw new AppError(
      'MISSING_IDEMPOTENCY_KEY',
      `send an Idempotency-Key header (a unique value per ${what}, reused on retries)`,
    );
  if (!IDEMPOTENCY_KEY.test(key))
    throw new AppError('BAD_IDEMPOTENCY_KEY', 'the Idempotency-Key must be 1–255 visible ASCII characters');
  return key;
}
