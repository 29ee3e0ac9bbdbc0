import { describe, expect, it } from 'vitest';
import type { BidRecord } from '../tools/chaos/bids.ts';
import {
  checkSeqs,
  checkWinners,
  compareLedger,
  compareScreens,
  type LedgerBid,
  type LotResult,
} from '../tools/chaos/checks.ts';
import type { AuctionState } from '../tools/chaos/subscriber.ts';

/** What a client was told about a bid. */
const told = (key: string, outcome: BidRecord['outcome'], extra: Partial<BidRecord> = {}): BidRecord => ({
  bidder: 'b1',
  lot: 'lot1',
  key,
  amount: 1000,
  sentAt: 0,
  attempts: 1,
  outcome,
  retriedOn: [],
  ...extra,
});

/** A ledger row. */
const row = (key: string, seq: number, extra: Partial<LedgerBid> = {}): LedgerBid => ({
  auctionId: 'lot1',
  seq,
  bidderId: 'b1',
  amount: 1000,
  outcome: 'accepted',
  reason: null,
  key,
  price: extra.amount ?? 1000,
  ...extra,
});

describe('chaos checks: the ledger against what clients were told', () => {
  it('finds nothing when every acknowledged bid is in the ledger exactly once and nothing else is accepted', () => {
    const f = compareLedger(
      [told('k1', 'accepted', { seq: 1 }), told('k2', 'refused', { code: 'OUTBID' })],
      [row('k1', 1), row('k2', 2, { outcome: 'rejected', reason: 'OUTBID' })],
    );
    expect([f.lost.count, f.doubled.count, f.phantom.count, f.contradicted.count]).toEqual([0, 0, 0, 0]);
    expect([f.rows, f.accepted]).toEqual([2, 1]);
  });

  it('counts an acknowledged bid as lost when it is missing, at another seq or amount, or not accepted', () => {
    const f = compareLedger(
      [
        told('missing', 'accepted', { seq: 1 }),
        told('moved', 'accepted', { seq: 2 }),
        told('cheaper', 'accepted', { seq: 3 }),
        told('refusedThere', 'accepted', { seq: 4 }),
      ],
      [
        row('moved', 7),
        row('cheaper', 3, { amount: 900 }),
        row('refusedThere', 4, { outcome: 'rejected', reason: 'OUTBID' }),
      ],
    );
    expect(f.lost.count).toBe(4);
  });

  it('finds doubles, bids nobody sent, and bids told refused but accepted', () => {
    const f = compareLedger(
      [told('twice', 'accepted', { seq: 1 }), told('refused', 'refused', { code: 'OUTBID' })],
      [row('twice', 1), row('twice', 2), row('ghost', 3), row('refused', 4)],
    );
    expect(f.doubled.count).toBe(1);
    // The acknowledged bid is not in the ledger "exactly once" either.
    expect(f.lost.count).toBe(1);
    expect(f.phantom.count).toBe(1);
    expect(f.phantom.examples).toEqual([[row('ghost', 3)]]);
    expect(f.contradicted.count).toBe(1);
  });

  it('tells bidders apart: the same key from two bidders is two bids', () => {
    const f = compareLedger(
      [told('k', 'accepted', { seq: 1 }), told('k', 'accepted', { seq: 2, bidder: 'b2' })],
      [row('k', 1), row('k', 2, { bidderId: 'b2' })],
    );
    expect([f.lost.count, f.doubled.count, f.phantom.count]).toEqual([0, 0, 0]);
  });
});

describe('chaos checks: seqs', () => {
  it('wants every seq up to the engine last one exactly once, and none beyond', () => {
    expect(checkSeqs(new Map([['lot1', [3, 1, 2]]]), new Map([['lot1', 3]])).count).toBe(0);
    const f = checkSeqs(
      new Map([
        ['lot1', [1, 2, 2, 4, 6]],
        ['lot2', []],
      ]),
      new Map([
        ['lot1', 5],
        ['lot2', 2],
      ]),
    );
    expect(f.gaps).toEqual([
      { lot: 'lot1', lastSeq: 5, missing: [3, 5], repeated: [2], beyond: [6] },
      { lot: 'lot2', lastSeq: 2, missing: [1, 2], repeated: [], beyond: [] },
    ]);
    expect(f.count).toBe(6);
  });
});

