/**
 * The floor console's decisions that need no DOM: a floor lot as a public view, which buttons a lot's
 * state allows, which lot is on the block, the increment shown. Tested without a browser.
 */
import {
  isBiddable,
  isFinished,
  isInProgress,
  type AuctionStatus,
  type CatalogueLot,
  type FloorLot,
  type PublicAuctionView,
} from '../../common/contracts/index.ts';
import { subtract, withCurrency } from './money.ts';

/** A floor lot (the answer to a floor action or GET …/floor) as the public view the screens share. */
export function viewOfFloorLot(l: FloorLot): PublicAuctionView {
  return {
    auctionId: l.auctionId,
    saleId: l.saleId,
    mode: 'live',
    status: l.status,
    currency: l.currency,
    price: l.price,
    bidCount: l.bidCount,
    leader: l.leader?.display ?? null,
    leaderKind: l.leader?.kind ?? null,
    asking: l.asking,
    endsAt: null,
    reserveMet: l.reserveMet,
    message: l.message,
    seq: l.seq,
    stateVersion: l.stateVersion,
  };
}

/** The console's buttons, by element id. */
export type FloorControl =
  | 'open-lot'
  | 'floor-bid'
  | 'fair-warning'
  | 'resume'
  | 'hammer'
  | 'pass'
  | 'set-asking'
  | 'next-lot'
  | 'undo';

/** Which buttons the lot's status allows (`hasNext`: a lot follows this one in the sale). */
export function floorControls(status: AuctionStatus, hasNext: boolean): Record<FloorControl, boolean> {
  const bidding = isBiddable(status);
  return {
    'open-lot': status === 'scheduled',
    'floor-bid': bidding,
    'fair-warning': status === 'open',
    resume: status === 'fair_warning',
    hammer: bidding,
    pass: bidding,
    'set-asking': !isFinished(status),
    'next-lot': isFinished(status) && hasNext,
    undo: true,
  };
}

/** The lot on the block: the one being sold, else the first still to be offered, else the last. */
export function lotOnTheBlock(
  lots: readonly CatalogueLot[],
  statusOf: (id: string) => AuctionStatus | undefined,
): string {
  const status = (l: CatalogueLot): AuctionStatus | undefined => statusOf(l.id);
  const active = lots.find((l) => {
    const s = status(l);
    return s !== undefined && isInProgress(s);
  });
  return (active ?? lots.find((l) => status(l) === 'scheduled') ?? lots[lots.length - 1])?.id ?? '';
}

/** The increment shown: the step to the asking price once there is a bid, else the clerk's step or the table. */
export function incrementText(view: PublicAuctionView, step: string | null | undefined): string {
  if (view.leader !== null) return `+${withCurrency(subtract(view.asking, view.price), view.currency)}`;
  return step === null || step === undefined ? 'table' : `+${withCurrency(step, view.currency)}`;
}
