import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS, namesRead, PROCESSES, type Process } from './support/config-readers.ts';

/**
 * docs/configuration.md cannot drift from the code: its "Who reads what" table must name exactly
 * the variables each process's zod schemas read, and every variable any of its tables lists must be
 * read by the process whose section lists it.
 *
 * What a process reads is observed, not copied: each `*ConfigFromEnv` function of its entry point
 * is handed an environment that records every name looked up in it (zod reads each key of an object
 * schema's shape). A schema that fails (a required variable missing) has still read every key.
 */

/** variable → the processes that read it, from the code. */
function readersFromCode(): Map<string, Set<Process>> {
  const out = new Map<string, Set<Process>>();
  for (const p of PROCESSES)
    for (const read of Object.values(ENTRY_POINTS[p].readers))
      for (const name of namesRead(read)) {
        const set = out.get(name) ?? new Set<Process>();
        set.add(p);
        out.set(name, set);
      }
  return out;
}

const DOC = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');

/** The rows of every Markdown table under a heading line matching `heading`, up to the next heading. */
function sections(doc: string): { heading: string; rows: string[][] }[] {
  const out: { heading: string; rows: string[][] }[] = [];
  let current: { heading: string; rows: string[][] } | undefined;
  for (const line of doc.split('\n')) {
    if (/^(#{1,6} |\*\*)/.test(line)) {
      current = { heading: line, rows: [] };
      out.push(current);
    } else if (current !== undefined && line.startsWith('|') && !/^\|\s*-/.test(line)) {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      if (cells[0] !== 'variable') current.rows.push(cells);
    }
  }
  return out;
}

/** The variable names a first cell lists: `A`, `B` → [A, B]. */
const namesIn = (cell: string): string[] =>
  [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? '').filter((n) => n !== '');

const SECTION_OF: [RegExp, Process][] = [
  [/Gateway|npm start/, 'gateway'],
  [/Hub/, 'hub'],
  [/Bidding/, 'bidding'],
  [/Orchestrator/, 'orchestrator'],
];

describe('docs/configuration.md', () => {
  const code = readersFromCode();

  it('reads something from every process (the recording works)', () => {
    for (const p of PROCESSES) {
      const names = [...code].filter(([, readers]) => readers.has(p)).map(([n]) => n);
      expect(names, p).toContain('LOG_LEVEL');
      expect(names.length, p).toBeGreaterThan(5);
    }
  });

  it('lists the config readers each entry point really calls', () => {
    for (const p of PROCESSES) {
      const source = readFileSync(new URL(`../${ENTRY_POINTS[p].file}`, import.meta.url), 'utf8');
      const called = new Set([...source.matchAll(/\b(\w+ConfigFromEnv)\(/g)].map((m) => m[1]));
      expect([...called].sort(), ENTRY_POINTS[p].file).toEqual(Object.keys(ENTRY_POINTS[p].readers).sort());
    }
  });

  it('"Who reads what" names exactly the variables the schemas read, with their readers', () => {
    const index = sections(DOC).find((s) => /Who reads what/.test(s.heading));
    expect(index, 'a "Who reads what" section').toBeDefined();
    const documented = new Map<string, string[]>();
    for (const [first = '', readers = ''] of index?.rows ?? [])
      for (const name of namesIn(first))
        documented.set(
          name,
          readers
            .split(',')
            .map((r) => r.trim())
            .filter((r) => r !== '')
            .sort(),
        );
    const fromCode = new Map([...code].map(([name, readers]) => [name, [...readers].sort()]));
    const sortByName = (m: Map<string, string[]>) => [...m].sort(([a], [b]) => a.localeCompare(b));
    expect(sortByName(documented)).toEqual(sortByName(fromCode));
  });

  it('every variable a service section lists is read by that service', () => {
    const stale: string[] = [];
    for (const { heading, rows } of sections(DOC)) {
      const title = /^\*\*([^*]+)\*\*/.exec(heading)?.[1] ?? heading;
      const process = SECTION_OF.find(([re]) => re.test(title))?.[1];
      if (process === undefined) continue;
      for (const [first = ''] of rows)
        for (const name of namesIn(first))
          if (!code.get(name)?.has(process)) stale.push(`${name} (${heading.replace(/\*/g, '').trim()})`);
    }
    expect(stale).toEqual([]);
  });
});
