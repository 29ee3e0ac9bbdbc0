import type { BidRejectReason } from '../../common/contracts/bids.ts';
import type { AuctionStatus, FloorActionName, LeaderKind } from '../../common/contracts/lot.ts';
import { isBiddableOrWaiting } from '../../common/contracts/lot.ts';
import { incrementAt } from './increments.ts';
import type { AuctionSetup, BidDecision, BidRequest } from './types.ts';

/**
 * The bid decision, as a pure function: the specification that the Redis Lua script
 * (lua/place-bid-6.lua) implements line for line, and that the in-process store runs.
 * A randomised test drives both with the same bids and asserts identical decisions.
 * The live-lot helpers below (liveStep … recordAbsentee) are lua/includes/live.lua, shared
 * with the floor actions (floor.ts, lua/floor-action-4.lua).
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
  /** Live lots: the hold message, and the status a hold returns to. */
  message: string | undefined;
  heldFrom: AuctionStatus | undefined;
  /** The clerk's increment for this lot; 0 = the table. */
  step: number;
  /** Live lots: who holds the standing bid (undefined on timed auctions). */
  leaderKind: LeaderKind | undefined;
  /** Seq of the event that set the standing bid (live lots); 0 = none. */
  standingSeq: number;
  /** The best two absentee maximums recorded while the lot was scheduled: highest first, earlier first on ties. */
  absentees: Absentee[];
  /** The standing bids replaced so far, oldest first: reject_bid goes back one. */
  standing: Standing[];
  /** The lot as it was before the last floor action, while that action can still be undone. */
  undo: UndoPoint | undefined;
  /** Set by `superseded`: the next lot has opened, so nothing before it can be undone. */
  undoClosed: boolean;
}

export interface Absentee {
  bidderId: string;
  max: number;
  seq: number;
}

/** A standing bid as it was before a later one replaced it (with the asking price of that moment). */
export interface Standing {
  price: number;
  leaderId: string | undefined;
  leaderMax: number;
  leaderKind: LeaderKind | undefined;
  asking: number;
  bidCount: number;
  standingSeq: number;
}

/** What an undo restores: every field a floor action or a bid can change, except the seq. */
export type UndoState = Pick<
  LiveState,
  | 'status'
  | 'message'
  | 'heldFrom'
  | 'price'
  | 'leaderId'
  | 'leaderMax'
  | 'leaderKind'
  | 'bidCount'
  | 'asking'
  | 'step'
  | 'standingSeq'
  | 'absentees'
  | 'standing'
>;

export interface UndoPoint {
  action: FloorActionName;
  seq: number;
  state: UndoState;
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
    message: undefined,
    heldFrom: undefined,
    step: 0,
    leaderKind: undefined,
    standingSeq: 0,
    absentees: [],
    standing: [],
    undo: undefined,
    undoClosed: false,
  };
}

/** The asking-price step at `price` on a live lot: the clerk's increment, or the table. */
export function liveStep(setup: AuctionSetup, s: LiveState, price: number): number {
  if (s.step > 0) return s.step;
  return incrementAt(setup.increments, price);
}

export function pushStanding(s: LiveState): void {
  s.standing.push({
    price: s.price,
    leaderId: s.leaderId,
    leaderMax: s.leaderMax,
    leaderKind: s.leaderKind,
    asking: s.asking,
    bidCount: s.bidCount,
    standingSeq: s.standingSeq,
  });
}

export function popStanding(s: LiveState): void {
  const e = s.standing.pop()!;
  s.price = e.price;
  s.leaderId = e.leaderId;
  s.leaderMax = e.leaderMax;
  s.leaderKind = e.leaderKind;
  s.asking = e.asking;
  s.bidCount = e.bidCount;
  s.standingSeq = e.standingSeq;
}

/**
 * A bid at the asking price on a live lot — internet (`kind` 'bid') or floor — decided at seq s.seq.
 * The first decided at an amount takes it; a standing absentee maximum answers one step up, as far
 * as it goes (at its maximum, the earlier absentee wins the tie).
 */
