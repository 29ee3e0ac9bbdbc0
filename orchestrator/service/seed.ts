/**
 * Seeds sales, lots, bidders and approved registrations straight into the back office, then lets
 * the engine sync put them into the engine: the embedded default's demo sale, and fixtures. Each
 * seeded sale is `scheduled`; the lifecycle opens it at its start like any other sale.
 */
import type { AuctionSetup } from '../../bidding/back-office.ts';
import type { Database } from '../ledger/db.ts';
import type { EngineSync } from '../lifecycle/engine-sync.ts';
import { audit } from '../ledger/records.ts';

export interface SeedLot {
  /** The engine's set-up: id, times, increments, opening, reserve, soft close. */
  setup: AuctionSetup;
  lotNumber: number;
  title: string;
  description: string;
  imageUrl?: string | undefined;
  estimateLow?: number | undefined;
  estimateHigh?: number | undefined;
}

export interface SeedSale {
  id: string;
  title: string;
  mode: 'timed' | 'live';
  currency: string;
  startsAt: number;
  endsAt?: number | undefined;
  /** Bidders whose identity is not verified may bid up to this (minor units); default 0: KYC first. */
  kycFreeLimit?: number | undefined;
  lots: SeedLot[];
}

export interface SeedBidder {
  id: string;
  name: string;
  /** Approval limit in every seeded sale (minor units). */
  limit: number;
  /** E.164 mobile number (bids by SMS and WhatsApp come from it). */
  phone?: string;
}

/**
 * Writes the sales (scheduled), their lots, the bidders (KYC and due diligence on record) and an
 * approved online registration of every bidder in every sale; then configures the engine and
 * writes eligibility. Audited as `seed`.
 */
export async function seedBackOffice(
  db: Database,
  sync: EngineSync,
  seed: { sales: SeedSale[]; bidders: SeedBidder[] },
): Promise<void> {
  await db.transaction(async (tx) => {
    for (const b of seed.bidders) {
      await tx.query(
        `INSERT INTO bidders (id, display_name, phone_e164, kyc_status, kyc_checked_at, cdd_status, cdd_checked_at)
         VALUES ($1, $2, $3, 'verified', now(), 'verified', now())`,
        [b.id, b.name, b.phone ?? null],
      );
    }
    for (const s of seed.sales) {
      await tx.query(
        `INSERT INTO sales (id, title, mode, currency, status, starts_at, ends_at, kyc_free_limit_minor)
         VALUES ($1, $2, $3, $4, 'scheduled', $5, $6, $7)`,
        [
          s.id,
          s.title,
          s.mode,
          s.currency,
          new Date(s.startsAt),
          s.endsAt === undefined ? null : new Date(s.endsAt),
          s.kycFreeLimit ?? 0,
        ],
      );
      for (const l of s.lots) {
        const a = l.setup;
        await tx.query(
          `INSERT INTO lots (id, sale_id, lot_number, title, description, currency, opening_minor, reserve_minor,
                             estimate_low_minor, estimate_high_minor, increments, starts_at, ends_at, grace_ms,
                             soft_close_ms, soft_close_cap_ms, image_url)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
          [
            a.id,
            s.id,
            l.lotNumber,
            l.title,
            l.description,
            a.currency,
            a.opening,
            a.reserve,
            l.estimateLow ?? null,
            l.estimateHigh ?? null,
            JSON.stringify(a.increments),
            new Date(a.startsAt),
            s.mode === 'timed' ? new Date(a.endsAt) : null,
            a.graceMs,
            a.softCloseMs,
            a.softCloseCapMs,
            l.imageUrl ?? null,
          ],
        );
      }
      for (const [i, b] of seed.bidders.entries()) {
        await tx.query(
          `INSERT INTO registrations (sale_id, bidder_id, paddle, status, limit_minor, currency, channel, invited_at, approved_at)
           VALUES ($1, $2, $3, 'approved', $4, $5, 'online', now(), now())`,
          [s.id, b.id, String(1000 + i), b.limit, s.currency],
        );
      }
      await audit(tx, { actor: 'seed', action: 'sale.seed', entityType: 'sale', entityId: s.id });
    }
  });
  for (const s of seed.sales) {
    await sync.configureSale(s.id);
    await sync.syncEligibility(s.id);
  }
  for (const b of seed.bidders) if (b.phone !== undefined) await sync.syncBidder(b.id);
}
