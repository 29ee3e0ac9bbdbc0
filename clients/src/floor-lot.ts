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
  type FloorActionName,
  type FloorLot,
  type PublicAuctionView,
} from '../../common/contracts/index.ts';
import { subtract, sum, withCurrency } from './money.ts';

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
  | 'overrule'
  | 'fair-warning'
  | 'resume'
  | 'hammer'
  | 'pass'
  | 'set-asking'
  | 'set-increment'
  | 'reject'
  | 'hold'
  | 'resume-from-hold'
  | 'withdraw'
  | 'next-lot'
  | 'undo';

/** What the console knows of the lot beyond its status (from the floor state; defaults: nothing to undo, no bid). */
export interface FloorFacts {
  /** The action Undo would revert, or null. */
  undoAction: FloorActionName | null;
  /** Who holds the standing bid; null when nobody does. */
  leaderKind: PublicAuctionView['leaderKind'];
}

/** Which buttons the lot allows (`hasNext`: a lot follows this one in the sale). */
export function floorControls(
  status: AuctionStatus,
  hasNext: boolean,
  facts: FloorFacts = { undoAction: null, leaderKind: null },
): Record<FloorControl, boolean> {
  const bidding = isBiddable(status);
  return {
    'open-lot': status === 'scheduled',
    'floor-bid': bidding,
    // The room was first: only an internet bid can be overruled.
    overrule: bidding && facts.leaderKind === 'bid',
    'fair-warning': status === 'open',
    resume: status === 'fair_warning',
    hammer: bidding,
    pass: bidding,
    'set-asking': !isFinished(status) && status !== 'on_hold',
    'set-increment': !isFinished(status),
    reject: bidding && facts.leaderKind !== null,
    hold: bidding,
    'resume-from-hold': status === 'on_hold',
    withdraw: !isFinished(status),
    'next-lot': isFinished(status) && hasNext,
    undo: facts.undoAction !== null,
  };
}

/** How the console names each floor action (the Undo button, the activity). */
export const ACTION_LABEL: Readonly<Record<FloorActionName, string>> = {
  open: 'opening',
  set_asking: 'asking price',
  set_increment: 'increment',
  floor_bid: 'floor bid',
  overrule: 'overrule',
  reject_bid: 'rejection',
  fair_warning: 'fair warning',
  resume: 'resume',
  hold: 'hold',
  resume_from_hold: 'resume from hold',
  hammer: 'hammer',
  pass: 'pass',
  withdraw: 'withdrawal',
  undo: 'undo',
  superseded: 'next lot',
};

/** The Undo button's text: what it would revert, or that there is nothing to undo. */
export function undoLabel(action: FloorActionName | null): string {
  return action === null ? 'Nothing to undo' : `Undo ${ACTION_LABEL[action]}`;
}

/** The Open button's text: the asking price it opens at (the clerk's field, else the lot's). */
export function openLabel(view: PublicAuctionView, typed: string): string {
  const at = typed.trim() === '' ? view.asking : typed.trim();
  return /^\d+(\.\d+)?$/.test(at) ? `Open at ${withCurrency(at, view.currency)}` : 'Open lot';
}

/**
 * The hammer's text says what it will do before the clerk taps: sold to whom for how much, or unsold
 * because the price is below the reserve (the reserve amount itself is never shown).
 */
export function hammerLabel(view: PublicAuctionView, onlinePaddle?: string): string {
  if (view.leader === null) return 'Hammer — no bids (unsold)';
  if (!view.reserveMet) return 'Hammer — below reserve (unsold)';
  // An internet bidder is called by their registered paddle when the console knows it.
  const to = onlinePaddle === undefined ? view.leader : `paddle ${onlinePaddle}`;
  return `Hammer — sold to ${to} for ${withCurrency(view.price, view.currency)}`;
}

/** The reserve as the clerk sees it before the hammer: met or not (the amount stays confidential). */
export function reserveText(view: PublicAuctionView): string {
  if (view.reserveMet) return 'Met';
  return view.leader === null ? 'Not met (no bids)' : 'Not met';
}

/** What a refused floor action means, for a person; the server's own message follows where it adds facts. */
const FLOOR_REFUSALS: Readonly<Record<string, string>> = {
  INVALID_TRANSITION: 'Not possible now: the lot has moved on.',
  TOO_LOW:
    'Too low: a floor bid must be at least the asking price, and an asking price above the standing bid.',
  TOO_HIGH: 'Too high: that amount is above the largest a bid may be.',
  OUTBID: 'Someone was first at that amount — the standing bid is already there or higher.',
  ALREADY_LEADING: 'That paddle already leads.',
  NOTHING_TO_OVERRULE: 'Nothing to overrule: only an internet bid can be overruled by the room.',
  NOTHING_TO_REJECT: 'There is no standing bid to reject.',
  NOT_LATEST_BID: 'The standing bid has changed; look again and retry.',
  NOTHING_TO_UNDO: 'Nothing to undo.',
  UNDO_WINDOW_CLOSED: 'Too late to undo: the next lot has opened.',
  NOT_STARTED: 'The lot is not open yet.',
  ON_HOLD: 'The sale is on hold: resume first.',
  CLOSED: 'The lot is closed.',
  BAD_AMOUNT: 'Check the amount.',
  BAD_SCALE: 'Check the amount.',
  VALIDATION_FAILED: 'Check the field.',
  RATE_LIMITED: 'Too many actions at once; wait a moment.',
  ENGINE_UNAVAILABLE: 'The bidding engine is briefly unavailable; nothing was changed. Try again.',
  NETWORK: 'No connection: the action may not have reached the server. Check the network and try again.',
  UNAUTHENTICATED: 'Your session has ended: sign in again.',
  TOKEN_EXPIRED: 'Your session has expired: sign in again.',
  FORBIDDEN: 'Your account may not run the floor.',
};

/** A refusal as the clerk reads it: the meaning first, the server's detail after, the code last (for support). */
export function floorRefusalText(code: string, message: string): string {
  const headline = FLOOR_REFUSALS[code] ?? 'The action was not accepted.';
  const detail =
    code === 'NETWORK' || message === '' ? '' : ` ${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
  return `${headline}${detail.replace(/\.\.$/, '.')} (${code})`;
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

/** The sale so far, for the clerk: lots sold of those offered (decided), and the hammer total. */
export function saleProgress(
  lots: readonly CatalogueLot[],
  viewOf: (id: string) => Pick<PublicAuctionView, 'status' | 'price' | 'currency'> | undefined,
): { sold: number; offered: number; total: number; hammerTotal: string; currency: string } {
  const views = lots.map((l) => viewOf(l.id)).filter((v) => v !== undefined);
  const sold = views.filter((v) => v.status === 'sold');
  const offered = views.filter(
    (v) => isFinished(v.status) && v.status !== 'withdrawn' && v.status !== 'cancelled',
  );
  const currency = views[0]?.currency ?? '';
  const decimals = (views[0]?.price.split('.')[1] ?? '').length;
  return {
    sold: sold.length,
    offered: offered.length,
    total: lots.length,
    hammerTotal: sum(
      sold.map((v) => v.price),
      decimals,
    ),
    currency,
  };
}

/** The commission bar's lines: each waiting maximum, highest first, as the clerk reads it. */
export function commissionLines(commission: FloorLot['commission'], currency: string): string[] {
  return (commission ?? []).map((c) => `${c.display || c.bidderId} — max ${withCurrency(c.max, currency)}`);
}
