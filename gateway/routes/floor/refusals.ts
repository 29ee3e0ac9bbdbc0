import { formatAmount, MAX_MINOR } from '../../../common/money.ts';
import type { FloorActionResult } from '../../../bidding/index.ts';
import type { FloorActionName } from '../../../common/contracts/index.ts';

/* A refused floor action: a sentence saying what it means and what to do (its status is the catalogue's, common/error-codes.ts). */

const LABEL: Record<FloorActionName, string> = {
  open: 'open',
  set_asking: 'set the asking price',
  set_increment: 'set the increment',
  floor_bid: 'take a floor bid',
  overrule: 'overrule',
  reject_bid: 'reject the bid',
  fair_warning: 'call fair warning',
  resume: 'resume',
  hold: 'hold',
  resume_from_hold: 'resume from hold',
  hammer: 'hammer',
  pass: 'pass',
  withdraw: 'withdraw',
  undo: 'undo',
  superseded: 'move to the next lot',
};

/** What a refused action means, and what the auctioneer can do about it. */
export function refusalMessage(r: FloorActionResult, currency: string): string {
  const m = (v: number): string => `${formatAmount(v, currency)} ${currency}`;
  const status = r.status ?? 'unknown';
  switch (r.reason) {
    case 'NOT_LIVE':
      return 'this is a timed auction: it has no floor, and closes at its end time';
    case 'INVALID_REQUEST':
      return 'the engine refused the request as malformed; check the amount and the paddle';
    case 'NOT_STARTED':
      return 'the lot has not opened yet; open it first (POST …/floor/open)';
    case 'CLOSED':
      return `the lot is already finished (${status}); move on with POST …/floor/next, or undo if it was a mistake`;
    case 'ON_HOLD':
      return 'the lot is on hold; resume it first (POST …/floor/resume-from-hold)';
    case 'INVALID_TRANSITION':
      if (r.action === 'open') return `the lot is already ${status}`;
      if (r.action === 'fair_warning')
        return 'fair warning has already been called; hammer the lot, or resume to take more bids';
      if (r.action === 'resume') return 'the lot is open, not in fair warning: there is nothing to resume';
      if (r.action === 'resume_from_hold') return 'the lot is not on hold';
      return `cannot ${LABEL[r.action]} while the lot is ${status}`;
    case 'TOO_LOW':
      return r.action === 'set_asking'
        ? `the asking price must be above the standing bid of ${m(r.price)}`
        : `the floor bid is below the asking price of ${m(r.asking)}; take it at ${m(r.asking)}, or set a lower asking price first`;
    case 'TOO_HIGH':
      return r.action === 'set_increment'
        ? `with that increment the next asking price would be above ${m(MAX_MINOR)}, the largest amount a bid may have; set a smaller increment`
        : `that is above ${m(MAX_MINOR)}, the largest amount a bid may have`;
    case 'OUTBID':
      return r.priceChanged
        ? `an absentee maximum answered the floor bid: the price is now ${m(r.price)}; call ${m(r.asking)}`
        : `another bid at ${m(r.price)} was decided first; call ${m(r.asking)} and take the floor bid again`;
    case 'ALREADY_LEADING':
      return `that paddle already holds the standing bid at ${m(r.price)}; call ${m(r.asking)} to the room`;
    case 'NOTHING_TO_OVERRULE':
      return r.leaderId === undefined
        ? 'there is no standing bid to overrule'
        : 'only a standing internet bid can be overruled; the standing bid is not one';
    case 'NOTHING_TO_REJECT':
      return 'there is no standing bid to reject';
    case 'NOT_LATEST_BID':
      return `only the standing bid can be rejected: it is seq ${r.standingSeq}; refresh the console and try again`;
    case 'NOTHING_TO_UNDO':
      return 'nothing to undo: the last action was already undone, or a bid has changed the lot since';
    case 'UNDO_WINDOW_CLOSED':
      return 'the next lot has opened, so this lot can no longer be undone; correct it in the back office';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'this Idempotency-Key was already used for a different action on this lot; use a new key for a new action';
    case 'UNKNOWN_AUCTION':
    case undefined:
      return `no auction "${r.auctionId}"`;
  }
}
