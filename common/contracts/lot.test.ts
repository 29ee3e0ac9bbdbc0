import { describe, expect, it } from 'vitest';
import {
  AUCTION_STATUSES,
  isBiddable,
  isBiddableOrWaiting,
  isDecided,
  isFinished,
  isInProgress,
  isWaiting,
  type AuctionStatus,
} from './lot.ts';

const holding = (p: (s: AuctionStatus) => boolean): AuctionStatus[] => AUCTION_STATUSES.filter(p);

describe('lot status groupings', () => {
  it('name the statuses each grouping holds', () => {
    expect(holding(isWaiting)).toEqual(['scheduled']);
    expect(holding(isBiddable)).toEqual(['open', 'fair_warning']);
    expect(holding(isBiddableOrWaiting)).toEqual(['scheduled', 'open', 'fair_warning']);
    expect(holding(isInProgress)).toEqual(['open', 'fair_warning', 'on_hold']);
    expect(holding(isDecided)).toEqual(['sold', 'passed', 'unsold', 'withdrawn', 'cancelled']);
    expect(holding(isFinished)).toEqual(['closed', 'sold', 'passed', 'unsold', 'withdrawn', 'cancelled']);
  });

  it('put every status in exactly one of waiting, in progress and finished', () => {
    for (const s of AUCTION_STATUSES)
      expect([isWaiting(s), isInProgress(s), isFinished(s)].filter(Boolean), s).toHaveLength(1);
  });

  it('nest: biddable is in progress, decided is finished', () => {
    for (const s of AUCTION_STATUSES) {
      if (isBiddable(s)) expect(isInProgress(s), s).toBe(true);
      if (isDecided(s)) expect(isFinished(s), s).toBe(true);
    }
  });
});
