/**
 * Auto-follow in a live sale, without the DOM (tested without a browser): which lot the auctioneer
 * has on the block, when that changes, and whether the bidder is taken there or only told.
 */
import {
  isFinished,
  isInProgress,
  isWaiting,
  type AuctionStatus,
  type CatalogueLot,
} from '../../common/contracts/index.ts';

/** The live lot being sold now (taking bids, in fair warning or on hold); undefined between lots. */
export function liveOnBlock(
  lots: readonly CatalogueLot[],
  statusOf: (id: string) => AuctionStatus | undefined,
): CatalogueLot | undefined {
  return lots.find((l) => {
    const s = statusOf(l.id);
    return s !== undefined && isInProgress(s);
  });
}

/**
 * The lot on the block when the page starts: the one being sold, else the last one decided before
 * the first still to offer (its result is up until the auctioneer opens the next), else none.
 */
export function initialOnBlock(
  lots: readonly CatalogueLot[],
  statusOf: (id: string) => AuctionStatus | undefined,
): string | undefined {
  const live = liveOnBlock(lots, statusOf);
  if (live !== undefined) return live.id;
  let last: string | undefined;
  for (const l of lots) {
    const s = statusOf(l.id);
    if (s === undefined || isWaiting(s)) break;
    if (isFinished(s)) last = l.id;
  }
  return last;
}

/** What the page does when the lot on the block changes. */
export type FollowMove =
  /** Nothing changed, or nothing to do. */
  | { kind: 'stay' }
  /** Take the bidder to the lot (they were following the sale and auto-follow is on). */
  | { kind: 'go'; lotId: string }
  /** Tell them: "Lot N is now on the block — go" (auto-follow off, or they are elsewhere). */
  | { kind: 'offer'; lotId: string };

export interface FollowInput {
  /** The lot on the block the page last saw (kept between lots: the one just sold or passed). */
  lastOnBlock: string | undefined;
  /** The lot on the block now; undefined between lots. */
  onBlock: string | undefined;
  /** The lot the bidder is looking at; undefined in the sale room. */
  viewing: string | undefined;
  autoFollow: boolean;
}

/**
 * A new lot on the block moves a bidder who was following the sale — looking at the lot that was on
 * the block — when auto-follow is on. Anyone else (auto-follow off, in the sale room, or looking at
 * another lot, perhaps typing an absentee bid) is offered the new lot instead, never moved.
 */
export function followMove(input: FollowInput): FollowMove {
  const { lastOnBlock, onBlock, viewing, autoFollow } = input;
  if (onBlock === undefined || onBlock === lastOnBlock || viewing === onBlock) return { kind: 'stay' };
  if (autoFollow && viewing !== undefined && viewing === lastOnBlock) return { kind: 'go', lotId: onBlock };
  return { kind: 'offer', lotId: onBlock };
}

/** Where the toggle is kept (localStorage): on unless the bidder turned it off. */
export const AUTO_FOLLOW_KEY = 'gavel.autoFollow';

export function autoFollowOf(stored: string | null): boolean {
  return stored !== 'off';
}
