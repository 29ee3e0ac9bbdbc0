import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { AppError, errorBody } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';

/** One place maps every failure to the JSON error body; unexpected ones are logged and become 503, never a bare 500 page. */
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
    logger.error({ err, path: c.req.path, correlationId: c.get('requestId' as never) }, 'request failed');
    return c.json(
      errorBody(
        'UNAVAILABLE',
        'the service could not complete the request; retry with the same Idempotency-Key',
      ),
      503,
    );
  };
}

export const MAX_JSON_BYTES = 16 * 1024;

/**
 * The request body as text, at most MAX_JSON_BYTES (413 beyond). On Node it reads the raw request:
 * going through the web Request body (undici + web streams) cost more CPU than the rest of a bid.
 */
export async function readBodyText(c: Context): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_JSON_BYTES) throw tooLarge();
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming !== undefined && !incoming.readableEnded && !incoming.destroyed) return readRaw(incoming);
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw tooLarge();
  return text;
}

/** Parses a JSON body (application/json), turning malformed JSON into a 400 instead of an exception. */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json'))
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  return parseJson(await readBodyText(c));
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError(400, 'BAD_JSON', 'the request body is not valid JSON');
  }
}

const tooLarge = (): AppError =>
  new AppError(413, 'BODY_TOO_LARGE', `the request body is larger than ${MAX_JSON_BYTES / 1024} KiB`);

function readRaw(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_JSON_BYTES) {
        incoming.removeAllListeners('data');
        incoming.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    incoming.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.once('error', reject);
  });
}
