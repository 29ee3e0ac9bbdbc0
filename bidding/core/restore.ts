import { AUCTION_MODES, AUCTION_STATUSES, LEADER_KINDS } from '../../common/contracts/lot.ts';
import { initialState, type LiveState } from './decide.ts';
import { incrementAt } from './increments.ts';
import { type AuctionSetup, type RestoreResult, type RestoreState } from './types.ts';

/**
 * Recovery and administrative restating, the parts both stores share: checking what the caller
 * sends, the state a restore re-creates, and the bid answers re-installed for idempotent retries.
 */

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The refusal of a restore state that cannot be installed (both stores answer it alike), or undefined. */
export function restoreRefusal(r: RestoreState): RestoreResult | undefined {
  const problem = restoreProblem(r);
  if (problem === undefined) return undefined;
  return {
    restored: false,
    auctionId: r.setup.id,
    reason: 'INVALID_REQUEST',
    message: problem,
    existingSeq: undefined,
  };
}

/** Why a restore state cannot be installed, or undefined when it can. */
export function restoreProblem(r: RestoreState): string | undefined {
  const s = r.setup;
  if (typeof s.id !== 'string' || s.id === '') return 'setup.id is empty';
  if (!AUCTION_MODES.includes(s.mode)) return `setup.mode ${String(s.mode)} is unknown`;
  if (!AUCTION_STATUSES.includes(r.status)) return `status ${String(r.status)} is unknown`;
  for (const [name, v] of [
    ['endsAt', r.endsAt],
    ['price', r.price],
    ['leaderMax', r.leaderMax],
    ['bidCount', r.bidCount],
    ['seq', r.seq],
    ['asking', r.asking ?? 0],
    ['step', r.step ?? 0],
    ['standingSeq', r.standingSeq ?? 0],
  ] as const) {
    if (!isCount(v)) return `${name} must be a non-negative integer`;
  }
  const leaderProblem = standingProblem(r);
  if (leaderProblem !== undefined) return leaderProblem;
  if (r.leaderKind !== undefined && !LEADER_KINDS.includes(r.leaderKind))
    return `leaderKind ${String(r.leaderKind)} is unknown`;
  if ((r.standingSeq ?? 0) > r.seq) return 'standingSeq is after seq';
  if (r.afterStreamId !== undefined && !/^\d+-\d+$/.test(r.afterStreamId))
    return `afterStreamId ${r.afterStreamId} is not a stream id (<ms>-<n>)`;
  for (const [bidder, limit] of Object.entries(r.eligibility ?? {})) {
    if (bidder === '' || !isCount(limit)) return `eligibility of "${bidder}" must be a non-negative integer`;
  }
  for (const a of r.answers ?? []) {
    if (a.bidderId === '' || a.idempotencyKey === '') return 'an answer has an empty bidder or key';
    if (!isCount(a.decision.seq) || a.decision.seq > r.seq)
      return `answer ${a.bidderId}/${a.idempotencyKey}: seq ${a.decision.seq} is not within 0…${r.seq}`;
  }
  return undefined;
}

/** Why a standing cannot be set: counts, a leader exactly when there are bids, a maximum at or above the price. */
export function standingProblem(s: {
  price: number;
  leaderId: string | undefined;
  leaderMax: number;
  bidCount: number;
}): string | undefined {
  if (!isCount(s.price) || !isCount(s.leaderMax) || !isCount(s.bidCount))
    return 'price, leaderMax and bidCount must be non-negative integers';
  if (s.leaderId === '') return 'leaderId is empty (use undefined for no leader)';
  if ((s.leaderId === undefined) !== (s.bidCount === 0)) return 'a leader needs bids, and bids need a leader';
  if (s.leaderId !== undefined && s.leaderMax < s.price) return 'leaderMax is below the price';
  if (s.leaderId === undefined && (s.price !== 0 || s.leaderMax !== 0))
    return 'price and leaderMax are 0 without a leader';
  return undefined;
}

/** The minimum next bid of a timed auction (the asking price of a live lot by the table). */
export function askingAfter(setup: AuctionSetup, price: number, bidCount: number, step = 0): number {
  if (bidCount === 0) return setup.opening;
  return price + (step > 0 ? step : incrementAt(setup.increments, price));
}

/** The engine state a restore installs (absentee list, standing stack and undo point empty: see RestoreState). */
export function restoredLiveState(r: RestoreState): LiveState {
  const s = initialState(r.setup);
  s.status = r.status;
  s.endsAt = r.endsAt;
  s.price = r.price;
  s.leaderId = r.leaderId;
  s.leaderMax = r.leaderMax;
  s.bidCount = r.bidCount;
  s.seq = r.seq;
  s.step = r.step ?? 0;
  s.asking = r.asking ?? askingAfter(r.setup, r.price, r.bidCount, s.step);
  if (r.setup.mode === 'live') {
    s.leaderKind = r.leaderId === undefined ? undefined : (r.leaderKind ?? 'bid');
    s.standingSeq = r.standingSeq ?? 0;
    s.message = r.status === 'on_hold' ? r.message : undefined;
    s.heldFrom = r.status === 'on_hold' ? r.heldFrom : undefined;
  }
  return s;
}

/** The idempotency fingerprint of a bid, shared with lua/place-bid-6.lua (`amount/max`, '' = no max). */
export function bidFingerprint(amount: number, max: number | undefined): string {
  return `${amount}/${max ?? ''}`;
}
