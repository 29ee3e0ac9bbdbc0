import { describe, expect, it } from 'vitest';
import type { Lot } from '../ledger/records.ts';
import {
  catalogueCsv,
  CsvRefused,
  guard,
  parseIncrements,
  readCatalogueCsv,
  unguard,
} from './catalogue-csv.ts';

describe('the CSV injection guard', () => {
  it('marks every cell a spreadsheet would run as a formula, and only those', () => {
    for (const cell of ['=HYPERLINK("https://x")', '+1', '-2', '@SUM(A1)', '\tx', '\rx'])
      expect(guard(cell)).toBe(`'${cell}`);
    for (const cell of ['Still life', '1200.00', "'quoted", '', 'a=b']) expect(guard(cell)).toBe(cell);
  });

  it('round-trips: unguard(guard(x)) is x, even for a cell that already starts with an apostrophe', () => {
    for (const cell of ['=1+1', "'=1+1", "''-x", 'plain', "'plain", '-', '@'])
      expect(unguard(guard(cell))).toBe(cell);
  });
});

describe('readCatalogueCsv', () => {
  it('maps the header as people write it and numbers rows by file line', () => {
    const rows = readCatalogueCsv(
      'Lot number,Title,Description,Opening\r\n1,Vase,"two\nlines",100.00\r\n2,Chair,,50.00\r\n',
    );
    expect(rows).toEqual([
      { line: 2, cells: { lotNumber: '1', title: 'Vase', description: 'two\nlines', opening: '100.00' } },
      { line: 4, cells: { lotNumber: '2', title: 'Chair', description: '', opening: '50.00' } },
    ]);
  });

  it('refuses unknown, repeated and missing columns, an empty file and ragged rows', () => {
    expect(() => readCatalogueCsv('lotNumber,title,opening,colour\n1,a,1,red\n')).toThrow(
      /unknown column "colour"/,
    );
    expect(() => readCatalogueCsv('lotNumber,title,opening,Title\n1,a,1,b\n')).toThrow(/named twice/);
    expect(() => readCatalogueCsv('lotNumber,title\n1,a\n')).toThrow(/missing column: opening/);
    expect(() => readCatalogueCsv('')).toThrow(CsvRefused);
    expect(() => readCatalogueCsv('lotNumber,title,opening\n')).toThrow(/no lots/);
    expect(() => readCatalogueCsv('lotNumber,title,opening\n1,a\n')).toThrow(/not readable as CSV/);
  });
});

describe('parseIncrements', () => {
  it('reads from:step bands separated by semicolons', () => {
    expect(parseIncrements('0:10.00; 1000.00 : 50.00')).toEqual([
      { from: '0', step: '10.00' },
      { from: '1000.00', step: '50.00' },
    ]);
    expect(parseIncrements('ten')).toBeUndefined();
    expect(parseIncrements('')).toBeUndefined();
  });
});

describe('catalogueCsv', () => {
  it('writes money in the currency, guards formulas and reads back the same cells', () => {
    const lot: Lot = {
      id: 'l1',
      saleId: 's1',
      lotNumber: 7,
      title: '=cmd|"/c calc"!A1',
      description: 'Oil, "signed"',
      currency: 'EUR',
      opening: 10_000,
      reserve: 0,
      estimateLow: 20_000,
      estimateHigh: undefined,
      increments: [
        { from: 0, step: 1_000 },
        { from: 100_000, step: 5_000 },
      ],
      status: 'scheduled',
      startsAt: undefined,
      endsAt: undefined,
      graceMs: 0,
      softCloseMs: 0,
      softCloseCapMs: 0,
      consignorId: undefined,
      imageUrl: undefined,
      premiumBands: undefined,
      closingSoonSentAt: undefined,
      finalisedAt: undefined,
    };
    const text = catalogueCsv([lot]);
    expect(text.split('\r\n')[0]).toBe(
      'lotNumber,title,description,estimateLow,estimateHigh,opening,reserve,increments,consignorId,imageUrl',
    );
    expect(text).toContain(`'=cmd`);
    const [row] = readCatalogueCsv(text);
    expect(row?.cells).toEqual({
      lotNumber: '7',
      title: '=cmd|"/c calc"!A1',
      description: 'Oil, "signed"',
      estimateLow: '200.00',
      estimateHigh: '',
      opening: '100.00',
      reserve: '',
      increments: '0.00:10.00;1000.00:50.00',
      consignorId: '',
      imageUrl: '',
    });
  });
});
