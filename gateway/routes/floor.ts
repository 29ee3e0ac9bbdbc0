import { Hono } from 'hono';
import { requireRole } from '../../common/auth.ts';
import { AppError } from '../../common/errors.ts';
import { mercureLink } from '../../common/mercure.ts';
import type { FloorStateResponse } from '../../common/contracts/index.ts';
import { buttonRoutes } from './floor/buttons.ts';
import type { FloorRoutesDeps } from './floor/context.ts';
import type { AppEnv } from '../../common/http-env.ts';
import { floorLot, withOnlinePaddle } from './floor/lot-view.ts';
import { nextLotRoute } from './floor/next-lot.ts';

/**
 * The auctioneer's floor console: one POST per button (open, floor bid, fair warning, hammer…),
 * each decided atomically by the engine with the internet bids, and GET for the console's state.
 * Mounted at /v1/auctions/:id/floor; auctioneer or admin only.
 *
 * The pieces, in floor/: buttons.ts (every button), next-lot.ts (moving to the next lot),
 * lot-view.ts (the lot as the console shows it), refusals.ts (what a refusal tells the auctioneer),
 * context.ts (what the routes share).
 */
export function floorRoutes(deps: FloorRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { engine, topics } = deps;
  app.use('*', requireRole('auctioneer', 'admin'));
  buttonRoutes(app, deps);
  nextLotRoute(app, deps);

  app.get('/', async (c) => {
    const auctionId = c.req.param('id') ?? '';
    const s = (await engine.snapshot(auctionId))?.snapshot;
    if (s === undefined) throw new AppError('UNKNOWN_AUCTION', `no auction "${auctionId}"`);
    if (s.mode !== 'live')
      throw new AppError('NOT_LIVE', 'this is a timed auction: it has no floor, and closes at its end time');
    const lastEventId = s.publishedEventId ?? 'earliest';
    // The console subscribes from exactly this state (updates with seq ≤ lot.seq are already in it).
    c.header('Link', mercureLink(deps.hubUrl, lastEventId));
    c.header('Cache-Control', 'no-store');
    return c.json({
      lot: await withOnlinePaddle(
        deps.catalogue,
        floorLot(deps.masks, s, s.status === 'scheduled' ? await engine.waitingAbsentees(auctionId) : []),
      ),
      // The staff-only topic third: the console's missed-bid warnings (private updates).
      hub: {
        url: deps.hubUrl,
        topics: [topics.auction(s.id), topics.sale(s.saleId), topics.staffSale(s.saleId)],
        lastEventId,
      },
    } satisfies FloorStateResponse);
  });

  return app;
}
