import type { Update } from '../core/update.ts';
import type { HistoryLimits } from './transport.ts';

/**
 * The layout of a hub stream in Redis, which hubs and back-end publishers on it agree on: key
 * names, the transport URL, and how an update is written to and read from a stream entry.
 * Pure: no connection here (see redis.ts, redis-registry.ts and publishers/stream.ts).
 */

/** The default key prefix of the Redis transport (one hash tag: one Redis Cluster slot). */
export const DEFAULT_STREAM_PREFIX = 'gavel:{hub}';

/**
 * The stream is also the delivery bus between instances, so it never holds fewer than this
 * (an instance whose read lags a little must still find its next entry). History is only the
 * newest `limits.size` of them, within `limits.maxAgeMs`: that is all that is ever replayed,
 * and a cursor outside it is unknown (`found: false`), exactly as in MemoryTransport.
 */
export const MIN_STREAM_ENTRIES = 1000;

/** The keys of one hub stream. */
export function streamKeys(prefix: string) {
  return {
    stream: `${prefix}:updates`,
    seq: `${prefix}:seq`,
    limits: `${prefix}:limits`,
    instances: `${prefix}:instances`,
    /** Instances with a subscriber who may read subscription events (sorted set, scored by expiry). */
    watchers: `${prefix}:watchers`,
    /** The pub/sub channel of subscription events (a channel, not a key). */
    events: `${prefix}:subscription-events`,
    subs: (instance: string) => `${prefix}:subs:${instance}`,
    id: (id: string) => `${prefix}:id:${id}`,
  };
}

export type StreamKeys = ReturnType<typeof streamKeys>;

/** A transport URL (`redis://host:port?prefix=…`) as a Redis URL and the key prefix. */
export function parseStreamUrl(raw: string, prefix?: string): { redisUrl: string; prefix: string } {
  const url = new URL(raw);
  const p = prefix ?? url.searchParams.get('prefix') ?? DEFAULT_STREAM_PREFIX;
  url.search = '';
  return { redisUrl: url.toString(), prefix: p };
}

/** The history limits as hubs record them in `<prefix>:limits`, where the publish script reads them. */
export function limitsFields(limits: HistoryLimits): { size: number; max_age_ms: number; keep: number } {
  return {
    size: limits.size,
    max_age_ms: limits.maxAgeMs,
    keep: Math.max(limits.size, MIN_STREAM_ENTRIES),
  };
}

/** The KEYS of the publish script (lua/publish-4.lua) for one update. */
export function publishKeys(keys: StreamKeys, id: string): string[] {
  return [keys.stream, keys.seq, keys.id(id), keys.limits];
}

/**
 * The ARGV of the publish script for one update. Without `limits` (a back-end publisher) the
 * script applies the limits the hubs recorded, and refuses with NOHUB when none has.
 */
export function publishArgs(update: Update, limits?: HistoryLimits): (string | number)[] {
  const args: (string | number)[] = [
    update.id,
    JSON.stringify(update.topics),
    update.data,
    update.private ? '1' : '0',
    update.type ?? '',
    update.retry === undefined ? '' : String(update.retry),
  ];
  if (limits === undefined) return [...args, '', '', ''];
  const f = limitsFields(limits);
  return [...args, f.size, f.max_age_ms, f.keep];
}

/** A stream entry as XREAD and XRANGE return it. */
export type StreamEntry = [id: string, fields: string[]];

/** The update a stream entry holds (the fields the publish script writes). */
export function entryToUpdate([, fields]: StreamEntry): Update {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const type = f.get('y');
  const retry = f.get('r');
  return {
    id: f.get('id') ?? '',
    topics: JSON.parse(f.get('t') ?? '[]') as string[],
    data: f.get('d') ?? '',
    private: f.get('p') === '1',
    type: type === undefined || type === '' ? undefined : type,
    retry: retry === undefined || retry === '' ? undefined : Number(retry),
  };
}
