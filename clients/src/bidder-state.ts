/**
 * What the bidder client says about a lot, from the state it holds: the personal status, the bid
 * button's text, whether bidding is possible now, the answer to an accepted bid, the countdown.
 * Pure (no DOM), so it is tested without a browser.
 */
import {
  isBiddable,
  isFinished,
  type BidderNotice,
  type LotOutcome,
  type BidOutcome,
  type PublicAuctionView,
} from '../../common/contracts/index.ts';
import { t } from './i18n/page.ts';
import { withCurrency } from './money.ts';

/** One of the bidder's own accepted bids on a lot. */
export interface OwnBid {
  seq: number;
  amount: string;
  at: string;
}

export type MyState = 'leading' | 'outbid' | 'closed' | 'won' | 'lost' | 'unsold' | 'none';

/** The back office's result of a lot for this bidder (`lot.won` / `lot.lost` on their private topic). */
export type MyResult =
  | { type: 'won'; currency: string; hammer: string; premium: string; tax: string; total: string }
  | { type: 'lost'; currency: string; outcome: LotOutcome; hammer: string | null };

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
  /** The lot's result for them, once the back office has given it. */
  result?: MyResult | undefined;
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
  if (canBid(view, now)) return t('button.bid', { amount: withCurrency(view.asking, view.currency) });
  if (view.status === 'scheduled')
    return view.mode === 'live' ? t('button.waitingAuctioneer') : t('status.scheduled');
  if (view.status === 'on_hold') return t('status.on_hold');
  return t('button.biddingClosed');
}

/** The bidder's personal status on the lot: leading, outbid (with their last bid), closed, won, lost, unsold, or not bidding. */
export function myState(view: PublicAuctionView, me: MyLot): { state: MyState; text: string } {
  const money = (a: string): string => withCurrency(a, view.currency);
  const { mask, ownBids: mine, notice, answeredByMax: refused, result } = me;
  const leading = mask !== undefined && view.leader === mask;
  const took =
    notice?.type === 'outbid' ||
    notice?.type === 'overruled' ||
    notice?.type === 'bid_rejected' ||
    refused !== undefined;
  // A result of theirs means they bid, whether or not the page has seen their bids.
  const bid = leading || mine.length > 0 || took || result !== undefined;
  // The back office's word on the result comes first: it may arrive before the lot's own update.
  if (result?.type === 'won') {
    const m = (a: string): string => withCurrency(a, result.currency);
    return {
      state: 'won',
      text: t('my.wonInvoice', {
        amount: m(result.hammer),
        total: m(result.total),
        premium: m(result.premium),
        tax: m(result.tax),
      }),
    };
  }
  if (result?.type === 'lost' && result.outcome === 'sold' && result.hammer !== null)
    return {
      state: 'lost',
      text: t('my.lost', { amount: withCurrency(result.hammer, result.currency) }),
    };
  if (view.status === 'sold' && leading)
    return { state: 'won', text: t('my.won', { amount: money(view.price) }) };
  if (view.status === 'sold' && bid)
    return { state: 'lost', text: t('my.lost', { amount: money(view.price) }) };
  // Unsold when the reserve was not met (the reserve itself is never shown); a live lot passed.
  const unsold =
    view.status === 'unsold' ||
    view.status === 'passed' ||
    (result?.type === 'lost' && (result.outcome === 'unsold' || result.outcome === 'passed'));
  if (unsold && bid) return { state: 'unsold', text: t('my.unsold') };
  if (view.status === 'withdrawn' || result?.outcome === 'withdrawn')
    return { state: 'none', text: t('my.withdrawn') };
  if (view.status === 'cancelled' || result?.outcome === 'cancelled')
    return { state: 'none', text: t('my.cancelled') };
  if (isFinished(view.status) && !leading && !bid) return { state: 'none', text: t('my.didNotBid') };
  // The clock closed a timed lot; its result follows. The highest bidder does not "lead" any more.
  if (view.status === 'closed')
    return {
      state: 'closed',
      text: leading
        ? t('my.closedLeading', { amount: money(view.price) })
        : t('my.closed', { amount: money(view.price) }),
    };
  if (leading) return { state: 'leading', text: t('my.leading', { amount: money(view.price) }) };
  if (mine.length === 0 && !took) return { state: 'none', text: t('my.none') };
  const previous =
    notice?.type === 'outbid'
      ? notice.yourPreviousBid
      : notice?.type === 'overruled' || notice?.type === 'bid_rejected'
        ? notice.yourBid
        : (refused ?? mine[mine.length - 1]?.amount);
  const was = previous === undefined ? '' : ` ${t('my.youBid', { amount: money(previous) })}`;
  const now = t('my.priceNow', { amount: money(view.price), leader: view.leader ?? t('my.anotherBidder') });
  return { state: 'outbid', text: `${t('my.outbid')}${was} ${now}.` };
}

/** The sentence for an accepted bid: a bid, a bid with a maximum, a raised maximum, or a recorded absentee bid. */
export function acceptedText(bid: BidOutcome): string {
  const money = (a: string): string => withCurrency(a, bid.currency);
  if (bid.kind === 'absentee' && bid.max !== null) return t('my.absentee', { max: money(bid.max) });
  if (bid.kind === 'max_raised' && bid.max !== null) return t('my.maxRaised', { max: money(bid.max) });
  if (bid.max !== null) return t('my.acceptedMax', { amount: money(bid.amount), max: money(bid.max) });
  return t('my.accepted', { amount: money(bid.amount) });
}

/** What the page heard of a timed lot's end besides its view: "closing soon", and a late bid's extension. */
export interface EndNews {
  closingSoon: boolean;
  extended: boolean;
}

/** The lot's status as the bidder sees it: a timed lot that takes bids may also be closing soon or extended. */
export type LotPhase = PublicAuctionView['status'] | 'closing_soon' | 'extended';

/** The lot's phase and its words: the status, or, for an open timed lot, "Extended" / "Closing soon". */
export function lotPhase(
  view: PublicAuctionView,
  news: EndNews,
  now: number,
): { phase: LotPhase; text: string } {
  const open = view.mode === 'timed' && view.status === 'open';
  const ended = view.endsAt !== null && Date.parse(view.endsAt) <= now;
  // Past its end the clock is about to close it: no "closing soon" any more.
  if (open && !ended && news.extended) return { phase: 'extended', text: t('phase.extended') };
  if (open && !ended && news.closingSoon) return { phase: 'closing_soon', text: t('phase.closingSoon') };
  return { phase: view.status, text: t(`status.${view.status}`) };
}

/** The bidder's standing in a word, for the sale room's lot cards; undefined when they are not in it. */
export function myBadge(state: MyState): string | undefined {
  const badges: Partial<Record<MyState, string>> = {
    leading: t('badge.leading'),
    outbid: t('badge.outbid'),
    won: t('badge.won'),
    lost: t('badge.lost'),
    unsold: t('badge.unsold'),
  };
  return badges[state];
}

/** A countdown: `hh:mm:ss`, with whole days in front when there are any. */
export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const days = Math.floor(s / 86_400);
  const hms = `${pad(Math.floor((s % 86_400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days > 0 ? `${days}d ${hms}` : hms;
}
