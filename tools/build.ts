/**
 * `npm run build [-- --out <dir>]`: the production tree, by default in dist/.
 *
 * 1. tsc compiles the services and the gateway's entry (main.ts) to JavaScript (tsconfig.build.json:
 *    the `.ts` in relative imports become `.js`), the tree mirroring the sources.
 * 2. The files the compiled code reads beside itself — Lua scripts, SQL migrations, the panel's
 *    stylesheet, the clients' pages and stylesheet — are copied to the same relative paths, so
 *    `new URL('./x.lua', import.meta.url)` finds them in either layout.
 * 3. The browser clients are bundled now (esbuild, minified, content-hashed names) into
 *    clients/assets/ with a manifest; a compiled gateway serves them and bundles nothing at start.
 *
 * Run the result with `node <out>/main.js` (gateway), `<out>/hub/main.js`, `<out>/bidding/main.js`,
 * `<out>/orchestrator/main.js`, from a folder whose node_modules holds the production dependencies.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bundleClientFiles, CLIENT_MANIFEST } from '../gateway/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The folders tsconfig.build.json compiles; their non-TypeScript files are the run-time assets. */
const SERVICE_DIRS = ['common', 'hub', 'bidding', 'gateway', 'orchestrator'];
/** What the compiled code reads at run time; documentation and TypeScript stay behind. */
const ASSET = /\.(lua|sql|css|html)$/;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function copyInto(out: string, file: string): Promise<void> {
  const to = join(out, relative(ROOT, file));
  await mkdir(dirname(to), { recursive: true });
  await copyFile(file, to);
}

export async function build(outArg: string): Promise<{ out: string; ms: number }> {
  const started = Date.now();
  const out = resolve(ROOT, outArg);
  if (out === ROOT || !out.startsWith(ROOT)) throw new Error(`--out must be a folder inside ${ROOT}`);
  await rm(out, { recursive: true, force: true });

  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (compiled.status !== 0) throw new Error(`tsc failed (exit ${compiled.status ?? compiled.signal})`);

  for (const dir of SERVICE_DIRS)
    for (const file of await filesUnder(join(ROOT, dir))) if (ASSET.test(file)) await copyInto(out, file);
  for (const file of await filesUnder(join(ROOT, 'clients', 'pages'))) await copyInto(out, file);
  await copyInto(out, join(ROOT, 'clients', 'styles.css'));

  const assets = join(out, 'clients', 'assets');
  await mkdir(assets, { recursive: true });
  const manifest: Record<string, string> = {};
  for (const f of await bundleClientFiles(join(ROOT, 'clients'))) {
    await writeFile(join(assets, f.file), f.body);
    manifest[f.name] = f.file;
  }
  await writeFile(join(assets, CLIENT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  // The compiled files are ES modules wherever the tree is put (a parent package.json may not say so).
  await writeFile(join(out, 'package.json'), '{ "type": "module" }\n');
  return { out, ms: Date.now() - started };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
  build(values.out)
    .then(({ out, ms }) => console.log(`Built ${relative(ROOT, out) || '.'} in ${(ms / 1000).toFixed(1)} s`))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
