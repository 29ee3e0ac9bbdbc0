import { randomUUID } from 'node:crypto';
import { isSafeField } from '../../common/sse.ts';
import { HubRefusal } from './refusal.ts';
import type { Update } from './update.ts';

const RESERVED_TOPIC = /\/\.well-known\/mercure(\/|$|\?|#)/;
const FALSEY = new Set(['false', 'off', '0', 'no']);

/** Control characters cannot go in an HTTP header (nor survive one), and an id must: refused. */
function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Validates a form-encoded update (the Mercure publish fields) into an Update; `fail` throws the
 * refusal. Shared by the HTTP publish and the back-end stream publisher, so both refuse alike.
 */
export function parseUpdate(form: URLSearchParams, fail: (r: HubRefusal) => never): Update {
  const topics = form.getAll('topic');
  if (topics.length === 0 || topics.some((t) => t === ''))
    fail(new HubRefusal('MISSING_TOPIC', 'an update needs at least one non-empty "topic"'));
  const reserved = topics.find((t) => RESERVED_TOPIC.test(t));
  if (reserved !== undefined)
    fail(
      new HubRefusal(
        'RESERVED_TOPIC',
        `topics under /.well-known/mercure are reserved for the hub ("${reserved}")`,
      ),
    );
  const id = form.get('id') ?? `urn:uuid:${randomUUID()}`;
  if (id === '' || !isSafeField(id) || hasControlChar(id))
    fail(
      new HubRefusal(
        'INVALID_ID',
        'the "id" must be non-empty and contain no CR, LF, NUL or other control character',
      ),
    );
  if (id === 'earliest')
    fail(new HubRefusal('INVALID_ID', '"earliest" is reserved and cannot be an update id'));
  const type = form.get('type') ?? undefined;
  if (type !== undefined && !isSafeField(type))
    fail(new HubRefusal('INVALID_TYPE', 'the "type" must contain no CR, LF or NUL'));
  const retryRaw = form.get('retry');
  let retry: number | undefined;
  if (retryRaw !== null) {
    retry = Number(retryRaw);
    if (!/^\d+$/.test(retryRaw) || !Number.isSafeInteger(retry))
      fail(
        new HubRefusal(
          'INVALID_RETRY',
          `"retry" must be a non-negative integer of milliseconds, got "${retryRaw}"`,
        ),
      );
  }
  const priv = form.get('private');
  return {
    id,
    topics,
    data: form.get('data') ?? '',
    private: priv !== null && !FALSEY.has(priv.toLowerCase()),
    type: type === '' ? undefined : type,
    retry,
  };
}
