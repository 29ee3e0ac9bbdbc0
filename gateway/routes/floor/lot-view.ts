import { formatAmount } from '../../../common/money.ts';
import {
  paddleOf,
  stateVersionOf,
  type AuctionMeta,
  type AuctionSnapshot,
  type BidderMasks,
  type FloorActionResult,
  type WaitingAbsentee,
} from '../../../bidding/index.ts';
import type {
  AuctionStatus,
  FloorActionInfo,
  FloorLot,
  LeaderKind,
} from '../../../common/contracts/index.ts';

import type { Catalogue } from '../../../common/catalogue.ts';
import { GATEWAY_VIEWER } from '../floor-room.ts';

/* The floor console's view of a lot and of a decided action, built from a snapshot or an action's result. */

/**
 * The console's lot from a snapshot. `waiting` (the absentee maximums on a scheduled lot) is given by
 * GET …/floor only; other answers leave the commission bar `null` (not stated).
 */
export function floorLot(
  masks: BidderMasks,
  s: AuctionSnapshot,
  waiting?: readonly WaitingAbsentee[],
): FloorLot {
  const money = (v: number): string => formatAmount(v, s.currency);
  return {
    auctionId: s.id,
    saleId: s.saleId,
    currency: s.currency,
    seq: s.lastSeq,
    stateVersion: stateVersionOf(s.status),
    status: s.status,
    price: money(s.price),
    asking: money(s.asking),
    step: s.incrementOverride > 0 ? money(s.incrementOverride) : null,
    bidCount: s.bidCount,
    leader: leaderOf(masks, s.saleId, s.leaderId, s.leaderKind),
    standingSeq: s.standingSeq,
    message: s.message ?? null,
    reserveMet: s.reserveMet,
    undoAvailable: s.undoAvailable,
    undoAction: s.undoAvailable ? (s.undoAction ?? null) : null,
    commission:
      waiting?.map((a) => ({
        bidderId: a.bidderId,
        display: masks.leader(s.saleId, a.bidderId, 'absentee') ?? '',
        max: money(a.max),
      })) ?? null,
  };
}

export function floorLotOfResult(
  masks: BidderMasks,
  r: FloorActionResult,
  status: AuctionStatus,
  meta: AuctionMeta,
): FloorLot {
  const money = (v: number): string => formatAmount(v, meta.currency);
  return {
    auctionId: r.auctionId,
    saleId: meta.saleId,
    currency: meta.currency,
    seq: r.seq,
    stateVersion: stateVersionOf(status),
    status,
    price: money(r.price),
    asking: money(r.asking),
    step: r.step > 0 ? money(r.step) : null,
    bidCount: r.bidCount,
    leader: leaderOf(masks, meta.saleId, r.leaderId, r.leaderKind),
    standingSeq: r.standingSeq,
    message: r.message ?? null,
    reserveMet: r.reserveMet,
    // As the store decides it (floor.ts): an applied action can be undone, except an undo and `superseded`.
    undoAvailable: r.action !== 'undo' && r.action !== 'superseded',
    undoAction: r.action !== 'undo' && r.action !== 'superseded' ? r.action : null,
    // An action's answer does not carry the waiting maximums; GET …/floor does (they are spent once the lot opens).
    commission: null,
  };
}

export function leaderOf(
  masks: BidderMasks,
  saleId: string,
  leaderId: string | undefined,
  kind: LeaderKind | undefined,
): FloorLot['leader'] {
  if (leaderId === undefined) return null;
  const k = kind ?? 'bid';
  const paddleNo = paddleOf(leaderId, k) ?? null;
  return {
    kind: k,
    display: masks.leader(saleId, leaderId, k) ?? '',
    paddle: paddleNo,
    bidderId: paddleNo === null ? leaderId : null,
  };
}

export function actionInfo(r: FloorActionResult): FloorActionInfo {
  return {
    name: r.action,
    seq: r.seq,
    previousStatus: r.previousStatus ?? null,
    undone: r.undone ?? null,
    decidedAt: new Date(r.decidedAt).toISOString(),
  };
}

/**
 * The lot with its internet (or absentee) leader's registered paddle, from the sale's registrations
 * (the catalogue's staff-only paddles): what the clerk calls them by. Unchanged when unknown.
 */
export async function withOnlinePaddle(catalogue: Catalogue | undefined, lot: FloorLot): Promise<FloorLot> {
  const leader = lot.leader;
  if (leader === null || leader.bidderId === null || catalogue?.paddles === undefined) return lot;
  const paddles = await catalogue.paddles(lot.saleId, GATEWAY_VIEWER).catch(() => undefined);
  return { ...lot, leader: { ...leader, onlinePaddle: paddles?.[leader.bidderId] ?? null } };
}
