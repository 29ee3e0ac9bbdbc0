import { describe, expect, it } from 'vitest';
import { BidBook } from './bid-book.ts';

describe('BidBook', () => {
  it('starts every lot at the opening price and only ever raises it', () => {
    const book = new BidBook('r1', ['lot1', 'lot2'], 1000);
    expect(book.asking('lot1')).toBe(1000);
    book.onAsking('lot1', 1300);
    book.onAsking('lot1', 1100); // an older answer arriving late
    expect(book.asking('lot1')).toBe(1300);
    expect(book.asking('lot2')).toBe(1000);
    expect(() => book.asking('lot3')).toThrow(/no lot lot3/);
  });

  it('gives every bid the next key of the run and records it pending', () => {
    const book = new BidBook('r1', ['lot1'], 1000);
    const a = book.newBid('b1', 'lot1', 1100);
    const b = book.newBid('b2', 'lot1', 1200);
    expect([a.key, b.key]).toEqual(['r1-k1', 'r1-k2']);
    expect(a).toMatchObject({ bidder: 'b1', lot: 'lot1', amount: 1100, attempts: 0, outcome: 'pending' });
    expect(book.tried).toEqual([a, b]);
  });

  it("names a lot's leader by its accepted bid with the highest seq", () => {
    const book = new BidBook('r1', ['lot1', 'lot2'], 1000);
    expect(book.leaderOf('lot1')).toBeUndefined();
    Object.assign(book.newBid('b1', 'lot1', 1100), { outcome: 'accepted', seq: 2 });
    Object.assign(book.newBid('b2', 'lot1', 1200), { outcome: 'accepted', seq: 1 });
    Object.assign(book.newBid('b3', 'lot1', 1300), { outcome: 'refused', seq: 3 });
    Object.assign(book.newBid('b4', 'lot2', 1300), { outcome: 'accepted', seq: 5 });
    expect(book.leaderOf('lot1')).toBe('b1');
    expect(book.leaderOf('lot2')).toBe('b4');
    expect(book.accepted()).toBe(3);
  });

  it('counts the bids answered accepted in the second before a moment', () => {
    const book = new BidBook('r1', ['lot1'], 1000);
    Object.assign(book.newBid('b1', 'lot1', 1100), { outcome: 'accepted', answeredAt: 8_999 });
    Object.assign(book.newBid('b1', 'lot1', 1200), { outcome: 'accepted', answeredAt: 9_500 });
    Object.assign(book.newBid('b1', 'lot1', 1300), { outcome: 'refused', answeredAt: 9_600 });
    book.newBid('b1', 'lot1', 1400); // still pending
    expect(book.acceptedInSecondBefore(10_000)).toBe(1);
  });
});
