import { describe, expect, it } from 'vitest';
import { parseUpdate } from './parse-update.ts';
import { HubRefusal } from './refusal.ts';

const fail = (r: HubRefusal): never => {
  throw r;
};
const parse = (fields: [string, string][]) => parseUpdate(new URLSearchParams(fields), fail);

/** The refusal parseUpdate throws for these fields. */
function refusal(fields: [string, string][]): HubRefusal {
  try {
    parse(fields);
  } catch (err) {
    if (err instanceof HubRefusal) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('parseUpdate', () => {
  it('reads every Mercure publish field', () => {
    expect(
      parse([
        ['topic', 'https://example.com/a'],
        ['topic', 'https://example.com/b'],
        ['data', 'x\ny'],
        ['private', 'on'],
        ['id', 'urn:x:1'],
        ['type', 'bid'],
        ['retry', '1500'],
      ]),
    ).toEqual({
      id: 'urn:x:1',
      topics: ['https://example.com/a', 'https://example.com/b'],
      data: 'x\ny',
      private: true,
      type: 'bid',
      retry: 1500,
    });
  });

  it('gives an update without an id a urn:uuid, and empty data when none is sent', () => {
    const u = parse([['topic', 't']]);
    expect(u.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(u.data).toBe('');
    expect(u.private).toBe(false);
    expect(u.type).toBeUndefined();
    expect(u.retry).toBeUndefined();
    expect(parse([['topic', 't']]).id).not.toBe(u.id);
  });

  it('treats private=false|off|0|no (any case) as public, and anything else as private', () => {
    for (const v of ['false', 'OFF', '0', 'No'])
      expect(
        parse([
          ['topic', 't'],
          ['private', v],
        ]).private,
      ).toBe(false);
    for (const v of ['on', 'true', '1', ''])
      expect(
        parse([
          ['topic', 't'],
          ['private', v],
        ]).private,
      ).toBe(true);
  });

  it('treats an empty type as none', () => {
    expect(
      parse([
        ['topic', 't'],
        ['type', ''],
      ]).type,
    ).toBeUndefined();
  });

  it('refuses a missing or empty topic', () => {
    expect(refusal([['data', 'x']])).toMatchObject({ status: 400, code: 'MISSING_TOPIC' });
    expect(
      refusal([
        ['topic', 'a'],
        ['topic', ''],
      ]),
    ).toMatchObject({ status: 400, code: 'MISSING_TOPIC' });
  });

  it('refuses topics under /.well-known/mercure, naming the topic', () => {
    for (const t of [
      'https://h/.well-known/mercure',
      'https://h/.well-known/mercure/subscriptions/x/y',
      '/.well-known/mercure?x',
      '/.well-known/mercure#x',
    ]) {
      const r = refusal([['topic', t]]);
      expect(r).toMatchObject({ status: 400, code: 'RESERVED_TOPIC' });
      expect(r.message).toContain(t);
    }
    expect(parse([['topic', 'https://h/.well-known/mercureX']]).topics).toEqual([
      'https://h/.well-known/mercureX',
    ]);
  });

  it('refuses an empty id, control characters in it, and "earliest"', () => {
    for (const id of ['', 'a\nb', 'a\rb', 'a\0b', 'a\tb', 'a\u007fb', 'earliest'])
      expect(
        refusal([
          ['topic', 't'],
          ['id', id],
        ]),
      ).toMatchObject({ status: 400, code: 'INVALID_ID' });
    expect(
      parse([
        ['topic', 't'],
        ['id', 'prix-€5'],
      ]).id,
    ).toBe('prix-€5');
  });

  it('refuses a type with CR, LF or NUL', () => {
    for (const type of ['a\nb', 'a\rb', 'a\0b'])
      expect(
        refusal([
          ['topic', 't'],
          ['type', type],
        ]),
      ).toMatchObject({ status: 400, code: 'INVALID_TYPE' });
  });

  it('refuses a retry that is not a non-negative integer of milliseconds', () => {
    for (const retry of ['-1', '1.5', 'soon', '', '1e3', '99999999999999999999'])
      expect(
        refusal([
          ['topic', 't'],
          ['retry', retry],
        ]),
      ).toMatchObject({ status: 400, code: 'INVALID_RETRY' });
    expect(
      parse([
        ['topic', 't'],
        ['retry', '0'],
      ]).retry,
    ).toBe(0);
  });
});
