import type { AuctionStatus, FloorActionName } from '../../common/contracts/lot.ts';
import { liveBid, liveStep, popStanding, pushStanding, type LiveState, type UndoPoint } from './decide.ts';
import { MAX_MINOR } from '../../common/money.ts';
import { isFinished } from '../../common/contracts/lot.ts';
import type { FloorRejectReason } from '../../common/contracts/floor.ts';
import type { AuctionSetup, FloorAction, FloorActionRequest, FloorActionResult } from './types.ts';

/**
 * The floor actions of a live lot, as a pure function: the specification that the Redis script
 * (lua/floor-action-4.lua) implements line for line, and that the in-process store runs. The
 * live-lot rules it shares with bids (liveBid, liveStep, the standing-bid stack) are in decide.ts.
 *
 * A refused action changes nothing but still takes a seq and is recorded, like a refused bid: the
 * decision stream is the audit trail of what the clerk pressed.
 */

/** Statuses each action may start from; undefined = any. */
const ALLOWED: Record<FloorActionName, readonly AuctionStatus[] | undefined> = {
  open: ['scheduled'],
  set_asking: ['scheduled', 'open', 'fair_warning'],
  set_increment: ['scheduled', 'open', 'fair_warning'],
  floor_bid: ['open', 'fair_warning'],
  overrule: ['open', 'fair_warning'],
  reject_bid: ['open', 'fair_warning', 'on_hold'],
  fair_warning: ['open'],
  resume: ['fair_warning'],
  hold: ['scheduled', 'open', 'fair_warning'],
  resume_from_hold: ['on_hold'],
  hammer: ['open', 'fair_warning'],
  pass: ['open', 'fair_warning'],
  withdraw: ['scheduled', 'open', 'fair_warning', 'on_hold'],
  undo: undefined,
  superseded: undefined,
};

function gate(action: FloorActionName, status: AuctionStatus): FloorRejectReason | undefined {
  const allowed = ALLOWED[action];
  if (allowed === undefined || allowed.includes(status)) return undefined;
  if (isFinished(status)) return 'CLOSED';
  if (status === 'on_hold') return 'ON_HOLD';
  if (status === 'scheduled') return 'NOT_STARTED';
  return 'INVALID_TRANSITION';
}

/**
 * The wire form of an action's arguments, shared with Lua: one number (`amount`: '' = none,
 * 'x' = not a safe integer) and one text (paddle or hold message). Both stores decide from this
 * form, and it is the idempotency fingerprint, so they cannot read a request differently.
 */
export function floorArgs(req: FloorAction): { amount: string; text: string } {
  const int = (n: number): string => (Number.isSafeInteger(n) ? String(n) : 'x');
  switch (req.action) {
    case 'open':
      return { amount: req.asking === undefined ? '' : int(req.asking), text: '' };
    case 'set_asking':
      return { amount: int(req.amount), text: '' };
    case 'set_increment':
      return { amount: int(req.step), text: '' };
    case 'floor_bid':
      return { amount: int(req.amount), text: String(req.paddle ?? '') };
    case 'overrule':
      return { amount: '', text: String(req.paddle ?? '') };
    case 'reject_bid':
      return { amount: int(req.seq), text: '' };
    case 'hold':
      return { amount: '', text: String(req.message ?? '') };
    default:
      return { amount: '', text: '' };
  }
}

export function floorFingerprint(req: FloorAction): string {
  const a = floorArgs(req);
  return `${req.action}/${a.amount}/${a.text}`;
}

/** The action as recorded, rebuilt from its wire form (both stores record exactly this). */
export function floorActionFrom(action: string, amount: string, text: string): FloorAction {
  const n = amount === '' ? undefined : Number(amount);
  switch (action) {
    case 'open':
      return n === undefined ? { action } : { action, asking: n };
    case 'set_asking':
      return { action, amount: n ?? NaN };
    case 'set_increment':
      return { action, step: n ?? NaN };
    case 'floor_bid':
      return { action, paddle: text, amount: n ?? NaN };
    case 'overrule':
      return { action, paddle: text };
    case 'reject_bid':
      return { action, seq: n ?? NaN };
    case 'hold':
      return { action, message: text };
    default:
      // The actions without arguments (an unknown name is recorded as sent; it was refused).
      return { action } as FloorAction;
  }
}

