import { describe, expect, it } from 'vitest';
import type { BuyerTerms } from '../../common/contracts/index.ts';
import { myState, type MyLot } from './bidder-state.ts';
import { groupMyLots, groupOf, invoiceOf, type MyLotFacts } from './my-lots.ts';
import type { PublicAuctionView } from '../../common/contracts/index.ts';

const ME = 'Bidder AAAAAA';
const view = (over: Partial<PublicAuctionView> = {}): PublicAuctionView =>
  ({
    auctionId: 'lot-1',
    saleId: 'sale-1',
    mode: 'timed',
    status: 'open',
    currency: 'EUR',
    price: '1200.00',
    bidCount: 2,
    leader: ME,
    leaderKind: 'bid',
    asking: '1300.00',
    endsAt: '2026-12-07T13:00:00Z',
    reserveMet: true,
    message: null,
    seq: 3,
    ...over,
  }) as PublicAuctionView;
const me = (over: Partial<MyLot> = {}): MyLot => ({
  mask: ME,
  ownBids: [{ seq: 1, amount: '1200.00', at: '2026-12-07T12:00:00Z' }],
  notice: undefined,
  answeredByMax: undefined,
  ...over,
});
const facts = (lotId: string, v: PublicAuctionView, m: MyLot, watched = false): MyLotFacts => ({
  lotId,
  state: myState(v, m).state,
  leading: v.leader === m.mask,
  watched,
});

describe('my lots', () => {
  it('groups the lots the bidder bid on or watches: leading, outbid, won, lost, watching', () => {
    const other = 'Bidder BBBBBB';
    const groups = groupMyLots([
      facts('leads', view(), me()),
      facts('outbid', view({ leader: other }), me()),
      // The clock closed it with them highest: still "leading" until the result comes.
      facts('closed-high', view({ status: 'closed' }), me()),
      facts('closed-low', view({ status: 'closed', leader: other }), me()),
      facts('won', view({ status: 'sold' }), me()),
      facts(
        'won-by-notice',
        view({ status: 'closed' }),
        me({
          result: {
            type: 'won',
            currency: 'EUR',
            hammer: '1200.00',
            premium: '300.00',
            tax: '60.00',
            total: '1560.00',
          },
        }),
      ),
      facts('lost', view({ status: 'sold', leader: other }), me()),
      facts('unsold', view({ status: 'unsold', leader: null }), me()),
      facts('watched', view({ leader: other }), me({ ownBids: [] }), true),
      facts('ignored', view({ leader: other }), me({ ownBids: [] })),
      // Withdrawn: not theirs to follow any more, unless they watch it.
      facts('withdrawn', view({ status: 'withdrawn' }), me(), false),
    ]);
    expect(groups).toEqual({
      leading: ['leads', 'closed-high'],
      outbid: ['outbid', 'closed-low'],
      won: ['won', 'won-by-notice'],
      lost: ['lost', 'unsold'],
      watching: ['watched'],
    });
    expect(groupOf({ lotId: 'x', state: 'none', leading: false, watched: false })).toBeUndefined();
  });

  it("shows the back office's invoice for a won lot, else computes the same", () => {
    const terms: BuyerTerms = {
      premium: [{ upTo: null, rateBp: 2500 }],
      taxRateBp: 2000,
      taxBase: 'premium',
      termsVersion: 1,
    };
    expect(
      invoiceOf(
        {
          type: 'won',
          currency: 'EUR',
          hammer: '1200.00',
          premium: '300.00',
          tax: '60.00',
          total: '1560.00',
        },
        '1200.00',
        terms,
        {},
      ),
    ).toEqual({ hammer: '1200.00', premium: '300.00', tax: '60.00', total: '1560.00' });
    expect(invoiceOf(undefined, '1000.01', terms, {})).toEqual({
      hammer: '1000.01',
      premium: '250.00',
      tax: '50.00',
      total: '1300.01',
    });
    // A lot's own bands win over the sale's.
    expect(invoiceOf(undefined, '100.00', terms, { premium: [{ upTo: null, rateBp: 1000 }] })?.premium).toBe(
      '10.00',
    );
    expect(invoiceOf(undefined, '100.00', undefined, {})).toBeUndefined();
  });
});
