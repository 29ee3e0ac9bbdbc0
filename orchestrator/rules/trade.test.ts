import { describe, expect, it } from 'vitest';
import {
  buyersPremium,
  eligibility,
  invoiceFor,
  limitChangeError,
  nextPaddle,
  premiumBandsError,
  type EligibilityFacts,
  type PremiumBand,
} from './trade.ts';
import { prng } from '../../test/support/random.ts';

// 25 % up to 500,000.00, 20 % to 3,000,000.00, 15 % above (minor units, EUR).
const TIERS: PremiumBand[] = [
  { upTo: 50_000_000, rateBp: 2500 },
  { upTo: 300_000_000, rateBp: 2000 },
  { upTo: null, rateBp: 1500 },
];

describe("buyer's premium", () => {
  it('charges each band its own rate on the part of the hammer inside it', () => {
    expect(buyersPremium(10_000_000, TIERS)).toBe(2_500_000);
    expect(buyersPremium(50_000_000, TIERS)).toBe(12_500_000);
    // 500,000 × 25 % + 100,000 × 20 %
    expect(buyersPremium(60_000_000, TIERS)).toBe(12_500_000 + 2_000_000);
    // 125,000 + 500,000 + 1,000,000 × 15 %
    expect(buyersPremium(400_000_000, TIERS)).toBe(12_500_000 + 50_000_000 + 15_000_000);
    expect(buyersPremium(0, TIERS)).toBe(0);
  });

  it('rounds half up once, on the exact sum', () => {
    // 1 × 25 % = 0.25 → 0; 2 × 25 % = 0.5 → 1; 3 × 25 % = 0.75 → 1
    expect([1, 2, 3].map((h) => buyersPremium(h, TIERS))).toEqual([0, 1, 1]);
    // 50,000,001 straddles a band: 12,500,000 + 0.2 → 12,500,000
    expect(buyersPremium(50_000_001, TIERS)).toBe(12_500_000);
  });

  it('stays exact at the largest amount Gavel accepts', () => {
    const max = 9_999_999_999_999;
    const flat: PremiumBand[] = [{ upTo: null, rateBp: 2500 }];
    // 9,999,999,999,999 / 4 = 2,499,999,999,999.75 → 2,499,999,999,999,99… rounds to …000
    expect(buyersPremium(max, flat)).toBe(2_500_000_000_000);
  });

  it('agrees with a per-band float-free reference on random hammers', () => {
    const rnd = prng(7);
    for (let i = 0; i < 2_000; i++) {
      const hammer = rnd.int(0, 1_000_000_000);
      let exact = 0n; // in basis-point units
      let lower = 0;
      for (const b of TIERS) {
        const upper = b.upTo === null ? hammer : Math.min(b.upTo, hammer);
        if (upper > lower) exact += BigInt(upper - lower) * BigInt(b.rateBp);
        lower = Math.max(lower, upper);
      }
      const floor = exact / 10_000n;
      const rem = exact % 10_000n;
      expect(buyersPremium(hammer, TIERS)).toBe(Number(rem >= 5_000n ? floor + 1n : floor));
    }
  });

  it('refuses unusable bands', () => {
    expect(premiumBandsError([])).toMatch(/at least one/);
    expect(premiumBandsError([{ upTo: 100, rateBp: 2500 }])).toMatch(/open-ended/);
    expect(
      premiumBandsError([
        { upTo: 100, rateBp: 2500 },
        { upTo: 50, rateBp: 2000 },
        { upTo: null, rateBp: 1000 },
      ]),
    ).toMatch(/band 2/);
    expect(premiumBandsError([{ upTo: null, rateBp: 10_001 }])).toMatch(/rateBp/);
    expect(premiumBandsError(TIERS)).toBeUndefined();
    expect(() => buyersPremium(100, [])).toThrow(RangeError);
  });
});

describe('invoice', () => {
  it('taxes the premium (margin scheme) or hammer and premium', () => {
    const flat: PremiumBand[] = [{ upTo: null, rateBp: 2500 }];
    expect(invoiceFor(1_000_000, flat, 2000, 'premium')).toEqual({
      hammer: 1_000_000,
      premium: 250_000,
      tax: 50_000,
      total: 1_300_000,
    });
    expect(invoiceFor(1_000_000, flat, 2000, 'hammer_and_premium')).toEqual({
      hammer: 1_000_000,
      premium: 250_000,
      tax: 250_000,
      total: 1_500_000,
    });
    expect(() => invoiceFor(1, flat, -1, 'premium')).toThrow(RangeError);
  });
});