export function liveBid(
  setup: AuctionSetup,
  s: LiveState,
  bidderId: string,
  kind: LeaderKind,
  amount: number,
): 'ALREADY_LEADING' | 'OUTBID' | 'TOO_LOW' | undefined {
  if (bidderId === s.leaderId) return 'ALREADY_LEADING';
  if (s.bidCount > 0 && amount <= s.price) return 'OUTBID';
  if (amount < s.asking) return 'TOO_LOW';
  pushStanding(s);
  s.standingSeq = s.seq;
  s.status = 'open';
  s.bidCount += 1;
  if (s.leaderKind === 'absentee' && s.leaderMax >= amount) {
    s.price = Math.min(s.leaderMax, amount + liveStep(setup, s, amount));
    s.asking = s.price + liveStep(setup, s, s.price);
    return 'OUTBID';
  }
  s.price = amount;
  s.leaderId = bidderId;
  s.leaderMax = amount;
  s.leaderKind = kind;
  s.asking = amount + liveStep(setup, s, amount);
  return undefined;
}

/** Keeps an absentee maximum if it is among the best two; a bidder may only raise their own. */
export function recordAbsentee(
  s: LiveState,
  bidderId: string,
  max: number,
  seq: number,
): 'TOO_LOW' | undefined {
  if (max < s.asking) return 'TOO_LOW';
  const list: Absentee[] = [];
  for (const a of s.absentees) {
    if (a.bidderId === bidderId) {
      if (max <= a.max) return 'TOO_LOW';
    } else list.push(a);
  }
  let pos = list.length;
  for (let i = 0; i < list.length; i++) {
    if (max > list[i]!.max) {
      pos = i;
      break;
    }
  }
  list.splice(pos, 0, { bidderId, max, seq });
  s.absentees = list.slice(0, 2);
  return undefined;
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
  // A maximum left on a live lot before it opens is an absentee bid, executed by `open`.
  const absentee = setup.mode === 'live' && s.status === 'scheduled' && req.max !== undefined;
  let reason: BidRejectReason | undefined;
  let kind: BidDecision['kind'];

  if (s.status === 'on_hold') reason = 'ON_HOLD';
  else if (s.status === 'scheduled' && !absentee) reason = 'NOT_STARTED';
  else if (!isBiddableOrWaiting(s.status)) reason = 'CLOSED';
  else if (!absentee && now < setup.startsAt) reason = 'NOT_STARTED';
  else if (setup.mode === 'timed' && now > s.endsAt + setup.graceMs) reason = 'CLOSED';
  else if (limit === undefined) reason = 'NOT_ELIGIBLE';
  else if (max > limit) reason = 'OVER_LIMIT';

  const inc = (p: number): number => incrementAt(setup.increments, p);
  if (reason === undefined && absentee) {
    reason = recordAbsentee(s, req.bidderId, max, s.seq);
    if (reason === undefined) kind = 'absentee';
  } else if (reason === undefined && setup.mode === 'live') {
    reason = liveBid(setup, s, req.bidderId, 'bid', req.amount);
    if (reason === undefined) kind = 'bid';
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
  // Live lots count their bids in liveBid (a standing bid each).
  if (priceChanged && setup.mode === 'timed') {
    s.bidCount += 1;
    s.asking = s.price + inc(s.price);
    if (setup.softCloseMs > 0 && s.endsAt - now < setup.softCloseMs) {
      let end = s.endsAt + setup.softCloseMs;
      if (setup.softCloseCapMs > 0) end = Math.min(end, setup.endsAt + setup.softCloseCapMs);
      if (end > s.endsAt) s.endsAt = end;
    }
  }
  // A bid that changed the lot ends the undo of the floor action before it (undo would erase the bid).
  if (setup.mode === 'live' && (priceChanged || kind !== undefined)) s.undo = undefined;
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
