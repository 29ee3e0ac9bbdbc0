import { describe, expect, it } from 'vitest';
import { encodeComment, encodeEvent, isSafeField, SSE_HEADERS } from './sse.ts';

describe('encodeEvent', { timeout: 1000 }, () => {
  it('writes event, id, retry, then one data line per line of data, and a blank line', () => {
    const frame = encodeEvent({ id: 'urn:x:1', event: 'bid', retry: 1500, data: 'a\n\n  b' });
    expect(frame).toBeInstanceOf(Buffer);
    expect(frame.toString('utf8')).toBe(
      'event: bid\nid: urn:x:1\nretry: 1500\ndata: a\ndata: \ndata:   b\n\n',
    );
  });

  it('splits data on CRLF, CR and LF alike, and keeps a trailing empty line', () => {
    expect(encodeEvent({ data: 'a\r\nb\rc\nd\n' }).toString()).toBe(
      'data: a\ndata: b\ndata: c\ndata: d\ndata: \n\n',
    );
  });

  it('always writes a data line, even for empty data', () => {
    expect(encodeEvent({ id: '1', data: '' }).toString()).toBe('id: 1\ndata: \n\n');
  });

  it('omits an empty event type and normalises retry to a non-negative integer', () => {
    expect(encodeEvent({ event: '', retry: 12.9, data: 'x' }).toString()).toBe('retry: 12\ndata: x\n\n');
    expect(encodeEvent({ retry: -5, data: 'x' }).toString()).toBe('retry: 0\ndata: x\n\n');
  });

  it('encodes UTF-8', () => {
    const frame = encodeEvent({ data: 'enchère €5' });
    expect(frame.toString('utf8')).toBe('data: enchère €5\n\n');
    expect(frame.length).toBe(Buffer.byteLength('data: enchère €5\n\n'));
  });

  it('refuses CR, LF or NUL in id and event (they would inject fields)', () => {
    for (const bad of ['a\nb', 'a\rb', 'a\0b', '1\n\ndata: injected']) {
      expect(() => encodeEvent({ id: bad, data: '' })).toThrow(TypeError);
      expect(() => encodeEvent({ event: bad, data: '' })).toThrow(TypeError);
      expect(isSafeField(bad)).toBe(false);
    }
    expect(isSafeField('urn:uuid:1 with spaces: and colons')).toBe(true);
  });
});

describe('encodeComment and headers', { timeout: 1000 }, () => {
  it('encodes an empty comment as ":" and strips line breaks from a comment text', () => {
    expect(encodeComment().toString()).toBe(':\n\n');
    expect(encodeComment('hi\nthere\r').toString()).toBe(': hi there \n\n');
  });

  it('declares an uncacheable, unbuffered event stream', () => {
    expect(SSE_HEADERS['Content-Type']).toMatch(/^text\/event-stream/);
    expect(SSE_HEADERS['Cache-Control']).toContain('no-store');
    expect(SSE_HEADERS['X-Accel-Buffering']).toBe('no');
  });
});
