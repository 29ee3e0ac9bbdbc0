/**
 * Server-Sent Events framing, in one place. An event is encoded once into bytes and the
 * same bytes are written to every subscriber.
 */
export interface SseEvent {
  id?: string | undefined;
  event?: string | undefined;
  retry?: number | undefined;
  data: string;
}

const FORBIDDEN_IN_FIELD = /[\r\n\0]/;

/** True when a value may be written into an `id:` or `event:` line. */
export function isSafeField(value: string): boolean {
  return !FORBIDDEN_IN_FIELD.test(value);
}

/**
 * Encodes one event. Every line of `data` becomes its own `data:` line, so empty lines
 * and leading spaces survive (a parser strips exactly one space after the colon).
 */
export function encodeEvent(ev: SseEvent): Buffer {
  let out = '';
  if (ev.event !== undefined && ev.event !== '') {
    if (!isSafeField(ev.event)) throw new TypeError('SSE event type must not contain CR, LF or NUL');
    out += `event: ${ev.event}\n`;
  }
  if (ev.id !== undefined) {
    if (!isSafeField(ev.id)) throw new TypeError('SSE id must not contain CR, LF or NUL');
    out += `id: ${ev.id}\n`;
  }
  if (ev.retry !== undefined) out += `retry: ${Math.max(0, Math.trunc(ev.retry))}\n`;
  for (const line of ev.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  out += '\n';
  return Buffer.from(out, 'utf8');
}

/** A comment line (heartbeat, or the opening comment that makes `onopen` fire). */
export function encodeComment(text = ''): Buffer {
  return Buffer.from(`:${text === '' ? '' : ' ' + text.replace(/[\r\n]/g, ' ')}\n\n`, 'utf8');
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
};
