import type { LiveState } from './decide.ts';
import { askingAfter } from './restore.ts';
import type {
  AuctionSetup,
  PublicStanding,
  RestateRejectReason,
  RestateRequest,
  RestateResult,
} from './types.ts';

/**
 * An administrative restate of a timed auction's standing (after an admin cancelled a bid): the
 * decision both stores run — the specification of lua/restate-3.lua — and its refusals.
 */

/** The idempotency fingerprint of a restate: the standing asked for (reason and actor are not part of it). */
export function restateFingerprint(req: RestateRequest): string {
  const s = req.standing;
  return `${s.price}/${s.leaderId ?? ''}/${s.leaderMax}/${s.bidCount}`;
}

/**
 * Sets a timed auction's standing (checked by `standingProblem`), taking the next seq: the
 * specification lua/restate-3.lua implements. Status and end are left as they are.
 */
export function decideRestate(
  setup: AuctionSetup,
  s: LiveState,
  req: RestateRequest,
  now: number,
): RestateResult {
  s.seq += 1;
  const previous: PublicStanding = { price: s.price, leaderId: s.leaderId, bidCount: s.bidCount };
  s.price = req.standing.price;
  s.leaderId = req.standing.leaderId;
  s.leaderMax = req.standing.leaderMax;
  s.bidCount = req.standing.bidCount;
  s.asking = askingAfter(setup, s.price, s.bidCount);
  return {
    seq: s.seq,
    auctionId: setup.id,
    outcome: 'accepted',
    reason: undefined,
    previous,
    standing: { price: s.price, leaderId: s.leaderId, bidCount: s.bidCount },
    status: s.status,
    endsAt: s.endsAt,
    asking: s.asking,
    reserveMet: setup.reserve === 0 || (s.bidCount > 0 && s.price >= setup.reserve),
    decidedAt: now,
    replayed: false,
  };
}

/** A refused restate: no effect, no seq, nothing recorded. */
export function restateRefused(
  req: RestateRequest,
  reason: RestateRejectReason,
  replayed: boolean,
): RestateResult {
  return {
    seq: 0,
    auctionId: req.auctionId,
    outcome: 'rejected',
    reason,
    previous: undefined,
    standing: undefined,
    status: undefined,
    endsAt: 0,
    asking: 0,
    reserveMet: false,
    decidedAt: 0,
    replayed,
  };
}
