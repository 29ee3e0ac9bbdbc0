import { incrementAt } from './increments.ts';
import type { AuctionSetup, AuctionStatus, BidDecision, BidRequest, RejectReason } from './types.ts';

/**
 * The bid decision, as a pure function: the specification that the Redis Lua script
 * (lua/place-bid-4.lua) implements line for line, and that the in-process store runs.
 * A randomised test drives both with the same bids and asserts identical decisions.
 */
export interface LiveState {
  status: AuctionStatus;
  endsAt: number;
  price: number;
  leaderId: string | undefined;
  /** The leader's confidential maximum (≥ price). */
  leaderMax: number;
  bidCount: number;
  seq: number;
  asking: number;
}

export function initialState(setup: AuctionSetup): LiveState {
  return {
    status: setup.status,
    endsAt: setup.endsAt,
    price: 0,
    leaderId: undefined,
    leaderMax: 0,
    bidCount: 0,
    seq: 0,
    asking: setup.opening,
  };
}

export function nextMinimum(setup: AuctionSetup, s: LiveState): number {
  if (setup.mode === 'live') return s.asking;
  return s.bidCount === 0 ? setup.opening : s.price + incrementAt(setup.increments, s.price);
}

/**
 * Decides one bid against the state, mutating it when the bid has an effect.
 * `limit` is the bidder's approval limit, undefined when not eligible.
 */
export function decide(
  setup: AuctionSetup,
  s: LiveState,
  req: BidRequest,
  now: number,
  limit: number | undefined,
): BidDecision {
  s.seq += 1;
  const previousPrice = s.price;
  const previousLeaderId = s.leaderId;
  const previousEnd = s.endsAt;
  const max = Math.max(req.amount, req.max ?? req.amount);
  let reason: RejectReason | undefined;
  let kind: BidDecision['kind'];

  if (s.status === 'on_hold') reason = 'ON_HOLD';
  else if (s.status === 'scheduled') reason = 'NOT_STARTED';
  else if (s.status !== 'open' && s.status !== 'fair_warning') reason = 'CLOSED';
  else if (now < setup.startsAt) reason = 'NOT_STARTED';
  else if (setup.mode === 'timed' && now > s.endsAt + setup.graceMs) reason = 'CLOSED';
  else if (limit === undefined) reason = 'NOT_ELIGIBLE';
  else if (max > limit) reason = 'OVER_LIMIT';

  const inc = (p: number): number => incrementAt(setup.increments, p);
  if (reason === undefined && setup.mode === 'live') {
    if (req.bidderId === s.leaderId) reason = 'ALREADY_LEADING';
    else if (s.bidCount > 0 && req.amount <= s.price) reason = 'OUTBID';
    else if (req.amount < s.asking) reason = 'TOO_LOW';
    else {
      kind = 'bid';
      s.price = req.amount;
      s.leaderId = req.bidderId;
      s.leaderMax = req.amount;
      s.asking = req.amount + inc(req.amount);
      s.status = 'open';
    }
  } else if (reason === undefined) {
    if (s.bidCount > 0 && req.bidderId === s.leaderId) {
      if (max > s.leaderMax) {
        kind = 'max_raised';
        s.leaderMax = max;
      } else reason = 'ALREADY_LEADING';
    } else if (s.bidCount > 0 && req.amount <= s.price) reason = 'OUTBID';
    else if (req.amount < nextMinimum(setup, s)) reason = 'TOO_LOW';
    else if (s.bidCount === 0) {
      kind = 'bid';
      s.price = req.amount;
      s.leaderId = req.bidderId;
      s.leaderMax = max;
    } else if (max > s.leaderMax) {
      // The challenger takes the lead at one increment above the old maximum, within their own.
      kind = 'bid';
      s.price = Math.max(req.amount, Math.min(max, s.leaderMax + inc(s.leaderMax)));
      s.leaderId = req.bidderId;
      s.leaderMax = max;
    } else {
      // The leader's maximum answers: the price rises to just above the challenge, the leader stands.
      reason = 'OUTBID';
      s.price = max === s.leaderMax ? s.leaderMax : Math.min(s.leaderMax, max + inc(max));
    }
    // A maximum at or above the reserve lifts the price to the reserve.
    if (
      setup.reserve > 0 &&
      s.price < setup.reserve &&
      s.leaderMax >= setup.reserve &&
      (kind !== undefined || s.price !== previousPrice)
    ) {
      s.price = setup.reserve;
    }
  }

  const priceChanged = s.price !== previousPrice || s.leaderId !== previousLeaderId;
  if (priceChanged) {
    s.bidCount += 1;
    if (setup.mode === 'timed') s.asking = s.price + inc(s.price);
    if (setup.mode === 'timed' && setup.softCloseMs > 0 && s.endsAt - now < setup.softCloseMs) {
      let end = s.endsAt + setup.softCloseMs;
      if (setup.softCloseCapMs > 0) end = Math.min(end, setup.endsAt + setup.softCloseCapMs);
      if (end > s.endsAt) s.endsAt = end;
    }
  }
  return {
    seq: s.seq,
    auctionId: setup.id,
    bidderId: req.bidderId,
    outcome: kind === undefined ? 'rejected' : 'accepted',
    reason,
    kind,
    amount: req.amount,
    price: s.price,
    leaderId: s.leaderId,
    previousPrice,
    previousLeaderId,
    priceChanged,
    bidCount: s.bidCount,
    endsAt: s.endsAt,
    extended: s.endsAt > previousEnd,
    asking: s.asking,
    reserveMet: setup.reserve === 0 || (s.bidCount > 0 && s.price >= setup.reserve),
    decidedAt: now,
    replayed: false,
  };
}
