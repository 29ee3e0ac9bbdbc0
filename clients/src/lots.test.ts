import { describe, expect, it } from 'vitest';
import { isNewer, LotBook } from './lots.ts';
import type { LiveUpdate } from './types.ts';

/** A timed lot's public update as the engine and the back office publish it. */
function update(seq: number, over: Partial<LiveUpdate> = {}): LiveUpdate {
  return {
    auctionId: 'lot-1',
    saleId: 'sale-1',
    mode: 'timed',
    status: 'open',
    currency: 'EUR',
    price: `${seq}00.00`,
    bidCount: seq,
    leader: 'Bidder 0A0A0A',
    leaderKind: 'bid',
    asking: `${seq + 1}00.00`,
    endsAt: '2030-01-01T00:00:00.000Z',
    reserveMet: true,
    message: null,
    seq,
    stateVersion: 0,
    lastAction: 'bid',
    extended: false,
    undone: null,
    decidedAt: '2030-01-01T00:00:00.000Z',
    ...over,
  };
}

const closed = (seq: number): LiveUpdate =>
  update(seq, { status: 'closed', stateVersion: 1, lastAction: 'close' });
const sold = (seq: number): LiveUpdate =>
  update(seq, { status: 'sold', stateVersion: 2, lastAction: 'result' });

describe('a lot’s state on the pages: (seq, stateVersion) only moves forward', () => {
  it('takes a close and then the result at the seq it already shows', () => {
    const book = new LotBook();
    expect(book.apply(update(7))).toBe(true);
    expect(book.apply(closed(7))).toBe(true);
    expect(book.get('lot-1')?.status).toBe('closed');
    expect(book.apply(sold(7))).toBe(true);
    expect(book.get('lot-1')).toMatchObject({ status: 'sold', seq: 7, stateVersion: 2 });
  });

  it('never shows an older state after a newer one, whatever the order they arrive in', () => {
    const book = new LotBook();
    book.apply(sold(7));
    // The close delivered late (its outbox retry), a snapshot taken before the result, a replayed bid.
    expect(book.apply(closed(7))).toBe(false);
    expect(book.apply({ ...update(7), status: 'closed', stateVersion: 1 })).toBe(false);
    expect(book.apply(update(7))).toBe(false);
    expect(book.apply(update(6))).toBe(false);
    expect(book.get('lot-1')?.status).toBe('sold');
    // A repeat changes nothing; a later seq always wins, even at a lower version (an undone hammer on a live lot).
    expect(book.apply(sold(7))).toBe(false);
    expect(book.apply(update(8))).toBe(true);
    expect(book.get('lot-1')).toMatchObject({ status: 'open', seq: 8 });
  });

  it('orders by seq first, then by stateVersion', () => {
    expect(isNewer({ seq: 2, stateVersion: 0 }, undefined)).toBe(true);
    expect(isNewer({ seq: 2, stateVersion: 0 }, { seq: 1, stateVersion: 2 })).toBe(true);
    expect(isNewer({ seq: 1, stateVersion: 2 }, { seq: 2, stateVersion: 0 })).toBe(false);
    expect(isNewer({ seq: 2, stateVersion: 1 }, { seq: 2, stateVersion: 0 })).toBe(true);
    expect(isNewer({ seq: 2, stateVersion: 1 }, { seq: 2, stateVersion: 1 })).toBe(false);
  });

  it('at one seq and stateVersion, an offered lot is newer than a waiting one (a timed lot the clock opened)', () => {
    const open = { seq: 0, stateVersion: 0, status: 'open' } as const;
    const scheduled = { seq: 0, stateVersion: 0, status: 'scheduled' } as const;
    expect(isNewer(open, scheduled)).toBe(true);
    expect(isNewer(scheduled, open)).toBe(false);
    expect(isNewer(open, open)).toBe(false);
    // The seq and the stateVersion still come first.
    expect(isNewer(open, { seq: 1, stateVersion: 0, status: 'scheduled' })).toBe(false);
    expect(isNewer(open, { seq: 0, stateVersion: 1, status: 'closed' })).toBe(false);
    const book = new LotBook();
    book.apply(update(0, { status: 'scheduled', leader: null, lastAction: 'state' }));
    // The lifecycle's opening, or the page's own snapshot refetch after it: both at seq 0.
    expect(book.apply(update(0, { status: 'open', leader: null, lastAction: 'open' }))).toBe(true);
    expect(book.get('lot-1')?.status).toBe('open');
    expect(book.apply(update(0, { status: 'scheduled', leader: null, lastAction: 'state' }))).toBe(false);
  });

  it('settles a withdrawn lot at its seq (a back-office event), and only once', () => {
    const book = new LotBook();
    expect(book.settle('lot-1', 'withdrawn')).toBe(false); // nothing shown yet
    book.apply(update(3));
    expect(book.settle('lot-1', 'withdrawn')).toBe(true);
    expect(book.get('lot-1')).toMatchObject({ status: 'withdrawn', seq: 3, stateVersion: 2 });
    expect(book.settle('lot-1', 'withdrawn')).toBe(false);
    // An update of that seq delivered late does not bring it back.
    expect(book.apply(update(3))).toBe(false);
    expect(book.apply(closed(3))).toBe(false);
  });

  it('lists bids and calls in the activity, not a republished state, the close or the result', () => {
    const book = new LotBook();
    for (const u of [update(1), update(1), update(2, { lastAction: 'state' }), closed(1), sold(1)])
      book.record(u);
    expect(book.activityOf('lot-1').map((e) => [e.seq, e.action])).toEqual([[1, 'bid']]);
  });
});
