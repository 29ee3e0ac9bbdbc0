import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config.ts';
import { BidderMasks } from './masks.ts';

/** What the masks used to be: an unkeyed hash anyone could recompute from a guessed bidder id. */
const unkeyed = (saleId: string, bidderId: string): string =>
  `Bidder ${createHash('sha256').update(`${saleId}\u0000${bidderId}`).digest('hex').slice(0, 6).toUpperCase()}`;

const KEY = 'mask-key-for-this-test-0123456789abcdef';
const bidders = Array.from({ length: 200 }, (_, i) => `bidder-${i}`);

describe('bidder masks (keyed)', () => {
  it('is not the unkeyed hash of sale and bidder ids: "Bidder 940D74" is no longer bidder-bob', () => {
    expect(unkeyed('autumn-timed', 'bidder-bob')).toBe('Bidder 940D74');
    const masks = new BidderMasks(KEY);
    expect(masks.bidder('autumn-timed', 'bidder-bob')).toMatch(/^Bidder [0-9A-F]{6}$/);
    for (const b of bidders) expect(masks.bidder('autumn-timed', b)).not.toBe(unkeyed('autumn-timed', b));
  });

  it('differs with a different key', () => {
    const a = new BidderMasks(KEY);
    const b = new BidderMasks(`${KEY}-other`);
    const same = bidders.filter((id) => a.bidder('sale-1', id) === b.bidder('sale-1', id));
    // 24 bits each: a coincidence among 200 is about 1 in 80,000.
    expect(same.length).toBeLessThanOrEqual(1);
  });

  it('is stable per sale — the same key gives the same mask in any process — and differs between sales', () => {
    const one = new BidderMasks(KEY);
    const another = new BidderMasks(KEY);
    for (const b of bidders) expect(another.bidder('sale-1', b)).toBe(one.bidder('sale-1', b));
    expect(one.bidder('sale-1', 'bidder-7')).toBe(one.bidder('sale-1', 'bidder-7'));
    const moved = bidders.filter((b) => one.bidder('sale-1', b) !== one.bidder('sale-2', b));
    expect(moved.length).toBeGreaterThanOrEqual(bidders.length - 1);
  });

  it('keeps paddles as the room sees them, and no bidder as null', () => {
    const masks = new BidderMasks(KEY);
    expect(masks.leader('sale-1', 'paddle:112', 'floor')).toBe('Paddle 112');
    expect(masks.leader('sale-1', 'bidder-7', 'bid')).toBe(masks.bidder('sale-1', 'bidder-7'));
    expect(masks.leader('sale-1', undefined, undefined)).toBeNull();
  });

  it('refuses a key under 32 bytes', () => {
    expect(() => new BidderMasks('short')).toThrow(ConfigError);
    expect(() => new BidderMasks('k'.repeat(31))).toThrow(/at least 32 bytes/);
  });
});
