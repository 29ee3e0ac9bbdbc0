import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decimalQuery } from './query.ts';

describe('decimalQuery', () => {
  const q = z.object({ limit: decimalQuery(1, 100, 20) });

  it('takes decimal digits within range, and the fallback when absent', () => {
    expect(q.parse({ limit: '7' })).toEqual({ limit: 7 });
    expect(q.parse({ limit: '100' })).toEqual({ limit: 100 });
    expect(q.parse({})).toEqual({ limit: 20 });
  });

  it('refuses what only coercion would read as a number, and what is out of range', () => {
    for (const bad of ['0x10', '1e2', ' 12', '+5', '-1', '1.5', '', '0', '101', '99999999999999999'])
      expect(q.safeParse({ limit: bad }).success, JSON.stringify(bad)).toBe(false);
  });
});
