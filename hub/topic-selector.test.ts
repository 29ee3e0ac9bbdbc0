import { describe, expect, it } from 'vitest';
import {
  firstUncoveredTopic,
  matchAny,
  matchSelector,
  selectorError,
  selectorKind,
} from './topic-selector.ts';

describe('topic selectors', { timeout: 1000 }, () => {
  it('classifies selectors', () => {
    expect(selectorKind('*')).toBe('all');
    expect(selectorKind('https://example.com/books/1')).toBe('exact');
    expect(selectorKind('https://example.com/books/{id}')).toBe('template');
  });

  it('"*" matches every topic; an exact selector matches only itself', () => {
    expect(matchSelector('*', 'urn:anything')).toBe(true);
    expect(matchSelector('https://example.com/a', 'https://example.com/a')).toBe(true);
    expect(matchSelector('https://example.com/a', 'https://example.com/a/b')).toBe(false);
    expect(matchSelector('https://example.com/a', 'https://example.com/')).toBe(false);
  });

  it('matches RFC 6570 templates: {id} is one segment, {+path} spans segments', () => {
    const t = 'https://example.com/books/{id}';
    expect(matchSelector(t, 'https://example.com/books/1')).toBe(true);
    expect(matchSelector(t, 'https://example.com/books/1/x')).toBe(false);
    expect(matchSelector(t, 'https://example.com/authors/1')).toBe(false);
    expect(matchSelector(t, 'prefix-https://example.com/books/1')).toBe(false);
    expect(matchSelector('https://example.com/{+path}', 'https://example.com/a/b/c')).toBe(true);
    expect(matchSelector('https://example.com/books/{id}.json', 'https://example.com/books/7.json')).toBe(
      true,
    );
    expect(matchSelector('https://example.com/books/{id}.json', 'https://example.com/books/7.xml')).toBe(
      false,
    );
    // Cached answers stay right.
    expect(matchSelector(t, 'https://example.com/books/1')).toBe(true);
    expect(matchSelector(t, 'https://example.com/books/1/x')).toBe(false);
  });

  it('treats a topic with a malformed percent-escape as no match for a template, without throwing', () => {
    expect(() =>
      matchSelector('https://example.com/books/{id}', 'https://example.com/books/%'),
    ).not.toThrow();
    expect(matchSelector('https://example.com/books/{id}', 'https://example.com/books/%E0%A4%A')).toBe(false);
    expect(matchSelector('https://example.com/books/%', 'https://example.com/books/%')).toBe(true);
    expect(matchAny(['https://example.com/{+p}', 'urn:x'], ['https://example.com/%zz', 'urn:x'])).toBe(true);
  });

  it('caches each (selector, topic) pair apart, whatever characters they hold', () => {
    // Both strings come from clients; a separator-joined cache key made these two pairs collide.
    // Concatenated without the length prefix, both pairs would read "https://x/{p}https://x/ab".
    expect(matchSelector('https://x/{p}', 'https://x/ab')).toBe(true);
    expect(matchSelector('https://x/{p}https://x/a', 'b')).toBe(false);
  });

  it('reports invalid selectors', () => {
    expect(selectorError('')).toMatch(/empty/);
    expect(selectorError('https://x/{')).toMatch(/invalid URI template/);
    expect(selectorError('https://x/{}')).toMatch(/invalid URI template/);
    expect(selectorError('https://x/{id}')).toBeUndefined();
    expect(selectorError('https://x/plain')).toBeUndefined();
    expect(selectorError('*')).toBeUndefined();
  });

  it('matchAny: any selector against any topic; firstUncoveredTopic: every topic needs a selector', () => {
    const selectors = ['https://example.com/books/{id}', 'urn:a'];
    expect(matchAny(selectors, ['urn:b', 'urn:a'])).toBe(true);
    expect(matchAny(selectors, ['urn:b', 'urn:c'])).toBe(false);
    expect(matchAny([], ['urn:a'])).toBe(false);
    expect(firstUncoveredTopic(selectors, ['https://example.com/books/1', 'urn:a'])).toBeUndefined();
    expect(firstUncoveredTopic(selectors, ['https://example.com/books/1', 'urn:b', 'urn:c'])).toBe('urn:b');
    expect(firstUncoveredTopic(['*'], ['urn:anything'])).toBeUndefined();
  });
});
