import { describe, expect, it } from 'vitest';
import { utf8FromHeader, utf8ToHeader } from './header-text.ts';

describe('header text', () => {
  it('writes an id as its UTF-8 bytes, each one a Latin-1 character Node can put in a header', () => {
    const h = utf8ToHeader('prix-€5');
    expect([...h].every((ch) => ch.charCodeAt(0) <= 0xff)).toBe(true);
    expect(Buffer.from(h, 'latin1')).toEqual(Buffer.from('prix-€5', 'utf8'));
  });

  it('reads back what it wrote, and plain ASCII unchanged', () => {
    for (const id of ['prix-€5', 'urn:uuid:1', 'ünïcødé 🔨', ''])
      expect(utf8FromHeader(utf8ToHeader(id))).toBe(id);
  });

  it('keeps a header that is not UTF-8 as Node read it (Latin-1)', () => {
    expect(utf8FromHeader('caf\u00e9')).toBe('caf\u00e9');
  });
});
