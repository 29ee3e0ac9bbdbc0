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
    return readIncomingText(incoming, maxBytes);
  const text = await c.req.text();
  if (Buffer.byteLength(text) > maxBytes) throw tooLarge(maxBytes);
  return text;
}

/** Parses a JSON body (application/json), turning malformed JSON into a 400 instead of an exception. */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json'))
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  return parseJson(await readBodyText(c));
}

/**
 * Parses a JSON body; malformed JSON is a 400 BAD_JSON, and so is an object that names a key twice
 * (400 DUPLICATE_KEY naming it): JSON.parse keeps the last of `{"amount":"1","amount":"5300.00"}`,
 * so what a proxy, a log or a person reading the body sees need not be what is decided.
 */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new AppError('BAD_JSON', 'the request body is not valid JSON');
  }
  const dup = duplicateKey(text);
  if (dup !== undefined)
    throw new AppError(
      'DUPLICATE_KEY',
      `the request body names "${dup.key}" more than once${dup.path === '' ? '' : ` (in ${dup.path})`}; send each key once`,
      { details: { key: dup.key, path: dup.path } },
    );
  return value;
}

const [QUOTE, BACKSLASH, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY, COMMA] = [...'"\\{}[],'].map(
  (c) => c.charCodeAt(0),
);

/**
 * The first key an object in `text` names twice, and the path of that object ('' = the top level,
 * `lots[2]`); undefined when none. `text` must be JSON that JSON.parse accepted: the grammar is
 * already checked, so one pass over strings and brackets suffices (linear; no second parser to
 * trust). Keys are compared decoded, so `"\u0061mount"` is `"amount"`.
 */
export function duplicateKey(text: string): { key: string; path: string } | undefined {
  // One frame per open object or array, with where it sits in its parent (a key, or an index).
  type Frame =
    | { object: true; keys: Set<string>; expectKey: boolean; last: string; at: string | number }
    | { object: false; index: number; at: string | number };
  const stack: Frame[] = [];
  const position = (): string | number => {
    const top = stack.at(-1);
    return top === undefined ? '' : top.object ? top.last : top.index;
  };
  const path = (): string =>
    stack
      .slice(1)
      .map((f, i) => (typeof f.at === 'number' ? `[${f.at}]` : i === 0 ? f.at : `.${f.at}`))
      .join('');
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      let j = i + 1;
      let escaped = false;
      for (let c = text.charCodeAt(j); c !== QUOTE; c = text.charCodeAt(j)) {
        if (c === BACKSLASH) {
          escaped = true;
          j += 2;
        } else j += 1;
      }
      const top = stack.at(-1);
      if (top?.object === true && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.keys.has(key)) return { key, path: path() };
        top.keys.add(key);
        top.last = key;
        top.expectKey = false;
      }
      i = j;
    } else if (ch === OPEN_OBJECT)
      stack.push({ object: true, keys: new Set(), expectKey: true, last: '', at: position() });
    else if (ch === OPEN_ARRAY) stack.push({ object: false, index: 0, at: position() });
    else if (ch === CLOSE_OBJECT || ch === CLOSE_ARRAY) stack.pop();
    else if (ch === COMMA) {
      const top = stack.at(-1);
      if (top?.object === true) top.expectKey = true;
      else if (top !== undefined) top.index += 1;
    }
  }
  return undefined;
}

const tooLarge = (maxBytes: number): AppError =>
  new AppError('BODY_TOO_LARGE', `the request body is larger than the limit of ${maxBytes} bytes`, {
    details: { maxBytes },
  });

/**
 * A Node request's body as UTF-8 text, at most `maxBytes`: beyond, it rejects with 413 BODY_TOO_LARGE
 * and discards the rest (the connection stays usable for the answer).
 */
export function readIncomingText(incoming: IncomingMessage, maxBytes: number): Promise<string> {
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
    incoming.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    incoming.once('error', reject);
  });
}
