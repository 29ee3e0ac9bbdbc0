import type { Context, Hono } from 'hono';
import { AppError, errorBody } from '../../../common/errors.ts';
import type { AuthVariables } from '../../../common/auth.ts';
import type { Topics } from '../../../common/topics.ts';
import type { AuctionMeta, BidderMasks, BiddingService, FloorActionResult } from '../../../bidding/index.ts';
import { actionInfo, floorLot, floorLotOfResult } from './lot-view.ts';
import { FLOOR_REJECTION_STATUS, refusalMessage } from './refusals.ts';

/* What every floor route shares: its dependencies, the lot it is mounted under, and how it answers. */

export interface FloorRoutesDeps {
  engine: BiddingService;
  topics: Topics;
  /** Public URL of the hub, for the console's subscription. */
  hubUrl: string;
  masks: BidderMasks;
}

export type FloorEnv = { Variables: AuthVariables & { requestId: string } };
export type FloorApp = Hono<FloorEnv>;

/** The lot the route is mounted under (/v1/auctions/:id/floor). */
export const lotId = (c: Context<FloorEnv>): string => c.req.param('id') ?? '';

/** The lot's mode, sale and currency; 404 for an unknown auction. */
export async function metaOf(engine: BiddingService, auctionId: string): Promise<AuctionMeta> {
  const meta = await engine.auctionMeta(auctionId);
  if (meta === undefined) throw new AppError('UNKNOWN_AUCTION', `no auction "${auctionId}"`);
  return meta;
}

/** 200 with the lot's new state, or the refusal with its reason code and the lot as it stands. */
export async function answer(
  deps: FloorRoutesDeps,
  c: Context<FloorEnv>,
  r: FloorActionResult,
  meta: AuctionMeta,
  about = '',
): Promise<Response> {
  if (r.replayed) c.header('Idempotent-Replayed', 'true');
  if (r.outcome === 'accepted' && r.status !== undefined)
    return c.json({ action: actionInfo(r), lot: floorLotOfResult(deps.masks, r, r.status, meta) }, 200);
  const reason = r.reason ?? 'UNKNOWN_AUCTION';
  // The lot as it stands now (a refused action changed nothing, unless an absentee answered a floor bid).
  const snap = reason === 'UNKNOWN_AUCTION' ? undefined : (await deps.engine.snapshot(r.auctionId))?.snapshot;
  const details = snap === undefined ? undefined : { action: actionInfo(r), lot: floorLot(deps.masks, snap) };
  return c.json(
    errorBody(reason, `${about}${refusalMessage(r, meta.currency)}`, details),
    FLOOR_REJECTION_STATUS[reason],
  );
}
