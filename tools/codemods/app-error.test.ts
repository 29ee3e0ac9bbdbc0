import { describe, expect, it } from 'vitest';
import { rewrite } from './app-error.ts';

describe('the AppError codemod', () => {
  it('drops the status where it is the catalogue one, also across lines', () => {
    const src = [
      "throw new AppError(404, 'UNKNOWN_LOT', `no lot ${id}`);",
      'throw new AppError(',
      '  400,',
      "  'BAD_AMOUNT',",
      "  'amount must be greater than zero',",
      ');',
    ].join('\n');
    const r = rewrite(src);
    expect(r.changed).toBe(2);
    expect(r.findings).toEqual([]);
    expect(r.source).toBe(
      [
        "throw new AppError('UNKNOWN_LOT', `no lot ${id}`);",
        "throw new AppError('BAD_AMOUNT',",
        "  'amount must be greater than zero',",
        ');',
      ].join('\n'),
    );
  });

  it('leaves and reports a status that differs, an unknown code, a code that is no literal', () => {
    const src = [
      "new AppError(401, 'BAD_SIGNATURE', 'x');",
      "new AppError(400, 'NOPE', 'x');",
      "new AppError(409, result.reason ?? 'RESTATE_REFUSED', 'x');",
    ].join('\n');
    const r = rewrite(src);
    expect(r.source).toBe(src);
    expect(r.changed).toBe(0);
    expect(r.findings.map((f) => [f.line, f.problem])).toEqual([
      [1, 'BAD_SIGNATURE is 403 in the catalogue, 401 here'],
      [2, 'NOPE is not in the catalogue'],
      [3, "the code result.reason ?? 'RESTATE_REFUSED' is not a literal: check its statuses by hand"],
    ]);
  });
});
