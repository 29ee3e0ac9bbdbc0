import { describe, expect, it } from 'vitest';
import { lineSplitter } from './child.ts';

describe('lineSplitter', () => {
  it('hands on whole lines only, however the chunks cut them', () => {
    const lines: string[] = [];
    const s = lineSplitter((l) => lines.push(l));
    s.write('one\ntw');
    expect(lines).toEqual(['one']);
    s.write('o\n\nthr');
    s.write('ee');
    expect(lines).toEqual(['one', 'two', '']);
    s.end();
    expect(lines).toEqual(['one', 'two', '', 'three']);
  });

  it('adds nothing at the end when the text ended with a newline', () => {
    const lines: string[] = [];
    const s = lineSplitter((l) => lines.push(l));
    s.write('a\n');
    s.end();
    expect(lines).toEqual(['a']);
  });
});
