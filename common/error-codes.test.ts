import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { areaOf, ERROR_AREAS, ERROR_CODES, isErrorCode, statusOf, type ErrorCode } from './error-codes.ts';

/** The rows of docs/api.md's "Error codes" table: code, status, area. */
function documented(): { code: string; status: number; area: string }[] {
  const md = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
  const section = md.split(/^## Error codes$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^\| `([A-Z_0-9]+)` +\| (\d{3}) +\| (\w+) +\|/gm)].map((m) => ({
    code: m[1]!,
    status: Number(m[2]),
    area: m[3]!,
  }));
}

describe('the error catalogue', () => {
  it('and the table in docs/api.md list the same codes, statuses and areas', () => {
    const rows = documented();
    const fromCatalogue = Object.keys(ERROR_CODES)
      .map((code) => ({ code, status: statusOf(code as ErrorCode), area: areaOf(code as ErrorCode) }))
      .sort((a, b) => a.code.localeCompare(b.code));
    expect([...rows].sort((a, b) => a.code.localeCompare(b.code))).toEqual(fromCatalogue);
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
  });

  it('puts each code in exactly one area', () => {
    const all = Object.values(ERROR_AREAS).flatMap((codes) => Object.keys(codes));
    expect(all).toHaveLength(new Set(all).size);
    expect(all).toHaveLength(Object.keys(ERROR_CODES).length);
  });

  it('tells known codes from other strings', () => {
    expect(isErrorCode('OUTBID')).toBe(true);
    expect(isErrorCode('outbid')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });
});

describe('AppError', () => {
  it('takes its status from the catalogue', () => {
    const e = new AppError('UNKNOWN_LOT', 'no lot "x"', { details: { lotId: 'x' } });
    expect([e.status, e.code, e.message]).toEqual([404, 'UNKNOWN_LOT', 'no lot "x"']);
    expect(e.toBody()).toEqual({
      error: { code: 'UNKNOWN_LOT', message: 'no lot "x"', details: { lotId: 'x' } },
    });
    const cause = new Error('down');
    expect(new AppError('ENGINE_UNAVAILABLE', 'later', { cause }).cause).toBe(cause);
  });

  it('refuses a code the catalogue does not know, at compile time', () => {
    // @ts-expect-error: not a catalogued code
    const e = new AppError('NO_SUCH_CODE', 'x');
    expect(e.code).toBe('NO_SUCH_CODE');
  });
});
