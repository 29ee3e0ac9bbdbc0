import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { AppError } from '../../common/errors.ts';
import {
  isLang,
  LANG_COOKIE,
  LANG_COOKIE_MAX_AGE,
  LANGS,
  translate,
  type Lang,
  type MessageKey,
} from '../../clients/src/i18n/index.ts';
import { safeNextPath } from '../../clients/src/next-path.ts';
import { langOf, langSwitch } from '../i18n.ts';
import { preParsedMessages } from './client-messages.ts';
import { Precompressed, sendPrecompressed } from './precompressed.ts';

/** One bundled file, served from memory under a content-hashed name. */
interface Asset {
  body: string;
  type: string;
}

/** The browser clients, bundled: hashed asset files, and the pages that name them. */
export interface ClientAssets {
  assets: Map<string, Asset>;
  /** The bidder's pages once per language (docs/bidders.md, "Languages"); the staff's in English. */
  pages: { landing: Record<Lang, string>; floor: string; bid: Record<Lang, string>; room: string };
  /** Scripts other pages load by URL (the sign-in and account pages' passkey script, the push toggle). */
  scripts: { passkey?: string | undefined; push?: string | undefined };
  /** The service worker (clients/src/sw.ts), served at `/sw.js` so its scope is the whole site. */
  serviceWorker: string | undefined;
}

/** One output of the clients' bundle: `floor.js` written as `floor.<hash>.js`. */
export interface BundledFile {
  /** The name the page templates use (`{{floor.js}}`). */
  name: string;
  /** The content-hashed file name it is served under (`/assets/<file>`). */
  file: string;
  body: string;
}

/**
 * The prebuilt bundle's index (`npm run build` writes it beside the compiled gateway, in
 * dist/clients/assets/): template name → hashed file name. Absent in the source tree.
 */
export const CLIENT_MANIFEST = 'manifest.json';

// In the source tree this is clients/; in the compiled tree dist/clients/ (the build copies the
// pages and the stylesheet there, and writes the bundle into its assets/ folder).
const CLIENTS_DIR = fileURLToPath(new URL('../../clients/', import.meta.url));
const ENTRIES = {
  floor: 'src/floor.ts',
  bid: 'src/bid.ts',
  room: 'src/room.ts',
  passkey: 'src/passkey-page.ts',
  push: 'src/push-page.ts',
  sw: 'src/sw.ts',
  styles: 'styles.css',
} as const;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * Bundles `clientsDir`/src with esbuild in memory (no files written). esbuild is loaded only here,
 * so a compiled gateway with a prebuilt bundle never needs it.
 */
export async function bundleClientFiles(clientsDir: string = CLIENTS_DIR): Promise<BundledFile[]> {
  const { build } = await import('esbuild');
  const out = await build({
    absWorkingDir: clientsDir,
    entryPoints: ENTRIES,
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [preParsedMessages(clientsDir)],
  });
  return out.outputFiles.map((f) => {
    const base = f.path.slice(f.path.lastIndexOf('/') + 1);
    const [name, ext] = base.split('.') as [string, string];
    // The name carries the content hash, so a page never gets a stale script and assets cache forever.
    const hash = createHash('sha256').update(f.text).digest('hex').slice(0, 12);
    return { name: `${name}.${ext}`, file: `${name}.${hash}.${ext}`, body: f.text };
  });
}

