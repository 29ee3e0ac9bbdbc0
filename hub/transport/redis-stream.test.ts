import { describe, expect, it } from 'vitest';
import type { Update } from '../core/update.ts';
import {
  DEFAULT_STREAM_PREFIX,
  entryToUpdate,
  limitsFields,
  MIN_STREAM_ENTRIES,
  parseStreamUrl,
  publishArgs,
  publishKeys,
  streamKeys,
  type StreamEntry,
} from './redis-stream.ts';

/** The entry the publish script writes for these ARGV (the XADD field list of lua/publish-4.lua). */
const entryOf = (args: (string | number)[]): StreamEntry => [
  '1-0',
  [
    'id',
    String(args[0]),
    't',
    String(args[1]),
    'd',
    String(args[2]),
    'p',
    String(args[3]),
    'y',
    String(args[4]),
    'r',
    String(args[5]),
  ],
];

describe('redis stream layout', () => {
  it('reads the key prefix from the transport URL, and drops the query from the Redis URL', () => {
    expect(parseStreamUrl('redis://127.0.0.1:6379/2?prefix=t:{x}')).toEqual({
      redisUrl: 'redis://127.0.0.1:6379/2',
      prefix: 't:{x}',
    });
    expect(parseStreamUrl('redis://h:1').prefix).toBe(DEFAULT_STREAM_PREFIX);
    expect(parseStreamUrl('redis://h:1?prefix=a', 'b').prefix).toBe('b');
  });

  it('keeps every key of a stream under its prefix (one hash tag: one cluster slot)', () => {
    const k = streamKeys('p:{h}');
    for (const key of [k.stream, k.seq, k.limits, k.instances, k.watchers, k.events, k.subs('i'), k.id('u')])
      expect(key.startsWith('p:{h}:')).toBe(true);
    expect(
      new Set([k.stream, k.seq, k.limits, k.instances, k.watchers, k.events, k.subs('i'), k.id('u')]).size,
    ).toBe(8);
    expect(publishKeys(k, 'u')).toEqual([k.stream, k.seq, k.id('u'), k.limits]);
  });

  it('keeps at least MIN_STREAM_ENTRIES in the stream, whatever the history size', () => {
    expect(limitsFields({ size: 10, maxAgeMs: 5000 })).toEqual({
      size: 10,
      max_age_ms: 5000,
      keep: MIN_STREAM_ENTRIES,
    });
    expect(limitsFields({ size: 50_000, maxAgeMs: 1 })).toEqual({
      size: 50_000,
      max_age_ms: 1,
      keep: 50_000,
    });
  });

  it('passes the limits to the script from a hub, and leaves them to the recorded ones from a back-end publisher', () => {
    const u: Update = { id: 'a', topics: ['t'], data: 'd', private: false };
    expect(publishArgs(u, { size: 10, maxAgeMs: 5000 }).slice(6)).toEqual([10, 5000, MIN_STREAM_ENTRIES]);
    expect(publishArgs(u).slice(6)).toEqual(['', '', '']);
  });

  it('reads back from an entry the update it was written from', () => {
    const updates: Update[] = [
      {
        id: 'urn:x:1',
        topics: ['https://h/a', 'https://h/b'],
        data: 'line\n\n  two',
        private: true,
        type: 'bid',
        retry: 1500,
      },
      { id: 'prix-€5', topics: ['t'], data: '', private: false, type: undefined, retry: undefined },
      { id: 'z', topics: ['t'], data: 'x', private: false, type: undefined, retry: 0 },
    ];
    for (const u of updates) expect(entryToUpdate(entryOf(publishArgs(u)))).toEqual(u);
  });

  it('reads an entry with fields missing as an empty update rather than failing', () => {
    expect(entryToUpdate(['1-0', ['id', 'a']])).toEqual({
      id: 'a',
      topics: [],
      data: '',
      private: false,
      type: undefined,
      retry: undefined,
    });
  });
});
