/**
 * Rewrites `new AppError(<status>, '<CODE>', …` to `new AppError('<CODE>', …` wherever the status is
 * the one the catalogue (common/error-codes.ts) gives the code, and reports the call sites where it
 * is not (or the code is unknown, or not a literal) — those keep the legacy form for a person to decide.
 *
 *   npx tsx tools/codemods/app-error.ts [--dry-run] <file or folder>…
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isErrorCode, statusOf } from '../../common/error-codes.ts';

export interface Finding {
  line: number;
  text: string;
  problem: string;
}

/** The status literal, the code literal, and what lies between them (whitespace, newlines). */
const LEGACY = /new AppError\(\s*(\d{3})\s*,(\s*)'([A-Z][A-Z0-9_]*)'/g;
/** A legacy call whose code is not a string literal: the status cannot be checked here. */
const DYNAMIC = /new AppError\(\s*\d{3}\s*,\s*(?![\s'])([^,]+),/g;

function lineOf(source: string, index: number): number {
  return source.slice(0, index).split('\n').length;
}

/** The rewritten source and what could not be rewritten. */
export function rewrite(source: string): { source: string; changed: number; findings: Finding[] } {
  const findings: Finding[] = [];
  let changed = 0;
  const out = source.replace(LEGACY, (whole, status: string, _space: string, code: string, at: number) => {
    if (!isErrorCode(code)) {
      findings.push({ line: lineOf(source, at), text: whole, problem: `${code} is not in the catalogue` });
      return whole;
    }
    if (statusOf(code) !== Number(status)) {
      findings.push({
        line: lineOf(source, at),
        text: whole,
        problem: `${code} is ${statusOf(code)} in the catalogue, ${status} here`,
      });
      return whole;
    }
    changed++;
    return `new AppError('${code}'`;
  });
  for (const m of source.matchAll(DYNAMIC))
    findings.push({
      line: lineOf(source, m.index),
      text: m[0],
      problem: `the code ${m[1]!.trim()} is not a literal: check its statuses by hand`,
    });
  return { source: out, changed, findings };
}

function* tsFiles(path: string): Generator<string> {
  if (statSync(path).isFile()) {
    if (path.endsWith('.ts')) yield path;
    return;
  }
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    yield* tsFiles(join(path, name));
  }
}

function main(args: string[]): number {
  const dry = args.includes('--dry-run');
  const paths = args.filter((a) => a !== '--dry-run');
  if (paths.length === 0) {
    console.error('usage: tsx tools/codemods/app-error.ts [--dry-run] <file or folder>…');
    return 2;
  }
  let total = 0;
  let problems = 0;
  for (const file of paths.flatMap((p) => [...tsFiles(p)])) {
    // Itself and the AppError tests spell the legacy form on purpose.
    if (file.endsWith('codemods/app-error.ts') || file.endsWith('.test.ts')) continue;
    const before = readFileSync(file, 'utf8');
    const { source, changed, findings } = rewrite(before);
    for (const f of findings) console.log(`${file}:${f.line}: ${f.problem}`);
    problems += findings.length;
    if (changed > 0) {
      total += changed;
      console.log(`${file}: ${changed} rewritten`);
      if (!dry) writeFileSync(file, source);
    }
  }
  console.log(`${total} call(s) rewritten${dry ? ' (dry run)' : ''}, ${problems} left for a person`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
