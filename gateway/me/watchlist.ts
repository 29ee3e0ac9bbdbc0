/**
 * The signed-in bidder's watch list (docs/bidders.md), for the pages that hold a bearer token (/bid):
 * GET /v1/me/watchlist, PUT and DELETE /v1/me/watchlist/{lotId}. Each answers the whole list. The
 * token names the bidder: a bidder reads and changes only their own list. The back office keeps it
 * (BidderSelfPort: in process, or over HTTP when distributed).
 */
import { Hono } from 'hono';
import { requireRole } from '../../common/auth.ts';
import type { BidderSelfPort } from '../../common/bidder-self.ts';
import { AppError } from '../../common/errors.ts';
import type { AppEnv } from '../../common/http-env.ts';

/** Lot ids follow the admin API's id rule; anything else cannot be a lot. */
const LOT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function watchlistRoutes(
  bidders: BidderSelfPort | Promise<BidderSelfPort | undefined> | undefined,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const port = async (): Promise<BidderSelfPort> => {
    const p = await bidders;
    if (p === undefined)
      throw new AppError('ACCOUNTS_UNAVAILABLE', 'the watch list needs the back office (GAVEL_LEDGER)');
    return p;
  };
  const lotId = (raw: string): string => {
    if (!LOT_ID.test(raw))
      throw new AppError('VALIDATION_FAILED', 'lotId: a lot id (letters, digits, ".", "_", "-")', {
        details: { field: 'lotId' },
      });
    return raw;
  };
  app.use('*', requireRole('bidder'));
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'private, no-store');
  });
  app.get('/', async (c) => c.json(await (await port()).watchList(c.get('user')!.id)));
  app.put('/:lotId', async (c) =>
    c.json(await (await port()).watch(c.get('user')!.id, lotId(c.req.param('lotId')))),
  );
  app.delete('/:lotId', async (c) =>
    c.json(await (await port()).unwatch(c.get('user')!.id, lotId(c.req.param('lotId')))),
  );
  return app;
}