/** The bundle `npm run build` wrote, or undefined when there is none (the source tree). */
async function prebuilt(): Promise<BundledFile[] | undefined> {
  let manifest: string;
  try {
    manifest = await readFile(`${CLIENTS_DIR}assets/${CLIENT_MANIFEST}`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const names = JSON.parse(manifest) as Record<string, string>;
  return Promise.all(
    Object.entries(names).map(async ([name, file]) => ({
      name,
      file,
      body: await readFile(`${CLIENTS_DIR}assets/${file}`, 'utf8'),
    })),
  );
}

/** The prebuilt bundle when there is one, else bundles now; then fills the page templates. */
async function bundle(): Promise<ClientAssets> {
  const files = (await prebuilt()) ?? (await bundleClientFiles());
  const assets = new Map<string, Asset>();
  const urls: Record<string, string> = {};
  for (const f of files) {
    const ext = f.name.slice(f.name.lastIndexOf('.') + 1);
    assets.set(f.file, { body: f.body, type: TYPES[ext] ?? 'application/octet-stream' });
    urls[f.name] = `/assets/${f.file}`;
  }
  const page = async (file: string): Promise<string> =>
    (await readFile(`${CLIENTS_DIR}pages/${file}`, 'utf8')).replace(
      /\{\{(\w+\.\w+)\}\}/g,
      (_, key: string) => urls[key] ?? '',
    );
  return {
    assets,
    pages: {
      landing: localize(await page('index.html'), '/'),
      floor: await page('floor.html'),
      bid: localize(await page('bid.html'), '/bid'),
      room: await page('room.html'),
    },
    scripts: { passkey: urls['passkey.js'], push: urls['push.js'] },
    serviceWorker: files.find((f) => f.name === 'sw.js')?.body,
  };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * A bidder's page template in each language: `{{lang}}` (the `<html lang>`), `{{langSwitch}}` (the
 * EN | FR links, back to `path`) and `{{t:key}}` (a message, HTML-escaped).
 */
export function localize(template: string, path: string): Record<Lang, string> {
  const one = (lang: Lang): string =>
    template
      .replaceAll('{{lang}}', lang)
      .replaceAll('{{langSwitch}}', langSwitch(lang, path))
      .replace(/\{\{t:([\w.]+)\}\}/g, (_, key: string) => escapeHtml(translate(lang, key as MessageKey)));
  return Object.fromEntries(LANGS.map((l) => [l, one(l)])) as Record<Lang, string>;
}

let bundled: Promise<ClientAssets> | undefined;

/** The clients' bundle, loaded once per process: the sources do not change while it runs. */
export function loadClients(): Promise<ClientAssets> {
  bundled ??= bundle();
  return bundled;
}

export interface ClientRoutesDeps {
  clients: Promise<ClientAssets>;
  /** Public hub URL: the pages' EventSource may connect there (another origin when distributed). */
  hubUrl: string;
}

/** `/` (landing), `/floor` (auctioneer's console), `/bid` (bidder client), `/room` (the saleroom's screen), `/assets/*` and `/sw.js`. */
export function clientRoutes(deps: ClientRoutesDeps): Hono {
  const app = new Hono();
  const hubOrigin = new URL(deps.hubUrl).origin;
  const csp = [
    "default-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${hubOrigin}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
  // Each page and asset compressed once, on first request (brotli or gzip, as the browser accepts).
  const packed = new Map<string, Precompressed>();
  const packedOf = (body: string): Precompressed => {
    let p = packed.get(body);
    if (p === undefined) packed.set(body, (p = new Precompressed(body)));
    return p;
  };
  const html = (pick: (p: ClientAssets['pages'], lang: Lang) => string) => async (c: Context) => {
    const { pages } = await deps.clients;
    const lang = langOf(c);
    c.header('Cache-Control', 'no-cache');
    // The bidder's pages differ by the lang cookie and Accept-Language.
    c.header('Vary', 'Cookie, Accept-Language', { append: true });
    c.header('Content-Language', lang);
    c.header('Content-Security-Policy', csp);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    return sendPrecompressed(c, packedOf(pick(pages, lang)), 'text/html; charset=UTF-8');
  };
  app.get(
    '/',
    html((p, lang) => p.landing[lang]),
  );
  app.get(
    '/floor',
    html((p) => p.floor),
  );
  app.get(
    '/bid',
    html((p, lang) => p.bid[lang]),
  );
  // The EN | FR switch without script (the server-rendered pages): keeps the choice a year, goes back.
  app.get('/lang/:lang', (c) => {
    const lang = c.req.param('lang');
    if (!isLang(lang)) throw new AppError('VALIDATION_FAILED', `lang must be one of ${LANGS.join(', ')}`);
    setCookie(c, LANG_COOKIE, lang, { path: '/', sameSite: 'Lax', maxAge: LANG_COOKIE_MAX_AGE });
    c.header('Cache-Control', 'no-store');
    return c.redirect(safeNextPath(c.req.query('next')) ?? '/', 303);
  });
  app.get(
    '/room',
    html((p) => p.room),
  );
  // The service worker (Web Push, docs/push-notifications.md): at the root so its scope is the site;
  // never cached long, so a new version reaches browsers at their next check.
  app.get('/sw.js', async (c) => {
    const { serviceWorker } = await deps.clients;
    if (serviceWorker === undefined) throw new AppError('NOT_FOUND', 'no service worker');
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'no-cache');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Content-Security-Policy', "default-src 'none'");
    return c.body(serviceWorker);
  });
  app.get('/assets/:name', async (c) => {
    const { assets } = await deps.clients;
    const asset = assets.get(c.req.param('name'));
    if (asset === undefined) throw new AppError('NOT_FOUND', 'no such asset');
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('X-Content-Type-Options', 'nosniff');
    return sendPrecompressed(c, packedOf(asset.body), asset.type);
  });
  return app;
}
