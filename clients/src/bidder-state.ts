/**
 * What the bidder client says about a lot, from the state it holds: the personal status, the bid
 * button's text, whether bidding is possible now, the answer to an accepted bid, the countdown.
 * Pure (no DOM), so it is tested without a browser.
 */
import {
  isBiddable,
  type BidderNotice,
  type BidOutcome,
  type PublicAuctionView,
} from '../../common/contracts/index.ts';
import { withCurrency } from './money.ts';

/** One of the bidder's own accepted bids on a lot. */
export interface OwnBid {
  seq: number;
  amount: string;
  at: string;
}

export type MyState = 'leading' | 'outbid' | 'won' | 'lost' | 'none';

/** What the page knows of the bidder on one lot. */
export interface MyLot {
  /** Their per-sale mask, to recognise them as the leader. */
  mask: string | undefined;
  /** Their accepted bids, oldest first. */
  ownBids: readonly OwnBid[];
  /** The newest private notice about the lot. */
  notice: BidderNotice | undefined;
  /** A bid of theirs a maximum answered at once (409 OUTBID): no notice comes for it. */
  answeredByMax: string | undefined;
}

/** What the bidder typed as a maximum: a plain decimal amount (the gateway checks the scale). */
export function isDecimal(text: string): boolean {
  return /^\d+(\.\d+)?$/.test(text);
}

/** Whether a bid can be placed now: a live lot taking bids, a timed lot open and not past its end. */
export function canBid(view: PublicAuctionView, now: number): boolean {
  if (view.mode === 'live') return isBiddable(view.status);
  return view.status === 'open' && (view.endsAt === null || Date.parse(view.endsAt) > now);
}

/** The button says what a tap does, or why it cannot bid now. */
export function bidButtonText(view: PublicAuctionView, now: number): string {
  if (canBid(view, now)) return `Bid ${withCurrency(view.asking, view.currency)}`;
  if (view.status === 'scheduled')
    return view.mode === 'live' ? 'Waiting for the auctioneer' : 'Not open yet';
  if (view.status === 'on_hold') return 'On hold';
  return 'Bidding closed';
}

/** The bidder's personal status on the lot: leading, outbid (with their last bid), won, lost, or not bidding. */
export function myState(view: PublicAuctionView, me: MyLot): { state: MyState; text: string } {
  const money = (a: string): string => withCurrency(a, view.currency);
  const { mask, ownBids: mine, notice, answeredByMax: refused } = me;
  const leading = mask !== undefined && view.leader === mask;
  const took =
    notice?.type === 'outbid' ||
    notice?.type === 'overruled' ||
    notice?.type === 'bid_rejected' ||
    refused !== undefined;
  if (view.status === 'sold' && leading)
    return { state: 'won', text: `You won this lot at ${money(view.price)}.` };
  if (view.status === 'sold' && (mine.length > 0 || took))
    return { state: 'lost', text: `Sold to another bidder at ${money(view.price)}.` };
  // A timed lot's result: unsold when the reserve was not met (the reserve itself is never shown).
  if (view.status === 'unsold' && (leading || mine.length > 0 || took))
    return { state: 'lost', text: 'Not sold: the reserve was not met.' };
  if (leading) return { state: 'leading', text: `You lead at ${money(view.price)}.` };
  if (mine.length === 0 && !took) return { state: 'none', text: 'You have not bid on this lot.' };
  const previous =
    notice?.type === 'outbid'
      ? notice.yourPreviousBid
      : notice?.type === 'overruled' || notice?.type === 'bid_rejected'
        ? notice.yourBid
        : (refused ?? mine[mine.length - 1]?.amount);
  const was = previous === undefined ? '' : ` You bid ${money(previous)};`;
  const now = `the price is now ${money(view.price)} (${view.leader ?? 'another bidder'})`;
  return { state: 'outbid', text: `Outbid.${was} ${now}.` };
}

/** The sentence for an accepted bid: a bid, a bid with a maximum, a raised maximum, or a recorded absentee bid. */
export function acceptedText(bid: BidOutcome): string {
  const money = (a: string): string => withCurrency(a, bid.currency);
  if (bid.kind === 'absentee' && bid.max !== null)
    return `Your absentee bid up to ${money(bid.max)} is recorded; the auctioneer executes it when the lot opens.`;
  if (bid.kind === 'max_raised' && bid.max !== null)
    return `Your maximum is now ${money(bid.max)}; you still lead.`;
  if (bid.max !== null)
    return `Your bid of ${money(bid.amount)} was accepted; we bid for you up to ${money(bid.max)}.`;
  return `Your bid of ${money(bid.amount)} was accepted.`;
}

/** A countdown: `hh:mm:ss`, with whole days in front when there are any. */
export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const days = Math.floor(s / 86_400);
  const hms = `${pad(Math.floor((s % 86_400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days > 0 ? `${days}d ${hms}` : hms;
}
