import type { BidRejectReason } from '../../common/contracts/bids.ts';
import { decide, initialState } from './decide.ts';
import type { AuctionSetup } from './types.ts';

/** A bid to re-decide: what the bidder sent, in the order the engine received it. */
export interface ReplayBid {
  seq: number;
  bidderId: string;
  amount: number;
  /** The maximum as sent (undefined or null when none). */
  max: number | null | undefined;
  decidedAt: number;
}

/** A timed auction's standing; `leaderMax` is confidential. */
export interface ReplayedStanding {
  price: number;
  leaderId: string | undefined;
  leaderMax: number;
  bidCount: number;
}

/**
 * Which ledger bids take part in a replay: every bid that was valid when placed — accepted, or
 * refused only because the competition was ahead (OUTBID: a proxy maximum or an equal earlier bid
 * answered it; ALREADY_LEADING). Once the bid that beat it is cancelled it may stand again.
 * Bids refused for eligibility, time, status, amount (TOO_LOW) or a reused key never counted.
 */
export function isReplayableBid(row: {
  outcome: string;
  reason: BidRejectReason | null | undefined;
}): boolean {
  return row.outcome === 'accepted' || row.reason === 'OUTBID' || row.reason === 'ALREADY_LEADING';
}

const ANY_TIME = { startsAt: Number.MIN_SAFE_INTEGER, endsAt: Number.MAX_SAFE_INTEGER } as const;

/**
 * The standing of a timed auction recomputed from its bids — after an admin cancelled one, say:
 * the remaining bids are re-decided in seq order by the same decision as the engine (decide.ts),
 * so proxy maximums, ties (the earlier wins), increments and the reserve lift apply as they did.
 * Eligibility and time windows are not checked again: the bids were eligible and in time when
 * placed. Pass the bids `isReplayableBid` keeps, minus the cancelled ones. Timed auctions only.
 */
export function replayStanding(setup: AuctionSetup, bids: readonly ReplayBid[]): ReplayedStanding {
  if (setup.mode !== 'timed') throw new RangeError(`replayStanding: auction ${setup.id} is not timed`);
  const replaySetup: AuctionSetup = {
    ...setup,
    ...ANY_TIME,
    status: 'open',
    graceMs: 0,
    softCloseMs: 0,
    softCloseCapMs: 0,
  };
  const s = initialState(replaySetup);
  const ordered = [...bids].sort((a, b) => a.seq - b.seq);
  for (const b of ordered) {
    decide(
      replaySetup,
      s,
      {
        auctionId: setup.id,
        bidderId: b.bidderId,
        amount: b.amount,
        max: b.max ?? undefined,
        idempotencyKey: `replay-${b.seq}`,
        source: 'api',
      },
      b.decidedAt,
      Number.POSITIVE_INFINITY,
    );
  }
  return { price: s.price, leaderId: s.leaderId, leaderMax: s.leaderMax, bidCount: s.bidCount };
}
