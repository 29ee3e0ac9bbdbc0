import { describe, expect, it } from 'vitest';
import { LineTail } from './line-tail.ts';

const timeout = (ms: number): string => `none within ${ms} ms`;

describe('LineTail', () => {
  it('keeps only the newest lines, but positions count every line', () => {
    const t = new LineTail(3);
    for (const l of ['a', 'b', 'c', 'd', 'e']) t.push(l);
    expect(t.recent()).toEqual(['c', 'd', 'e']);
    expect(t.last(2)).toEqual(['d', 'e']);
    expect(t.mark()).toBe(5);
  });

  it('finds the first matching line after a position, among the lines still held', () => {
    const t = new LineTail(3);
    for (const l of ['x1', 'y', 'x2', 'x3', 'z']) t.push(l);
    expect(t.find(/^x/)).toBe('x2'); // x1 is gone
    expect(t.find(/^x/, 3)).toBe('x3');
    expect(t.find(/^x/, 4)).toBeUndefined();
  });

  it('answers a wait at once from a held line, or with the next matching line after the mark', async () => {
    const t = new LineTail(10);
    t.push('ready');
    await expect(t.waitFor(/ready/, {}, timeout)).resolves.toBe('ready');
    const after = t.waitFor(/ready/, { after: t.mark() }, timeout);
    t.push('noise');
    t.push('ready again');
    await expect(after).resolves.toBe('ready again');
  });

  it('rejects a wait with the caller’s message when no line comes in time', async () => {
    const t = new LineTail(10);
    await expect(t.waitFor(/never/, { timeoutMs: 20 }, timeout)).rejects.toThrow('none within 20 ms');
    t.push('never'); // a late line resolves nothing left behind
    expect(t.find(/never/)).toBe('never');
  });
});
