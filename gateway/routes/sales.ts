import { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import type { Catalogue } from '../catalogue.ts';

/** GET /v1/sales and GET /v1/sales/{id}: the catalogue the pages show around the live prices. */
export function salesRoutes(catalogue: Catalogue): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json({ sales: await catalogue.sales() });
  });
  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const sale = await catalogue.sale(id);
    if (sale === undefined) throw new AppError(404, 'UNKNOWN_SALE', `no sale "${id}"`);
    c.header('Cache-Control', 'no-cache');
    return c.json({ sale });
  });
  return app;
}
