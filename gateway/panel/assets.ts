/**
 * The panel's two static files, read once: its stylesheet and htmx (from the htmx.org package, served
 * from our own origin so the CSP can say `script-src 'self'` — no CDN, no inline script).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export interface Asset {
  type: string;
  body: string;
}

export function panelAssets(): Promise<Record<string, Asset>> {
  const require = createRequire(import.meta.url);
  return Promise.all([
    readFile(new URL('./panel.css', import.meta.url), 'utf8'),
    readFile(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8'),
  ]).then(([css, htmx]) => ({
    'panel.css': { type: 'text/css; charset=utf-8', body: css },
    'htmx.min.js': { type: 'text/javascript; charset=utf-8', body: htmx },
  }));
}