describe('eligibility', () => {
  const base: EligibilityFacts = {
    registration: { status: 'approved', limit: 5_000_000, termsVersion: 2 },
    bidder: { blocked: false, kycStatus: 'verified', cddVerified: true },
    sale: { termsVersion: 2, kycFreeLimit: 0, cddThreshold: 1_000_000 },
    linkedPurchases: 0,
  };
  const with_ = (patch: {
    registration?: Partial<NonNullable<EligibilityFacts['registration']>>;
    bidder?: Partial<EligibilityFacts['bidder']>;
    sale?: Partial<EligibilityFacts['sale']>;
    linkedPurchases?: number;
  }): EligibilityFacts => ({
    registration: { ...base.registration!, ...patch.registration },
    bidder: { ...base.bidder, ...patch.bidder },
    sale: { ...base.sale, ...patch.sale },
    linkedPurchases: patch.linkedPurchases ?? 0,
  });

  it('grants the approved limit when every rule is met', () => {
    expect(eligibility(base)).toEqual({ limit: 5_000_000, reasons: [] });
  });

  it('refuses unregistered, unapproved, blocked, terms not accepted (or an older version), no limit', () => {
    expect(eligibility({ ...base, registration: undefined })).toEqual({
      limit: 0,
      reasons: ['NOT_REGISTERED'],
    });
    expect(eligibility(with_({ registration: { status: 'pending' } })).reasons).toEqual(['NOT_APPROVED']);
    expect(eligibility(with_({ registration: { status: 'revoked' } })).limit).toBe(0);
    expect(eligibility(with_({ bidder: { blocked: true } })).reasons).toEqual(['BLOCKED']);
    expect(eligibility(with_({ registration: { termsVersion: 1 } })).reasons).toEqual(['TERMS_NOT_ACCEPTED']);
    expect(eligibility(with_({ registration: { termsVersion: null } })).reasons).toEqual([
      'TERMS_NOT_ACCEPTED',
    ]);
    expect(
      eligibility(with_({ registration: { termsVersion: null }, sale: { termsVersion: 0 } })).limit,
    ).toBe(5_000_000);
    expect(eligibility(with_({ registration: { limit: null } })).reasons).toEqual(['NO_LIMIT']);
  });

  it('caps the limit at the KYC-free limit until KYC is verified (0 = may not bid)', () => {
    expect(eligibility(with_({ bidder: { kycStatus: 'pending' } }))).toEqual({
      limit: 0,
      reasons: ['KYC_REQUIRED'],
    });
    expect(
      eligibility(with_({ bidder: { kycStatus: 'rejected' }, sale: { kycFreeLimit: 200_000 } })),
    ).toEqual({
      limit: 200_000,
      reasons: ['KYC_REQUIRED'],
    });
  });

  it('keeps spend below the CDD threshold without due diligence, counting linked purchases', () => {
    expect(eligibility(with_({ bidder: { cddVerified: false } }))).toEqual({
      limit: 999_999,
      reasons: ['CDD_REQUIRED'],
    });
    expect(eligibility(with_({ bidder: { cddVerified: false }, linkedPurchases: 600_000 })).limit).toBe(
      399_999,
    );
    expect(eligibility(with_({ bidder: { cddVerified: false }, linkedPurchases: 2_000_000 })).limit).toBe(0);
    expect(
      eligibility(
        with_({ bidder: { cddVerified: false }, registration: { limit: 300_000 }, linkedPurchases: 600_000 }),
      ),
    ).toEqual({ limit: 300_000, reasons: [] });
  });

  it('refuses a limit change that reaches the CDD threshold without due diligence', () => {
    expect(limitChangeError(999_999, 0, false, 1_000_000)).toBeUndefined();
    expect(limitChangeError(1_000_000, 0, false, 1_000_000)).toMatch(/due diligence/);
    expect(limitChangeError(500_000, 500_000, false, 1_000_000)).toMatch(/already bought/);
    expect(limitChangeError(50_000_000, 500_000, true, 1_000_000)).toBeUndefined();
  });
});

describe('paddles', () => {
  it('gives the lowest free number of the range', () => {
    expect(nextPaddle(new Set(), 1, 999)).toBe(1);
    expect(nextPaddle(new Set([1, 2, 4]), 1, 999)).toBe(3);
    expect(nextPaddle(new Set([1000]), 1000, 1001)).toBe(1001);
    expect(nextPaddle(new Set([1000, 1001]), 1000, 1001)).toBeUndefined();
  });
});
