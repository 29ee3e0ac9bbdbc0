import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { AppError, errorBody } from './errors.ts';
import type { Logger } from './logger.ts';
import { isRedisUnavailable } from './redis.ts';

/** Hono's error handler for every Gavel HTTP API. One place maps every failure to the JSON error body; unexpected ones are logged and become 503, never a bare 500 page. */
export function errorHandler(logger: Logger) {
  return function onError(err: Error, c: Context): Response {
    if (err instanceof AppError) return c.json(err.toBody(), err.status as 400);
    if (err instanceof ZodError) {
      const first = err.issues[0];
      const where = first === undefined || first.path.length === 0 ? 'request' : first.path.join('.');
      return c.json(
        errorBody('VALIDATION_FAILED', `${where}: ${first?.message ?? 'invalid'}`, {
          issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        }),
        400,
      );
    }
    if (err instanceof HTTPException) return c.json(errorBody('HTTP_ERROR', err.message), err.status);
    // Redis out of reach: its connection logged the outage once; not a stack trace per request.
    const level = isRedisUnavailable(err) ? 'debug' : 'error';
    logger[level]({ err, path: c.req.path, correlationId: c.get('requestId' as never) }, 'request failed');
    return c.json(
      errorBody(
        'UNAVAILABLE',
        'the service could not complete the request; retry with the same Idempotency-Key',
      ),
      503,
    );
  };
}
