import type { LeaderKind } from '../../common/contracts/lot.ts';
import { createHmac } from 'node:crypto';
import { ConfigError, shortSecretProblem } from '../../common/config.ts';

/** A mask key needs as many bytes as HMAC-SHA256's output: anything shorter is easier to guess than the hash. */
export const MIN_MASK_KEY_BYTES = 32;

/**
 * The public pseudonyms of bidders: `Bidder ` + the first 6 hex digits of HMAC-SHA256(key, saleId NUL
 * bidderId) — stable per sale (the same bidder is the same mask on every lot of a sale, a different
 * one in the next sale), and without the key nobody can tell whose mask it is, even knowing every
 * bidder id. Every process that shows masks (engine, gateway, back office) holds the same key.
 */
export class BidderMasks {
  private readonly key: Buffer;
  /** Masks already computed: a hot lot's leader is masked on every update. Bounded; cleared when full. */
  private readonly cache = new Map<string, string>();

  constructor(key: string) {
    const problem = shortSecretProblem(key, MIN_MASK_KEY_BYTES);
    if (problem !== undefined) throw new ConfigError(`the bidder-mask key is too short: ${problem}`);
    this.key = Buffer.from(key, 'utf8');
  }

  /** The bidder's mask on this sale; null for no bidder. */
  bidder(saleId: string, bidderId: string | undefined): string | null {
    if (bidderId === undefined) return null;
    const input = `${saleId}\u0000${bidderId}`;
    let mask = this.cache.get(input);
    if (mask === undefined) {
      const h = createHmac('sha256', this.key).update(input).digest('hex').slice(0, 6).toUpperCase();
      mask = `Bidder ${h}`;
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(input, mask);
    }
    return mask;
  }

  /** The leader as the public sees them: the room already sees paddle numbers, so those stay; bidders are masked. */
  leader(saleId: string, leaderId: string | undefined, kind: LeaderKind | undefined): string | null {
    const paddle = paddleOf(leaderId, kind);
    return paddle === undefined ? this.bidder(saleId, leaderId) : `Paddle ${paddle}`;
  }
}

const PADDLE_PREFIX = 'paddle:';

/** The paddle number when `leaderId` is a floor bidder (`paddle:<n>`), else undefined. */
export function paddleOf(leaderId: string | undefined, kind: LeaderKind | undefined): string | undefined {
  if (kind !== 'floor' || leaderId === undefined || !leaderId.startsWith(PADDLE_PREFIX)) return undefined;
  return leaderId.slice(PADDLE_PREFIX.length);
}
