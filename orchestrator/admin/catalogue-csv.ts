/**
 * The CSV catalogue, pure (no I/O): the columns, a row read into the admin API's lot body, a lot
 * written as a row, and the guard against CSV injection. The import (`catalogue-import.ts`) checks
 * each body with the same schema and value rules as `POST /sales/:id/lots`.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { formatAmount } from '../../common/money.ts';
import type { Lot } from '../ledger/records.ts';

/** The columns in export order; an import needs `lotNumber`, `title` and `opening`, the rest may be left out. */
export const CSV_COLUMNS = [
  'lotNumber',
  'title',
  'description',
  'estimateLow',
  'estimateHigh',
  'opening',
  'reserve',
  'increments',
  'consignorId',
  'imageUrl',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number] | 'id';

const REQUIRED: readonly CsvColumn[] = ['lotNumber', 'title', 'opening'];

/** Header names as people write them ("Lot number", "lot_number", "ESTIMATE LOW") → the column. */
const ALIASES: ReadonlyMap<string, CsvColumn> = new Map([
  ...[...CSV_COLUMNS, 'id' as const].map((c): [string, CsvColumn] => [normal(c), c]),
  ['lot', 'lotNumber'],
  ['lotno', 'lotNumber'],
  ['consignor', 'consignorId'],
  ['image', 'imageUrl'],
  ['low', 'estimateLow'],
  ['high', 'estimateHigh'],
  ['openingbid', 'opening'],
]);

function normal(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * When an import has no `increments` column, or a row leaves it empty: a common auction-house ladder,
 * in major units of the sale's currency (`from:step`, `;` between bands).
 */
export const DEFAULT_INCREMENTS =
  '0:10;200:20;500:50;1000:100;2000:200;5000:500;10000:1000;20000:2000;50000:5000;100000:10000';

/** The most rows one import may have. */
export const MAX_ROWS = 2_000;

export interface CsvRow {
  /** The line in the file where the row starts (the header is line 1), as a spreadsheet numbers it. */
  line: number;
  cells: Partial<Record<CsvColumn, string>>;
}

export interface RowError {
  /** The file's line (the header is line 1). */
  row: number;
  /** The column the problem is in, when it is one column's. */
  column: string | null;
  message: string;
}

export class CsvRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Reads the CSV: the header mapped onto the columns (unknown or missing required ones refused), then every row. */
export function readCatalogueCsv(text: string): CsvRow[] {
  let records: string[][];
  try {
    const parsed: string[][] = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false });
    records = parsed;
  } catch (err) {
    throw new CsvRefused(`not readable as CSV: ${err instanceof Error ? err.message : String(err)}`);
  }
  const [header, ...rows] = records;
  if (header === undefined) throw new CsvRefused('the file is empty: the first line names the columns');
  const columns = header.map((h) => ALIASES.get(normal(h)));
  const unknown = header.filter((_, i) => columns[i] === undefined);
  if (unknown.length > 0)
    throw new CsvRefused(
      `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; the columns are id, ${CSV_COLUMNS.join(', ')}`,
    );
  const seen = new Set<CsvColumn>();
  for (const c of columns) {
    if (seen.has(c!)) throw new CsvRefused(`the column "${c}" is named twice`);
    seen.add(c!);
  }
  const missing = REQUIRED.filter((c) => !seen.has(c));
  if (missing.length > 0)
    throw new CsvRefused(`missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (rows.length === 0) throw new CsvRefused('no lots: the file has a header and no rows');
  if (rows.length > MAX_ROWS) throw new CsvRefused(`${rows.length} rows: at most ${MAX_ROWS} per import`);
  // Line numbers: csv-parse counts records; a quoted cell may span lines, so count the lines in each record's raw text.
  const lines = recordLines(text);
  return rows.map((cells, i) => {
    const out: CsvRow['cells'] = {};
    cells.forEach((value, j) => {
      const column = columns[j];
      if (column !== undefined) out[column] = unguard(value);
    });
    return { line: lines[i + 1] ?? i + 2, cells: out };
  });
}

/** The starting line of each non-empty record, header included. */
function recordLines(text: string): number[] {
  const records = parse(text, {
    bom: true,
    skip_empty_lines: true,
    info: true,
    relax_column_count: true,
  }) as unknown as {
    info: { lines: number };
    record: string[];
  }[];
  const out: number[] = [];
  let previousEnd = 0;
  for (const r of records) {
    // info.lines is the line the record ends on; it starts after the previous one (skipped blank lines aside).
    out.push(previousEnd + 1);
    previousEnd = r.info.lines;
  }
  return out;
}

/** `0:10;1000:50` → the admin API's bands; undefined when the text is not that shape. */
export function parseIncrements(text: string): { from: string; step: string }[] | undefined {
  const bands = text
    .split(';')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (bands.length === 0) return undefined;
  const out: { from: string; step: string }[] = [];
  for (const band of bands) {
    const m = /^([^:\s]+)\s*:\s*([^:\s]+)$/.exec(band);
    if (m === null) return undefined;
    out.push({ from: m[1]!, step: m[2]! });
  }
  return out;
}

/** Characters a spreadsheet reads as the start of a formula (OWASP's list). */
const FORMULA = /^[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

/**
 * A cell made safe for spreadsheets: one that would start a formula gets a leading `'` (which
 * spreadsheets show as text). Reversible: `unguard` takes exactly one `'` off what `guard` marked, so
 * an export imports back unchanged.
 */
export function guard(cell: string): string {
  return FORMULA.test(cell) || GUARDED.test(cell) ? `'${cell}` : cell;
}

export function unguard(cell: string): string {
  return GUARDED.test(cell) ? cell.slice(1) : cell;
}

/** A lot as a CSV row (money as decimal strings in the sale's currency; no reserve = empty). */
export function lotRow(lot: Lot): Record<(typeof CSV_COLUMNS)[number], string> {
  const m = (v: number | undefined): string => (v === undefined ? '' : formatAmount(v, lot.currency));
  return {
    lotNumber: String(lot.lotNumber),
    title: lot.title,
    description: lot.description,
    estimateLow: m(lot.estimateLow),
    estimateHigh: m(lot.estimateHigh),
    opening: m(lot.opening),
    reserve: lot.reserve === 0 ? '' : m(lot.reserve),
    increments: lot.increments.map((b) => `${m(b.from)}:${m(b.step)}`).join(';'),
    consignorId: lot.consignorId ?? '',
    imageUrl: lot.imageUrl ?? '',
  };
}

/** The catalogue as CSV text: a header, then one guarded row per lot. */
export function catalogueCsv(lots: Lot[]): string {
  return stringify(
    lots.map((l) => {
      const row = lotRow(l);
      return CSV_COLUMNS.map((c) => guard(row[c]));
    }),
    { header: true, columns: [...CSV_COLUMNS], record_delimiter: '\r\n', quoted_match: /[\r\n]/ },
  );
}
