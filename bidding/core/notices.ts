import { formatAmount } from '../../common/money.ts';
import type { BidderNotice, NoticeBase } from '../../common/contracts/notices.ts';
import type { BidDecision, BidRequest, FloorActionResult } from './types.ts';
import type { BidderMasks } from './masks.ts';
import type { AuctionMeta } from './view.ts';

/** A notice and the bidder it goes to. */
export interface AddressedNotice {
  bidderId: string;
  notice: BidderNotice;
}

/**
 * Who is told what after a decision: pure functions of the decision (or floor action result) and
 * the auction's facts, so the rules of who hears about a change of position are tested without a
 * hub. At most one notice per bidder per decision.
 */

/** A live lot's floor bidders are `paddle:<n>`: they have no private topic. */
export function hasPrivateTopic(bidderId: string | undefined): bidderId is string {
  return bidderId !== undefined && !bidderId.startsWith('paddle:');
}

/** The notices of one bid decision: the new leader and the bidder they displaced, a raised maximum, a proxy answer. */
export function bidNotices(
  d: BidDecision,
  req: Pick<BidRequest, 'amount' | 'max'>,
  meta: AuctionMeta,
): AddressedNotice[] {
  const money = (minor: number): string => formatAmount(minor, meta.currency);
  const out: AddressedNotice[] = [];
  const notice = (bidderId: string, n: BidderNotice): void => void out.push({ bidderId, notice: n });
  const common: NoticeBase = {
    auctionId: d.auctionId,
    seq: d.seq,
    price: money(d.price),
    currency: meta.currency,
  };
  if (d.kind === 'bid' && d.leaderId !== undefined) {
    notice(d.leaderId, {
      type: 'leading',
      ...common,
      yourMaximum: req.max === undefined ? null : money(Math.max(req.max, req.amount)),
    });
    const prev = d.previousLeaderId;
    // On a live lot the previous leader may be a floor bidder, who has no private topic.
    if (prev !== undefined && prev !== d.leaderId && (meta.mode === 'timed' || hasPrivateTopic(prev))) {
      notice(prev, {
        type: 'outbid',
        ...common,
        yourPreviousBid: money(d.previousPrice),
        asking: money(d.asking),
      });
    }
  } else if (d.kind === 'max_raised') {
    notice(d.bidderId, {
      type: 'max_raised',
      ...common,
      yourMaximum: money(Math.max(req.max ?? 0, req.amount)),
    });
  } else if (d.reason === 'OUTBID' && d.priceChanged && d.leaderId !== undefined) {
    notice(d.leaderId, { type: 'proxy_bid', ...common });
  }
  return out;
}

/**
 * The notices of an applied floor action (or a floor bid an absentee answered) to the internet
 * bidders it concerns: overruled, rejected, outbid by the floor, reinstated, absentee executed, won,
 * lost with the reserve unmet. The underbidder's `lost` on a sale needs the decision stream: see
 * `underbidderNotice`.
 */
export function floorNotices(r: FloorActionResult, meta: AuctionMeta, masks: BidderMasks): AddressedNotice[] {
  const money = (minor: number): string => formatAmount(minor, meta.currency);
  const out: AddressedNotice[] = [];
  const notice = (bidderId: string, n: BidderNotice): void => void out.push({ bidderId, notice: n });
  const common: NoticeBase = {
    auctionId: r.auctionId,
    seq: r.seq,
    price: money(r.price),
    currency: meta.currency,
  };
  const asking = money(r.asking);
  const prev = r.previousLeaderId;
  const cur = r.leaderId;
  if (r.action === 'hammer') {
    if (!hasPrivateTopic(cur)) return out;
    if (r.status === 'sold') notice(cur, { type: 'won', ...common, hammerPrice: money(r.price) });
    else notice(cur, { type: 'lost', ...common, lotStatus: 'unsold', hammerPrice: null });
  } else if (prev !== cur) {
    // Nobody outbids a leader whose lead an undo took back to no bid (an absentee before the lot opened).
    if (hasPrivateTopic(prev) && cur !== undefined) {
      const yourBid = money(r.previousPrice);
      if (r.action === 'overrule')
        notice(prev, {
          type: 'overruled',
          ...common,
          yourBid,
          leader: masks.leader(meta.saleId, cur, r.leaderKind),
          asking,
        });
      else if (r.action === 'reject_bid') notice(prev, { type: 'bid_rejected', ...common, yourBid, asking });
      else notice(prev, { type: 'outbid', ...common, yourPreviousBid: yourBid, asking });
    }
    if (hasPrivateTopic(cur))
      notice(cur, { type: r.action === 'open' ? 'absentee_executed' : 'reinstated', ...common, asking });
  } else if (r.outcome === 'rejected' && hasPrivateTopic(cur)) {
    // A floor bid that the leading absentee maximum answered.
    notice(cur, { type: 'proxy_bid', ...common });
  } else if (
    r.action === 'undo' &&
    hasPrivateTopic(cur) &&
    (r.previousStatus === 'sold' ||
      r.previousStatus === 'unsold' ||
      r.previousStatus === 'passed' ||
      r.previousStatus === 'withdrawn')
  ) {
    // The hammer (or pass, withdrawal) was undone: bidding is back on, and this bidder still leads.
    notice(cur, { type: 'reinstated', ...common, asking });
  }
  return out;
}

/** On a sale: the underbidder's `lost`, when the underbidder is an internet bidder other than the winner. */
export function underbidderNotice(
  r: FloorActionResult,
  meta: AuctionMeta,
  underbidderId: string | undefined,
): AddressedNotice | undefined {
  if (!hasPrivateTopic(underbidderId) || underbidderId === r.leaderId) return undefined;
  const price = formatAmount(r.price, meta.currency);
  return {
    bidderId: underbidderId,
    notice: {
      type: 'lost',
      auctionId: r.auctionId,
      seq: r.seq,
      price,
      currency: meta.currency,
      lotStatus: 'sold',
      hammerPrice: price,
    },
  };
}
