/**
 * The trade's rules as pure functions: buyer's premium and tax on the invoice, who may bid and up to
 * what (registration, terms, KYC, customer due diligence with linked purchases, blocks, consignors),
 * and paddle numbers. Money is integer minor units; products are computed in BigInt so that
 * 9,999,999,999,999 × 10,000 basis points cannot lose precision.
 */

/** One marginal band of the buyer's premium: `rateBp` applies to the part of the hammer up to `upTo`. */
export interface PremiumBand {
  /** Upper bound of the band in minor units (inclusive); null for the last, open-ended band. */
  upTo: number | null;
  /** Basis points: 2500 = 25 %. */
  rateBp: number;
}

/** Why a set of premium bands is unusable, or undefined when it is fine. */
export function premiumBandsError(bands: readonly PremiumBand[]): string | undefined {
  if (bands.length === 0) return 'at least one band is needed';
  let previous = 0;
  for (const [i, b] of bands.entries()) {
    if (!Number.isInteger(b.rateBp) || b.rateBp < 0 || b.rateBp > 10_000)
      return `band ${i + 1}: rateBp must be an integer from 0 to 10000`;
    const last = i === bands.length - 1;
    if (last !== (b.upTo === null)) return 'only the last band is open-ended (upTo null)';
    if (b.upTo !== null) {
      if (!Number.isSafeInteger(b.upTo) || b.upTo <= previous)
        return `band ${i + 1}: upTo must be an integer above ${previous}`;
      previous = b.upTo;
    }
  }
  return undefined;
}

/** `n / d` rounded half up, for non-negative n and positive d. */
function divRoundHalfUp(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (2n * d);
}

/**
 * The buyer's premium on a hammer price: each band's rate on the part of the hammer inside it
 * (e.g. 25 % up to 500,000.00 and 20 % above), summed exactly and rounded half up once.
 */
export function buyersPremium(hammer: number, bands: readonly PremiumBand[]): number {
  const err = premiumBandsError(bands);
  if (err !== undefined) throw new RangeError(`premium bands: ${err}`);
  if (!Number.isSafeInteger(hammer) || hammer < 0)
    throw new RangeError('hammer must be a non-negative integer');
  let lower = 0;
  let sum = 0n;
  for (const b of bands) {
    const upper = b.upTo === null ? hammer : Math.min(hammer, b.upTo);
    if (upper > lower) sum += BigInt(upper - lower) * BigInt(b.rateBp);
    if (b.upTo === null || hammer <= b.upTo) break;
    lower = b.upTo;
  }
  return Number(divRoundHalfUp(sum, 10_000n));
}

export type TaxBase = 'premium' | 'hammer_and_premium';

export interface Invoice {
  hammer: number;
  premium: number;
  tax: number;
  total: number;
}

/** The buyer's invoice for a lot: hammer, premium, tax on the premium (or on both), total. */
export function invoiceFor(
  hammer: number,
  bands: readonly PremiumBand[],
  taxRateBp: number,
  taxBase: TaxBase,
): Invoice {
  if (!Number.isInteger(taxRateBp) || taxRateBp < 0 || taxRateBp > 10_000)
    throw new RangeError('taxRateBp must be an integer from 0 to 10000');
  const premium = buyersPremium(hammer, bands);
  const base = taxBase === 'premium' ? premium : hammer + premium;
  const tax = Number(divRoundHalfUp(BigInt(base) * BigInt(taxRateBp), 10_000n));
  return { hammer, premium, tax, total: hammer + premium + tax };
}

/** Everything the eligibility rule looks at for one bidder in one sale. */
export interface EligibilityFacts {
  registration:
    | {
        status: 'pending' | 'approved' | 'declined' | 'revoked';
        limit: number | null;
        termsVersion: number | null;
      }
    | undefined;
  bidder: {
    blocked: boolean;
    kycStatus: 'pending' | 'verified' | 'rejected' | 'expired';
    cddVerified: boolean;
  };
  sale: {
    termsVersion: number;
    kycFreeLimit: number;
    cddThreshold: number;
  };
  /** Hammer prices of the lots this bidder has already bought in the sale (linked purchases). */
  linkedPurchases: number;
}

export const INELIGIBLE_REASONS = [
  'NOT_REGISTERED',
  'NOT_APPROVED',
  'TERMS_NOT_ACCEPTED',
  'BLOCKED',
  'NO_LIMIT',
  'KYC_REQUIRED',
  'CDD_REQUIRED',
] as const;
export type IneligibleReason = (typeof INELIGIBLE_REASONS)[number];

export interface Eligibility {
  /** The approval limit the engine enforces (minor units); 0 = may not bid. */
  limit: number;
  /** Why the bidder may not bid, or why the limit is below the approved one. */
  reasons: IneligibleReason[];
}

/**
 * Who may bid in a sale and up to what: registered and approved, terms of the current version
 * accepted, not blocked, with an approved limit — capped at the sale's KYC-free limit until KYC is
 * verified, and, without customer due diligence, kept below the CDD threshold counting what the
 * bidder has already bought in the sale.
 */
export function eligibility(f: EligibilityFacts): Eligibility {
  const r = f.registration;
  if (r === undefined) return { limit: 0, reasons: ['NOT_REGISTERED'] };
  const reasons: IneligibleReason[] = [];
  if (r.status !== 'approved') reasons.push('NOT_APPROVED');
  if (f.sale.termsVersion > 0 && (r.termsVersion ?? 0) < f.sale.termsVersion)
    reasons.push('TERMS_NOT_ACCEPTED');
  if (f.bidder.blocked) reasons.push('BLOCKED');
  if (r.limit === null || r.limit <= 0) reasons.push('NO_LIMIT');
  if (reasons.length > 0) return { limit: 0, reasons };
  let limit = r.limit ?? 0;
  if (f.bidder.kycStatus !== 'verified' && limit > f.sale.kycFreeLimit) {
    limit = f.sale.kycFreeLimit;
    reasons.push('KYC_REQUIRED');
  }
  if (!f.bidder.cddVerified) {
    // Spend in the sale (this lot's bid plus linked purchases) must stay below the threshold.
    const room = Math.max(0, f.sale.cddThreshold - 1 - f.linkedPurchases);
    if (limit > room) {
      limit = room;
      reasons.push('CDD_REQUIRED');
    }
  }
  return { limit, reasons };
}

/**
 * Refuses an approval limit that would let a bidder without due diligence reach the CDD threshold
 * (the limit plus what they already bought in the sale). Returns the problem, or undefined.
 */
export function limitChangeError(
  limit: number,
  linkedPurchases: number,
  cddVerified: boolean,
  cddThreshold: number,
): string | undefined {
  if (cddVerified || limit + linkedPurchases < cddThreshold) return undefined;
  return `a limit of ${limit} with ${linkedPurchases} already bought reaches the due-diligence threshold of ${cddThreshold}: record customer due diligence for this bidder first`;
}

/** The lowest free paddle number in [from, to], or undefined when the range is full. */
export function nextPaddle(used: ReadonlySet<number>, from: number, to: number): number | undefined {
  for (let p = from; p <= to; p++) if (!used.has(p)) return p;
  return undefined;
}
