import { createHash } from 'node:crypto';
import { formatAmount } from '../common/money.ts';
import type { AuctionSnapshot, AuctionStatus, BidDecision } from './types.ts';

/** What everyone may see of an auction: never a maximum, never the reserve amount, the leader masked. */
export interface PublicAuctionView {
  auctionId: string;
  saleId: string;
  mode: 'timed' | 'live';
  status: AuctionStatus;
  currency: string;
  price: string;
  bidCount: number;
  leader: string | null;
  /** Next acceptable amount (timed: price + increment or the opening; live: the asking price). */
  asking: string;
  endsAt: string | null;
  reserveMet: boolean;
  /** The decision sequence number this view reflects; clients ignore updates at or below the seq they hold. */
  seq: number;
}

/** A stable pseudonym per sale: the same bidder shows as the same mask on every lot of a sale. */
export function maskBidder(saleId: string, bidderId: string | undefined): string | null {
  if (bidderId === undefined) return null;
  const h = createHash('sha256').update(`${saleId}\u0000${bidderId}`).digest('hex').slice(0, 4).toUpperCase();
  return `Bidder ${h}`;
}

export function viewFromSnapshot(s: AuctionSnapshot): PublicAuctionView {
  return {
    auctionId: s.id,
    saleId: s.saleId,
    mode: s.mode,
    status: s.status,
    currency: s.currency,
    price: formatAmount(s.price, s.currency),
    bidCount: s.bidCount,
    leader: maskBidder(s.saleId, s.leaderId),
    asking: formatAmount(s.nextMinimum, s.currency),
    endsAt: s.mode === 'timed' ? new Date(s.endsAt).toISOString() : null,
    reserveMet: s.reserveMet,
    seq: s.lastSeq,
  };
}

export interface AuctionMeta {
  saleId: string;
  currency: string;
  mode: 'timed' | 'live';
}

/** The public view right after a price-changing decision. */
export function viewFromDecision(d: BidDecision, meta: AuctionMeta): PublicAuctionView {
  return {
    auctionId: d.auctionId,
    saleId: meta.saleId,
    mode: meta.mode,
    status: 'open',
    currency: meta.currency,
    price: formatAmount(d.price, meta.currency),
    bidCount: d.bidCount,
    leader: maskBidder(meta.saleId, d.leaderId),
    asking: formatAmount(d.asking, meta.currency),
    endsAt: meta.mode === 'timed' ? new Date(d.endsAt).toISOString() : null,
    reserveMet: d.reserveMet,
    seq: d.seq,
  };
}
