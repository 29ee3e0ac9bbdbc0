import { formatAmount } from '../../../common/money.ts';
import {
  paddleOf,
  stateVersionOf,
  type AuctionMeta,
  type AuctionSnapshot,
  type BidderMasks,
  type FloorActionResult,
} from '../../../bidding/index.ts';
import type {
  AuctionStatus,
  FloorActionInfo,
  FloorLot,
  LeaderKind,
} from '../../../common/contracts/index.ts';

/* The floor console's view of a lot and of a decided action, built from a snapshot or an action's result. */

export function floorLot(masks: BidderMasks, s: AuctionSnapshot): FloorLot {
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
