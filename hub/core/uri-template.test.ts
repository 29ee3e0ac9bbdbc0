import { describe, expect, it } from 'vitest';
import { compileUriTemplate, UriTemplateError } from './uri-template.ts';

const matches = (t: string, uri: string): boolean => compileUriTemplate(t).test(uri);

describe('RFC 6570 template matching', () => {
  it.each([
    ['https://example.com/books/{id}', 'https://example.com/books/1', true],
    ['https://example.com/books/{id}', 'https://example.com/books/1/x', false],
    ['https://example.com/books/{id}', 'https://example.com/books/a%20b', true],
    ['https://example.com/books/{id}', 'https://example.org/books/1', false],
    ['{+any}', 'https://example.com/anything/at?all=1', true],
    ['https://gavel.local/{+path}', 'https://gavel.local/auctions/a/b', true],
    ['https://gavel.local/{+path}', 'https://evil.local/auctions/a', false],
    ['/a{/x}{/y}', '/a', true],
    ['/a{/x}{/y}', '/a/1', true],
    ['/a{/x}{/y}', '/a/1/2', true],
    ['/a{/x}{/y}', '/a/1/2/3', false],
    ['/a{/x}{/y}', '/a/1/2/3/4', false],
    ['/.well-known/mercure/subscriptions{/topic}{/subscriber}', '/.well-known/mercure/subscriptions', true],
    [
      '/.well-known/mercure/subscriptions{/topic}{/subscriber}',
      '/.well-known/mercure/subscriptions/https%3A%2F%2Fx%2Fy/urn%3Auuid%3A1',
      true,
    ],
    ['/p{/segs*}', '/p/a/b/c', true],
    ['/search{?q,lang}', '/search?q=cat&lang=en', true],
    ['/search{?q,lang}', '/search', true],
    ['/search{?q,lang}', '/search?x=1', false],
    ['/m{;x,y}', '/m;x=1;y=2', true],
    ['/file{.ext}', '/file.json', true],
    ['/file{.ext}', '/file.tar/gz', false],
    ['/x{#frag}', '/x#a/b', true],
    ['/short/{id:3}', '/short/abc', true],
    ['/short/{id:3}', '/short/abcd', false],
    ['/list/{a,b}', '/list/1,2', true],
  ])('%s ~ %s → %s', (t, uri, expected) => {
    expect(matches(t, uri)).toBe(expected);
  });

  it.each(['/x/{', '/x/}', '{}', '/x/{a{b}}', '/x/{=a}', '/x/{a b}', '/x/{a:0}'])(
    'refuses the malformed template %s',
    (t) => {
      expect(() => compileUriTemplate(t)).toThrow(UriTemplateError);
    },
  );
});

describe('literal prefix and suffix (checked before the engine runs)', () => {
  it.each([
    ['https://example.com/books/{id}.json', 'https://example.com/books/', '.json'],
    ['{+v0}{+v1}!', '', '!'],
    ['/a{/x}{/y}', '/a', ''],
    ['{x}', '', ''],
  ])('%s: prefix %j, suffix %j', (t, prefix, suffix) => {
    expect(compileUriTemplate(t)).toMatchObject({ prefix, suffix });
  });
});
