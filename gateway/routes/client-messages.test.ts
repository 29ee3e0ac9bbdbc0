import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import {
  catalogue,
  DEFAULT_LOCALE,
  inBrowserBundle,
  LANGS,
  SERVER_ONLY_NAMESPACES,
  translate,
  type MessageKey,
} from '../../clients/src/i18n/index.ts';
import { bundleClientFiles, type BundledFile } from './clients.ts';
import { parsedCatalogueModules } from './client-messages.ts';

// Strings only the ICU parser carries (its error kinds); the formatter and the no-parser build have none.
const PARSER_MARKERS = ['EXPECT_ARGUMENT_CLOSING_BRACE', 'MALFORMED_ARGUMENT', 'UNCLOSED_TAG'];
// /bid's script with pre-parsed catalogues measured 29.6 KB brotli (112.3 KB minified); the parser
// back in it made 35.6 KB. The ceiling sits between with room for the page to grow a little.
const BID_BROTLI_CEILING = 33_000;

let bundled: Promise<BundledFile[]> | undefined;
const files = (): Promise<BundledFile[]> => (bundled ??= bundleClientFiles());
const script = async (name: string): Promise<string> => {
  const f = (await files()).find((x) => x.name === name);
  if (f === undefined) throw new Error(`no ${name} in the bundle`);
  return f.body;
};

describe('the browser bundle ships pre-parsed messages (issue #13)', () => {
  it('has no ICU parser in /bid, the floor console or the room', { timeout: 120_000 }, async () => {
    for (const name of ['bid.js', 'floor.js', 'room.js']) {
      const body = await script(name);
      for (const marker of PARSER_MARKERS) expect(body.includes(marker), `${marker} in ${name}`).toBe(false);
    }
  });

  it('keeps /bid under its brotli ceiling', { timeout: 120_000 }, async () => {
    const body = Buffer.from(await script('bid.js'));
    const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
    expect(br.length).toBeLessThan(BID_BROTLI_CEILING);
  });

  it('leaves the server pages\u2019 messages out, and the client code never asks for one', async () => {
    const modules = await parsedCatalogueModules();
    const keys = Object.keys(catalogue('en'));
    expect(keys.some((k) => !inBrowserBundle(k))).toBe(true);
    for (const key of keys.filter((k) => !inBrowserBundle(k)))
      expect(modules.get('en'), key).not.toContain(JSON.stringify(key));
    // Every t('ns.…') or t(`ns.…`) of the browser's code names a namespace the bundle carries.
    const src = fileURLToPath(new URL('../../clients/src/', import.meta.url));
    const used = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('i18n'))
      .flatMap((f) => [...readFileSync(join(src, f), 'utf8').matchAll(/\bt\(['`]([a-zA-Z]+)\./g)])
      .map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((ns) => SERVER_ONLY_NAMESPACES.includes(ns))).toEqual([]);
  });

  it('formats every message from its AST exactly as from its string', async () => {
    const modules = await parsedCatalogueModules();
    // Every argument a message names gets `n` (plurals need numbers; text arguments take them too).
    const valuesOf = (n: number): Record<string, number> =>
      new Proxy({}, { has: () => true, get: (_, k) => (typeof k === 'string' ? n : undefined) });
    for (const lang of LANGS) {
      const source = modules.get(lang) ?? '';
      const json = source
        .slice(source.indexOf('=') + 1)
        .trim()
        .replace(/;$/, '');
      const asts = JSON.parse(json) as Record<MessageKey, ConstructorParameters<typeof IntlMessageFormat>[0]>;
      expect(Object.keys(asts).sort()).toEqual(Object.keys(catalogue(lang)).filter(inBrowserBundle).sort());
      for (const key of Object.keys(asts) as MessageKey[])
        for (const n of [0, 1, 2, 5]) {
          const v = valuesOf(n);
          const fromAst = new IntlMessageFormat(asts[key], DEFAULT_LOCALE[lang]).format(v);
          expect(String(fromAst), `${lang} ${key}`).toBe(translate(lang, key, v));
        }
    }
  });
});
