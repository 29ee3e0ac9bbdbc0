/**
 * `GET /media/v1/<key>`: the lot images, public, for the gateways to serve at `/media/<key>` (the
 * orchestrator's port is not public; docs/media.md). Only well-formed media keys are looked up.
 */
import { Hono } from 'hono';
import { isMediaKey, mediaHeaders } from '../../common/catalogue.ts';
import { AppError } from '../../common/errors.ts';
import { errorHandler } from '../../common/http-errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { MediaStore } from './store.ts';

export function mediaRoutes(store: MediaStore, logger: Logger): Hono {
  const app = new Hono();
  app.onError(errorHandler(logger));
  app.get('/v1/*', async (c) => {
    const key = c.req.path.slice(c.req.path.indexOf('/v1/') + 4);
    const file = isMediaKey(key) ? await store.get(key) : undefined;
    if (file === undefined) throw new AppError('NOT_FOUND', `no image ${key}`);
    return c.body(new Uint8Array(file.body), 200, mediaHeaders(file));
  });
  return app;
}
