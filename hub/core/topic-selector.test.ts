import { describe, expect, it } from 'vitest';
import {
  firstUncoveredTopic,
  matchAny,
  matchSelector,
  mayMatchUnder,
  selectorError,
  selectorKind,
} from './topic-selector.ts';

describe('topic selectors', { timeout: 20_000 }, () => {
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
    expect(selectorError('')?.message).toMatch(/empty/);
    expect(selectorError('https://x/{')).toMatchObject({
      code: 'INVALID_TOPIC_SELECTOR',
      message: expect.stringMatching(/invalid URI template/) as unknown,
    });
    expect(selectorError('https://x/{}')?.message).toMatch(/invalid URI template/);
    expect(selectorError('https://x/{id}')).toBeUndefined();
    expect(selectorError('https://x/plain')).toBeUndefined();
    expect(selectorError('*')).toBeUndefined();
  });

  it('holds a client selector to the length and variable limits, naming the limit', () => {
    const limits = { maxLength: 40, maxVariables: 3 };
    expect(selectorError('https://x/{a}{/b}{?c}', limits)).toBeUndefined();
    expect(selectorError(`https://x/${'a'.repeat(40)}`, limits)).toEqual({
      code: 'TOPIC_SELECTOR_TOO_LONG',
      message: expect.stringMatching(/50 characters .* at most 40 \(MERCURE_MAX_TOPIC_LENGTH\)/) as unknown,
    });
    // `{a,b}` is two variables: four in all.
    expect(selectorError('https://x/{a,b}{/c}{?d}', limits)).toEqual({
      code: 'TOPIC_SELECTOR_TOO_COMPLEX',
      message: expect.stringMatching(/4 variables.* at most 3 .*MERCURE_MAX_TEMPLATE_EXPRESSIONS/) as unknown,
    });
    // A long prefix modifier is refused whatever the limits (it unrolls into the matching program).
    expect(selectorError('https://x/{a:33}')).toMatchObject({ code: 'TOPIC_SELECTOR_TOO_COMPLEX' });
    expect(selectorError('https://x/{a:32}')).toBeUndefined();
  });

  it('matches hostile templates in linear time (they used to backtrack for seconds to hours)', () => {
    // Each of these took from ~8 s to far longer with the backtracking RegExp translation.
    const hostile = [
      '{+v0}{+v1}{+v2}{+v3}{+v4}!',
      '{+v0}{+v1}{+v2}{+v3}{+v4}{+v5}{+v6}{+v7}!',
      '{v0}{v1}{v2}{v3}{v4}{v5}{v6}{v7}{v8}{v9}{v10}{v11}!',
      '{+a,b,c,d,e,f,g,h,i,j,k,l}!',
      '{/a*}{/b*}{/c*}{/d*}{/e*}{/f*}!',
      '{?a*,b*,c*,d*,e*,f*}!',
    ];
    const topics = [
      `/.well-known/mercure/subscriptions/${encodeURIComponent(hostile[0]!)}/urn%3Auuid%3A${'1'.repeat(36)}`,
      `https://gavel.local/auctions/${'a'.repeat(2000)}`,
      `/${'a/'.repeat(1000)}`,
      `?${'a=1&'.repeat(500)}`,
    ];
    const started = performance.now();
    for (const t of hostile) for (const topic of topics) expect(matchSelector(t, topic)).toBe(false);
    // Generous for a loaded machine: linear matching takes milliseconds for all of these.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('mayMatchUnder: whether a selector could reach any topic under a prefix', () => {
    const SUBS = '/.well-known/mercure/subscriptions/';
    expect(mayMatchUnder('*', SUBS)).toBe(true);
    expect(mayMatchUnder('{+any}', SUBS)).toBe(true);
    expect(mayMatchUnder('/.well-known/mercure/subscriptions{/topic}{/subscriber}', SUBS)).toBe(true);
    expect(mayMatchUnder('/.well-known/mercure/subscriptions/x{/subscriber}', SUBS)).toBe(true);
    expect(mayMatchUnder(`${SUBS}x/urn%3Auuid%3A1`, SUBS)).toBe(true);
    expect(mayMatchUnder('https://gavel.local/auctions/{id}', SUBS)).toBe(false);
    expect(mayMatchUnder('/.well-known/other/{x}', SUBS)).toBe(false);
    expect(mayMatchUnder('https://gavel.local/bidders/alice', SUBS)).toBe(false);
    expect(mayMatchUnder('https://x/{', SUBS)).toBe(false);
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
