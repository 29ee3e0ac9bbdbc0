/**
 * Accessibility checks for the end-to-end tests: axe-core injected into the page as it stands, failing
 * on every serious or critical WCAG 2.1 A/AA violation with the rule, its help text and the offending
 * elements — so a failure says what to fix.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';

const BLOCKING = new Set(['serious', 'critical']);
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
let source: Promise<string> | undefined;

/** The serious and critical violations on the page (or inside `include`), described for a person. */
export async function axeViolations(page: Page, include?: string): Promise<string[]> {
  source ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const script = await source;
  // Evaluated through the DevTools protocol, so the pages' Content-Security-Policy does not stop it.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(script);
  const results = await page.evaluate(
    async ({ include, tags }) => {
      const w = globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } };
      return (await w.axe.run(include ?? (globalThis as unknown as { document: unknown }).document, {
        runOnly: { type: 'tag', values: tags },
      })) as AxeResults;
    },
    { include, tags: TAGS },
  );
  return results.violations
    .filter((v) => BLOCKING.has(v.impact ?? ''))
    .map(
      (v) =>
        `${v.impact ?? ''} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 5)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

/** Throws, naming every serious or critical violation, when the page has any. */
export async function expectAccessible(page: Page, what: string, include?: string): Promise<void> {
  const found = await axeViolations(page, include);
  if (found.length > 0)
    throw new Error(`${what}: axe-core found ${found.length} violation(s):\n${found.join('\n')}`);
}