/** A non-negative integer argument, or undefined (same test as the Lua `'^%d+$'`). */
function intArg(s: string): number | undefined {
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

function wellFormed(action: string, n: number | undefined, amount: string, text: string): boolean {
  if (action === 'open') return amount === '' || (n !== undefined && n >= 1);
  if (action === 'set_asking') return n !== undefined && n >= 1;
  if (action === 'set_increment') return n !== undefined;
  if (action === 'floor_bid') return text !== '' && n !== undefined && n >= 1;
  if (action === 'overrule') return text !== '';
  if (action === 'reject_bid') return n !== undefined && n >= 1;
  return Object.hasOwn(ALLOWED, action);
}

function undoPoint(action: FloorActionName, s: LiveState): UndoPoint {
  return {
    action,
    seq: s.seq,
    state: {
      status: s.status,
      message: s.message,
      heldFrom: s.heldFrom,
      price: s.price,
      leaderId: s.leaderId,
      leaderMax: s.leaderMax,
      leaderKind: s.leaderKind,
      bidCount: s.bidCount,
      asking: s.asking,
      step: s.step,
      standingSeq: s.standingSeq,
      absentees: [...s.absentees],
      standing: [...s.standing],
    },
  };
}

/**
 * On open: the best absentee maximum takes the lot at the asking price, or one step above the
 * second-best maximum when that is higher, never above its own maximum (equal maximums: the
 * earlier one, which sorts first). It then answers later bids like a proxy (liveBid).
 */
function executeAbsentees(setup: AuctionSetup, s: LiveState): void {
  const [top, second] = s.absentees;
  s.absentees = [];
  if (top === undefined || top.max < s.asking) return;
  pushStanding(s);
  let price = s.asking;
  if (second !== undefined)
    price = Math.max(price, Math.min(top.max, second.max + liveStep(setup, s, second.max)));
  s.price = price;
  s.leaderId = top.bidderId;
  s.leaderMax = top.max;
  s.leaderKind = 'absentee';
  s.asking = price + liveStep(setup, s, price);
  s.bidCount += 1;
  s.standingSeq = s.seq;
}

/** Decides one floor action against the lot's state, mutating it when the action has an effect. */
export function decideFloor(
  setup: AuctionSetup,
  s: LiveState,
  req: FloorAction,
  now: number,
): FloorActionResult {
  const action = req.action;
  const args = floorArgs(req);
  const n = intArg(args.amount);
  const text = args.text;
  s.seq += 1;
  const previousStatus = s.status;
  const previousPrice = s.price;
  const previousLeaderId = s.leaderId;
  const before = undoPoint(action, s);
  let reason: FloorRejectReason | undefined;
  let undone: FloorActionResult['undone'];

  if (setup.mode !== 'live') reason = 'NOT_LIVE';
  else if (!wellFormed(action, n, args.amount, text)) reason = 'INVALID_REQUEST';
  else reason = gate(action, s.status);

  if (reason === undefined) {
    // No asking price, increment or floor bid may lead past the largest amount a bid may have.
    if (action === 'open' && n !== undefined && n > MAX_MINOR) reason = 'TOO_HIGH';
    else if (action === 'open') {
      s.status = 'open';
      if (n !== undefined) s.asking = n;
      executeAbsentees(setup, s);
    } else if (action === 'set_asking') {
      if (s.bidCount > 0 && n! <= s.price) reason = 'TOO_LOW';
      else if (n! > MAX_MINOR) reason = 'TOO_HIGH';
      else s.asking = n!;
    } else if (action === 'set_increment') {
      // The next asking price would be the standing bid (or, before the first bid, the asking price) plus the step.
      if ((s.bidCount > 0 ? s.price : s.asking) + n! > MAX_MINOR) reason = 'TOO_HIGH';
      else {
        s.step = n!;
        if (s.bidCount > 0) s.asking = s.price + liveStep(setup, s, s.price);
      }
    } else if (action === 'floor_bid') {
      reason = n! > MAX_MINOR ? 'TOO_HIGH' : liveBid(setup, s, `paddle:${text}`, 'floor', n!);
    } else if (action === 'overrule') {
      if (s.leaderKind !== 'bid') reason = 'NOTHING_TO_OVERRULE';
      else {
        // The floor bid replaces the internet bid at the same amount: rejecting it goes back past both.
        s.leaderId = `paddle:${text}`;
        s.leaderKind = 'floor';
        s.leaderMax = s.price;
        s.standingSeq = s.seq;
        s.bidCount += 1;
        s.status = 'open';
      }
    } else if (action === 'reject_bid') {
      if (s.leaderId === undefined || s.standing.length === 0) reason = 'NOTHING_TO_REJECT';
      else if (n !== s.standingSeq) reason = 'NOT_LATEST_BID';
      else popStanding(s);
    } else if (action === 'fair_warning') {
      s.status = 'fair_warning';
    } else if (action === 'resume') {
      s.status = 'open';
    } else if (action === 'hold') {
      s.heldFrom = s.status;
      s.status = 'on_hold';
      s.message = text === '' ? undefined : text;
    } else if (action === 'resume_from_hold') {
      s.status = s.heldFrom ?? 'open';
      s.heldFrom = undefined;
      s.message = undefined;
    } else if (action === 'hammer') {
      s.status =
        s.leaderId !== undefined && (setup.reserve === 0 || s.price >= setup.reserve) ? 'sold' : 'unsold';
    } else if (action === 'pass') {
      s.status = 'passed';
    } else if (action === 'withdraw') {
      s.status = 'withdrawn';
    } else if (action === 'undo') {
      if (s.undoClosed) reason = 'UNDO_WINDOW_CLOSED';
      else if (s.undo === undefined) reason = 'NOTHING_TO_UNDO';
      else {
        Object.assign(s, s.undo.state);
        undone = { action: s.undo.action, seq: s.undo.seq };
        s.undo = undefined;
      }
    } else if (action === 'superseded') {
      s.undo = undefined;
      s.undoClosed = true;
    }
  }

  const priceChanged = s.price !== previousPrice || s.leaderId !== previousLeaderId;
  // Whatever changed the lot can be undone (a floor bid answered by an absentee is refused but moves the price).
  if ((reason === undefined || priceChanged) && action !== 'undo' && action !== 'superseded') {
    s.undo = before;
    s.undoClosed = false;
  }
  return {
    seq: s.seq,
    auctionId: setup.id,
    action,
    outcome: reason === undefined ? 'accepted' : 'rejected',
    reason,
    status: s.status,
    previousStatus,
    price: s.price,
    previousPrice,
    leaderId: s.leaderId,
    previousLeaderId,
    leaderKind: s.leaderKind,
    priceChanged,
    asking: s.asking,
    step: s.step,
    bidCount: s.bidCount,
    standingSeq: s.standingSeq,
    message: s.message,
    reserveMet: setup.reserve === 0 || (s.bidCount > 0 && s.price >= setup.reserve),
    undone,
    decidedAt: now,
    replayed: false,
  };
}

/** The answer without effect for an unknown auction or a reused idempotency key (seq 0, nothing recorded). */
export function floorRejectedWithoutEffect(
  req: FloorActionRequest,
  reason: 'UNKNOWN_AUCTION' | 'IDEMPOTENCY_KEY_REUSED',
  replayed: boolean,
): FloorActionResult {
  return {
    seq: 0,
    auctionId: req.auctionId,
    action: req.action,
    outcome: 'rejected',
    reason,
    status: undefined,
    previousStatus: undefined,
    price: 0,
    previousPrice: 0,
    leaderId: undefined,
    previousLeaderId: undefined,
    leaderKind: undefined,
    priceChanged: false,
    asking: 0,
    step: 0,
    bidCount: 0,
    standingSeq: 0,
    message: undefined,
    reserveMet: false,
    undone: undefined,
    decidedAt: 0,
    replayed,
  };
}
