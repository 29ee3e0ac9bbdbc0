import { describe, expect, it } from 'vitest';
import { safeNextPath } from './next-path.ts';

describe('safeNextPath (/sign-in?next=)', () => {
  it.each(['/bid', '/bid#lot=live-1', '/bid?sale=s1#lot=a%20b', '/account', '/'])(
    'keeps the path %s',
    (p) => {
      expect(safeNextPath(p)).toBe(p);
    },
  );

  it.each([
    ['another host', '//evil.example/x'],
    ['a scheme', 'https://evil.example/'],
    ['javascript:', 'javascript:alert(1)'],
    ['a relative path', 'bid'],
    ['a backslash', '/\\evil.example'],
    ['backslashes', '\\\\evil.example'],
    ['a tab (browsers drop it)', '/\t/evil.example'],
    ['a newline', '/\n/evil.example'],
    ['a space', '/ /evil.example'],
    ['nothing', ''],
    ['a missing parameter', null],
    ['undefined', undefined],
    ['a huge one', `/${'a'.repeat(3000)}`],
  ])('refuses %s', (_, p) => {
    expect(safeNextPath(p)).toBeUndefined();
  });
});