describe('chaos checks: the winner', () => {
  const ledger = [
    row('a', 1, { bidderId: 'b1', amount: 1000 }),
    row('b', 2, { bidderId: 'b2', amount: 1200 }),
    row('c', 3, { bidderId: 'b3', amount: 1200 }),
    row('d', 4, { bidderId: 'b4', amount: 1300, outcome: 'rejected', reason: 'OVER_LIMIT', price: 1200 }),
  ];
  const acknowledged = [
    told('a', 'accepted', { bidder: 'b1', seq: 1 }),
    told('b', 'accepted', { bidder: 'b2', seq: 2 }),
    told('c', 'accepted', { bidder: 'b3', seq: 3 }),
  ];
  const result = (r: Partial<LotResult>): LotResult[] => [
    { lotId: 'lot1', outcome: 'sold', hammer: '12.00', buyer: 'b2', ...r },
  ];

  it('is the highest accepted bid, the earliest of equal ones, at its amount', () => {
    expect(checkWinners(['lot1'], ledger, acknowledged, result({})).wrong).toEqual([]);
    for (const wrong of [
      { buyer: 'b3' },
      { hammer: '13.00', buyer: 'b4' },
      { hammer: '10.00' },
      { outcome: 'unsold' },
    ])
      expect(
        checkWinners(['lot1'], ledger, acknowledged, result(wrong)).wrong,
        JSON.stringify(wrong),
      ).toHaveLength(1);
    // No result at all for the lot.
    expect(checkWinners(['lot1'], ledger, acknowledged, []).wrong).toHaveLength(1);
  });

  it("is the leader's raised maximum when the leader bid again: the hammer stays at the price", () => {
    // b2 leads at 12.00 and bids 12.50: accepted, a raised maximum, the price unchanged.
    const raised = [...ledger, row('e', 5, { bidderId: 'b2', amount: 1250, price: 1200 })];
    const told2 = [...acknowledged, told('e', 'accepted', { bidder: 'b2', seq: 5, amount: 1250 })];
    expect(checkWinners(['lot1'], raised, told2, result({})).wrong).toEqual([]);
    expect(checkWinners(['lot1'], raised, told2, result({ hammer: '12.50' })).wrong).toHaveLength(1);
  });

  it('must be a bid a client was told was accepted, and a lot nobody bid on is not sold', () => {
    expect(checkWinners(['lot1'], ledger, acknowledged.slice(0, 1), result({})).wrong).toHaveLength(1);
    expect(
      checkWinners(['lot2'], [], [], [{ lotId: 'lot2', outcome: 'unsold', hammer: null, buyer: null }]).wrong,
    ).toEqual([]);
  });
});

describe('chaos checks: screens against snapshots', () => {
  const state = (s: Partial<AuctionState>): AuctionState => ({
    auctionId: 'lot1',
    seq: 10,
    stateVersion: 0,
    status: 'open',
    price: '12.00',
    bidCount: 2,
    leader: 'Bidder AAAAAA',
    asking: '13.00',
    endsAt: '2030-01-01T00:00:00.000Z',
    reserveMet: true,
    ...s,
  });

  it('accepts a screen at a lower seq that shows the same state (refused bids take seqs, publish nothing)', () => {
    const screens = [{ name: 's1', hub: 'h', states: new Map([['lot1', state({ seq: 8 })]]) }];
    expect(compareScreens(screens, new Map([['lot1', state({})]]))).toEqual([]);
  });

  it('names the fields a stale screen shows wrong, and a screen that never got a lot', () => {
    const screens = [
      {
        name: 's1',
        hub: 'h',
        states: new Map([['lot1', state({ seq: 9, price: '11.00', leader: 'Bidder BBBBBB' })]]),
      },
      { name: 's2', hub: 'h', states: new Map<string, AuctionState>() },
      { name: 's3', hub: 'h', states: new Map([['lot1', state({ status: 'open' })]]) },
    ];
    const stale = compareScreens(screens, new Map([['lot1', state({ status: 'closed' })]]));
    expect(stale.map((s) => [s.subscriber, s.differs])).toEqual([
      ['s1', ['status', 'price', 'leader']],
      ['s2', ['missing']],
      ['s3', ['status']],
    ]);
    expect(stale[0]!.snapshot).toMatchObject({ seq: 10, price: '12.00' });
  });
});
