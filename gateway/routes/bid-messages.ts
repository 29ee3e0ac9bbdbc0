import { formatAmount } from '../../common/money.ts';
import type { BidDecision } from '../../bidding/index.ts';

/** Why a bid was refused, in a sentence for the bidder (the API's error message, the SMS reply). */
export function rejectionMessage(d: BidDecision, currency: string): string {
  const m = (v: number): string => `${formatAmount(v, currency)} ${currency}`;
  switch (d.reason) {
    case 'OUTBID':
      return d.priceChanged
        ? `a higher maximum was already standing; the price is now ${m(d.price)}, bid at least ${m(d.asking)}`
        : `a bid of this amount or more was decided first; the price is ${m(d.price)}, bid at least ${m(d.asking)}`;
    case 'TOO_LOW':
      return `the bid is below the next acceptable amount of ${m(d.asking)}`;
    case 'CLOSED':
      return 'bidding on this auction has closed';
    case 'NOT_STARTED':
      return 'bidding on this auction has not opened yet';
    case 'ON_HOLD':
      return 'the sale is on hold; bidding resumes when the auctioneer resumes it';
    case 'NOT_ELIGIBLE':
      return 'you are not approved to bid in this sale (registration, terms or identity checks are pending, or access was withdrawn)';
    case 'OVER_LIMIT':
      return 'this bid or maximum is above your approval limit; ask the auction house to raise it';
    case 'ALREADY_LEADING':
      return 'you are already the highest bidder; to bid more, raise your maximum with "max"';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'this Idempotency-Key was already used for a different bid; use a new key for a new bid';
    case 'UNKNOWN_AUCTION':
    case undefined:
      return 'no such auction';
  }
}
