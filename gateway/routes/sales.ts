import { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import type { BidderMasks, BiddingService } from '../../bidding/index.ts';
import { mercureLink } from '../../common/mercure.ts';
import type { Topics } from '../../common/topics.ts';
import { requireRole } from '../../common/auth.ts';
import { viewerOf, type Catalogue } from '../../common/catalogue.ts';
import type {
  SaleListResponse,
  SaleMaskResponse,
  SaleResponse,
  SaleSnapshotResponse,
} from '../../common/contracts/index.ts';
import type { AppEnv } from '../../common/http-env.ts';

/**
 * GET /v1/sales and GET /v1/sales/{id}: the catalogue the pages show around the live prices, as
 * the caller may see it (an invite-only sale only for staff and the invited; for anyone else it
 * does not exist: 404 UNKNOWN_SALE).
 * GET /v1/sales/{id}/me: the signed-in bidder's own mask on the sale, so their page can tell "you
 * lead" among masked leaders (the masks are keyed: a page cannot compute one).
 * GET /v1/sales/{id}/snapshot: every lot's live state in one request (SaleSnapshotResponse).
 */
export interface SalesRoutesDeps {
  catalogue: Catalogue;
  masks: BidderMasks;
  engine: BiddingService;
  topics: Topics;
  /** Public URL of the hub, for discovery. */
  hubUrl: string;
}

export function salesRoutes(deps: SalesRoutesDeps): Hono<AppEnv> {
  const { catalogue, masks } = deps;
  const app = new Hono<AppEnv>();
  // What a signed-in caller sees is theirs: never kept by a shared cache.
  const cacheControl = (signedIn: boolean): string => (signedIn ? 'private, no-cache' : 'no-cache');
  app.get('/', async (c) => {
    const viewer = viewerOf(c.get('user'));
    c.header('Cache-Control', cacheControl(viewer !== undefined));
    c.header('Vary', 'Authorization');
    return c.json({ sales: await catalogue.sales(viewer) } satisfies SaleListResponse);
  });
  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const viewer = viewerOf(c.get('user'));
    const sale = await catalogue.sale(id, viewer);
    if (sale === undefined) throw new AppError('UNKNOWN_SALE', `no sale "${id}"`);
    c.header('Cache-Control', cacheControl(viewer !== undefined));
    c.header('Vary', 'Authorization');
    return c.json({ sale } satisfies SaleResponse);
  });
  app.get('/:id/snapshot', async (c) => {
    const id = c.req.param('id');
    // The catalogue decides who sees the sale (an invite-only sale is unknown to the uninvited).
    const sale = await catalogue.sale(id, viewerOf(c.get('user')));
    if (sale === undefined) throw new AppError('UNKNOWN_SALE', `no sale "${id}"`);
    const snaps = await Promise.all(sale.lots.map((lot) => deps.engine.snapshot(lot.id)));
    // A catalogue lot the engine does not hold yet (not synced) has nothing live to show.
    const auctions = snaps.flatMap((snap) => (snap === undefined ? [] : [snap.view]));
    // Event ids are per lot (urn:gavel:auction:<lot>:<seq>), not ordered across lots: no lot's id
    // is a point every other lot's updates come after. Subscribe from now, then fetch this again
    // once the connection is open (the pages do): together they miss nothing.
    const lastEventId = 'earliest';
    c.header('Link', mercureLink(deps.hubUrl, lastEventId));
    c.header('Cache-Control', 'no-store');
    return c.json({
      saleId: id,
      auctions,
      hub: { url: deps.hubUrl, topics: [deps.topics.sale(id)], lastEventId },
    } satisfies SaleSnapshotResponse);
  });
  app.get('/:id/me', requireRole('bidder'), async (c) => {
    const id = c.req.param('id');
    if ((await catalogue.sale(id, viewerOf(c.get('user')))) === undefined)
      throw new AppError('UNKNOWN_SALE', `no sale "${id}"`);
    const me = c.get('user')!;
    // Private to the caller: never cached by a shared cache.
    c.header('Cache-Control', 'private, no-store');
    // A bidder id always has a mask (null is for "no bidder").
    const mask = masks.bidder(id, me.id)!;
    return c.json({ saleId: id, bidderId: me.id, mask } satisfies SaleMaskResponse);
  });
  return app;
}
