/**
 * `GET /media/<key>`: the lot images the catalogue links to, from the back office's media store
 * (in process when embedded, over `ORCHESTRATOR_URL` when distributed). The bytes under a key never
 * change, so they are served with a one-year immutable Cache-Control; a CDN may sit in front.
 */
import { Hono } from 'hono';
import { isMediaKey, mediaHeaders, MEDIA_PATH, type Catalogue } from '../../common/catalogue.ts';
import { AppError } from '../../common/errors.ts';
import type { AppEnv } from '../../common/http-env.ts';

export function mediaRoutes(catalogue: Catalogue): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/*', async (c) => {
    const key = c.req.path.slice(MEDIA_PATH.length);
    const file = isMediaKey(key) && catalogue.media !== undefined ? await catalogue.media(key) : undefined;
    if (file === undefined) throw new AppError('NOT_FOUND', `no image ${key}`);
    return c.body(new Uint8Array(file.body), 200, mediaHeaders(file));
  });
  return app;
}
