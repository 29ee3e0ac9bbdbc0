import { describe, expect, it } from 'vitest';
import { acceptedByKey, auctionKeys, auctionRegistryKey, decisionStreamKeyParts } from './keys.ts';

describe('engine keys', () => {
  it('keep an auction in one cluster slot', () => {
    const k = auctionKeys('gavel', 'a1');
    const all = [
      k.state,
      k.eligibility,
      k.idempotency,
      k.decisions,
      k.accepted,
      acceptedByKey('gavel', 'a1', 'b1'),
    ];
    for (const key of all) expect(key).toMatch(/^gavel:\{auction:a1\}:/);
    expect(auctionRegistryKey('gavel')).toBe('gavel:auctions');
  });

  it('build the decision stream key from the parts the keyspace walk matches', () => {
    const { head, tail } = decisionStreamKeyParts('p:x');
    expect(head + 'lot-7' + tail).toBe(auctionKeys('p:x', 'lot-7').decisions);
    expect(auctionKeys('p:x', 'lot-7').decisions).toBe('p:x:{auction:lot-7}:decisions');
  });
});
