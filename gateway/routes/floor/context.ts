import type { Context, Hono } from 'hono';
import { AppError } from '../../../common/errors.ts';
import type { FloorActionResponse } from '../../../common/contracts/index.ts';
import type { AppEnv } from '../../../common/http-env.ts';
import type { Topics } from '../../../common/topics.ts';
import type { AuctionMeta, BidderMasks, BiddingService, FloorActionResult } from '../../../bidding/index.ts';
import type { Catalogue } from '../../../common/catalogue.ts';
import { actionInfo, floorLot, floorLotOfResult, withOnlinePaddle } from './lot-view.ts';
import { refusalMessage } from './refusals.ts';

/* What every floor route shares: its dependencies, the lot it is mounted under, and how it answers. */

export interface FloorRoutesDeps {
  engine: BiddingService;
  topics: Topics;
  /** Public URL of the hub, for the console's subscription. */
  hubUrl: string;
  masks: BidderMasks;
  /** The sale's registered paddles (an internet leader's, for the clerk); undefined: none shown. */
  catalogue?: Catalogue | undefined;
}

export type FloorApp = Hono<AppEnv>;

/** The lot the route is mounted under (/v1/auctions/:id/floor). */
export const lotId = (c: Context<AppEnv>): string => c.req.param('id') ?? '';

/** The lot's mode, sale and currency; 404 for an unknown auction. */
export async function metaOf(engine: BiddingService, auctionId: string): Promise<AuctionMeta> {
  const meta = await engine.auctionMeta(auctionId);
  if (meta === undefined) throw new AppError('UNKNOWN_AUCTION', `no auction "${auctionId}"`);
  return meta;
}

/**
 * 200 with the lot's new state; a refusal is thrown as an AppError with its reason code (the
 * catalogue's status, common/http-errors.ts's body) and the lot as it stands in its details.
 */
export async function answer(
  deps: FloorRoutesDeps,
  c: Context<AppEnv>,
  r: FloorActionResult,
  meta: AuctionMeta,
  about = '',
): Promise<Response> {
  if (r.replayed) c.header('Idempotent-Replayed', 'true');
  if (r.outcome === 'accepted' && r.status !== undefined)
    return c.json(
      {
        action: actionInfo(r),
        lot: await withOnlinePaddle(deps.catalogue, floorLotOfResult(deps.masks, r, r.status, meta)),
      } satisfies FloorActionResponse,
      200,
    );
  const reason = r.reason ?? 'UNKNOWN_AUCTION';
  // The lot as it stands now (a refused action changed nothing, unless an absentee answered a floor bid).
  const snap = reason === 'UNKNOWN_AUCTION' ? undefined : (await deps.engine.snapshot(r.auctionId))?.snapshot;
  const details = snap === undefined ? undefined : { action: actionInfo(r), lot: floorLot(deps.masks, snap) };
  throw new AppError(reason, `${about}${refusalMessage(r, meta.currency)}`, { details });
}
