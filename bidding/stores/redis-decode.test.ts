import { describe, expect, it } from 'vitest';
import { UnknownReasonError } from '../core/reasons.ts';
import { decisionFromFields, floorResultFromFields, pairs, restateResultFromFields } from './redis-decode.ts';

const restateReq = {
  auctionId: 'a1',
  idempotencyKey: 'k',
  reason: 'bid_cancelled:3',
  actor: 'admin-1',
  standing: { price: 0, leaderId: undefined, leaderMax: 0, bidCount: 0 },
};

describe('script replies with a refusal reason', () => {
  it('carry the known reason through', () => {
    const bid = decisionFromFields(
      pairs(['seq', '4', 'outcome', 'rejected', 'reason', 'TOO_LOW']),
      'a1',
      'b1',
      100,
    );
    expect(bid).toMatchObject({ outcome: 'rejected', reason: 'TOO_LOW' });
    const floor = floorResultFromFields(pairs(['outcome', 'rejected', 'reason', 'NOT_LIVE']), 'a1', 'open');
    expect(floor).toMatchObject({ outcome: 'rejected', reason: 'NOT_LIVE' });
    const restate = restateResultFromFields(
      pairs(['outcome', 'rejected', 'reason', 'NOT_TIMED']),
      restateReq,
    );
    expect(restate).toMatchObject({ outcome: 'rejected', reason: 'NOT_TIMED' });
  });

  it('have no reason when accepted', () => {
    expect(
      decisionFromFields(pairs(['outcome', 'accepted', 'reason', '']), 'a1', 'b1', 1).reason,
    ).toBeUndefined();
  });

  it('fail loudly on a reason the code does not know', () => {
    expect(() =>
      decisionFromFields(pairs(['outcome', 'rejected', 'reason', 'TOO_EARLY']), 'a1', 'b1', 1),
    ).toThrow(UnknownReasonError);
    // A floor-only reason is not a bid reason.
    expect(() =>
      decisionFromFields(pairs(['outcome', 'rejected', 'reason', 'NOT_LIVE']), 'a1', 'b1', 1),
    ).toThrow(/unknown bid refusal reason "NOT_LIVE"/);
    expect(() =>
      floorResultFromFields(pairs(['outcome', 'rejected', 'reason', 'NOPE']), 'a1', 'open'),
    ).toThrow(UnknownReasonError);
    expect(() =>
      restateResultFromFields(pairs(['outcome', 'rejected', 'reason', 'NOPE']), restateReq),
    ).toThrow(UnknownReasonError);
  });
});
