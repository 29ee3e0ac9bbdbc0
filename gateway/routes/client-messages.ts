/**
 * The bidder's catalogues go to the browser already parsed (issue #13): at bundle time each
 * `clients/src/i18n/<lang>.ts` is replaced by the same keys holding intl-messageformat ASTs, and the
 * ICU parser is swapped for its `no-parser` build, so the browser gets the formatter without the
 * parser (about a third of `/bid`'s script). IntlMessageFormat takes an AST where it takes a string;
 * the gateway's own pages still format from the strings. The parser and esbuild load only here, at
 * bundle time.
 */
import { join } from 'node:path';
import type { Plugin } from 'esbuild';
import { catalogue, DEFAULT_LOCALE, inBrowserBundle, LANGS } from '../../clients/src/i18n/index.ts';

const PARSER = '@formatjs/icu-messageformat-parser';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The catalogues of all languages as a module per language, each message parsed as IntlMessageFormat
 * would; the server pages' namespaces left out (SERVER_ONLY_NAMESPACES).
 */
export async function parsedCatalogueModules(): Promise<Map<string, string>> {
  const { parse } = await import('@formatjs/icu-messageformat-parser');
  const modules = new Map<string, string>();
  for (const lang of LANGS) {
    // The options IntlMessageFormat's constructor parses with: its resolved locale and nothing else.
    const locale = new Intl.Locale(DEFAULT_LOCALE[lang]);
    const parsed = Object.fromEntries(
      Object.entries(catalogue(lang))
        .filter(([key]) => inBrowserBundle(key))
        .map(([key, message]) => [key, parse(message, { locale })]),
    );
    modules.set(lang, `export const ${lang} = ${JSON.stringify(parsed)};\n`);
  }
  return modules;
}

/** The esbuild plugin: pre-parsed catalogues for `clientsDir`/src/i18n, and no ICU parser in the bundle. */
export function preParsedMessages(clientsDir: string): Plugin {
  return {
    name: 'gavel-pre-parsed-messages',
    setup(build) {
      const dir = escapeRegExp(join(clientsDir, 'src', 'i18n'));
      const catalogueFile = new RegExp(`^${dir}[\\\\/](${LANGS.join('|')})\\.ts$`);
      let modules: Promise<Map<string, string>> | undefined;
      build.onLoad({ filter: catalogueFile }, async (args) => {
        modules ??= parsedCatalogueModules();
        const lang = catalogueFile.exec(args.path)?.[1] ?? '';
        const contents = (await modules).get(lang);
        return contents === undefined ? undefined : { contents, loader: 'js' };
      });
      build.onResolve({ filter: new RegExp(`^${escapeRegExp(PARSER)}$`) }, (args) =>
        build.resolve(`${PARSER}/no-parser.js`, { kind: args.kind, resolveDir: args.resolveDir }),
      );
    },
  };
}
