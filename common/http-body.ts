/** Reading request bodies in Hono apps on Node without the web-stream detour, with a size limit. */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { AppError } from './errors.ts';

export const MAX_JSON_BYTES = 16 * 1024;

/**
 * The request body as text, at most `maxBytes` (413 BODY_TOO_LARGE beyond). On Node it reads the raw
 * request: going through the web Request body (undici + web streams; Hono's bodyLimit builds one too)
 * cost more CPU than the rest of a bid.
 */
export async function readBodyText(c: Context, maxBytes = MAX_JSON_BYTES): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming !== undefined && !incoming.readableEnded && !incoming.destroyed)
    return readRaw(incoming, maxBytes);
  const text = await c.req.text();
  if (Buffer.byteLength(text) > maxBytes) throw tooLarge(maxBytes);
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

const tooLarge = (maxBytes: number): AppError =>
  new AppError(413, 'BODY_TOO_LARGE', `the request body is larger than the limit of ${maxBytes} bytes`, {
    details: { maxBytes },
  });

function readRaw(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        incoming.removeAllListeners('data');
        incoming.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    incoming.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.once('error', reject);
  });
}
