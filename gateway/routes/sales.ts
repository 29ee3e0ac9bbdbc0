import { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import type { BidderMasks } from '../../bidding/index.ts';
import { requireRole, type AuthVariables } from '../../common/auth.ts';
import type { Catalogue } from '../../common/catalogue.ts';

/**
 * GET /v1/sales and GET /v1/sales/{id}: the catalogue the pages show around the live prices.
 * GET /v1/sales/{id}/me: the signed-in bidder's own mask on the sale, so their page can tell "you
 * lead" among masked leaders (the masks are keyed: a page cannot compute one).
 */
export function salesRoutes(catalogue: Catalogue, masks: BidderMasks): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/', async (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json({ sales: await catalogue.sales() });
  });
  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const sale = await catalogue.sale(id);
    if (sale === undefined) throw new AppError('UNKNOWN_SALE', `no sale "${id}"`);
    c.header('Cache-Control', 'no-cache');
    return c.json({ sale });
  });
  app.get('/:id/me', requireRole('bidder'), async (c) => {
    const id = c.req.param('id');
    if ((await catalogue.sale(id)) === undefined) throw new AppError('UNKNOWN_SALE', `no sale "${id}"`);
    const me = c.get('user')!;
    // Private to the caller: never cached by a shared cache.
    c.header('Cache-Control', 'private, no-store');
    return c.json({ saleId: id, bidderId: me.id, mask: masks.bidder(id, me.id) });
  });
  return app;
}
