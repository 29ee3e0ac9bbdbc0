/**
 * Writes what the back office decides into the bidding engine's state: each lot's set-up, and who
 * may bid on it up to what (eligibility is computed here, from PostgreSQL, and only enforced there).
 * Called after the change that causes it has committed, so the very next bid sees it; a periodic
 * reconcile repairs the engine if a write was lost (engine down, process killed in between).
 */
import type { BiddingStore } from '../../bidding/back-office.ts';
import type { AuctionStatus } from '../../common/contracts/index.ts';
import type { BidderDirectory } from '../../common/directory.ts';
import type { Logger } from '../../common/logger.ts';
import type { Database, Queryable } from '../ledger/db.ts';
import {
  bidderFrom,
  linkedPurchases,
  loadLots,
  loadSale,
  registrationFrom,
  setupOf,
  type Lot,
  type Sale,
} from '../ledger/records.ts';
import { PUBLISHED_SALE_STATUSES, RUNNING_SALE_STATUSES, saleIsPublished } from '../rules/sale-status.ts';
import { eligibility, type Eligibility } from '../rules/trade.ts';

/** The engine operations the back office uses (a RedisBiddingStore on the engine's Redis, or the in-process store). */
export type EnginePort = Pick<BiddingStore, 'configure' | 'setStatus' | 'setEligibility' | 'snapshot'>;

export interface BidderEligibility extends Eligibility {
  bidderId: string;
  /** Lots this bidder may not bid on whatever their limit (they consigned them). */
  excludedLots: string[];
}

export class EngineSync {
  private readonly db: Database;
  private readonly engine: EnginePort;
  private readonly logger: Logger;
  private readonly directory: BidderDirectory | undefined;
  /** `directory`: where bidders' phone numbers are published for the SMS/WhatsApp ingress. */
  constructor(db: Database, engine: EnginePort, logger: Logger, directory?: BidderDirectory) {
    this.db = db;
    this.engine = engine;
    this.logger = logger;
    this.directory = directory;
  }

  /** Eligibility of every registered bidder of a sale (or one bidder), as the rules compute it now. */
  async compute(q: Queryable, sale: Sale, lots: Lot[], bidderId?: string): Promise<BidderEligibility[]> {
    const rows = await q.query(
      `SELECT r.*, b.id AS b_id, b.email, b.phone_e164, b.display_name, b.country, b.kyc_status,
              b.blocked, b.blocked_reason, b.cdd_status
         FROM registrations r JOIN bidders b ON b.id = r.bidder_id
        WHERE r.sale_id = $1 AND ($2::text IS NULL OR r.bidder_id = $2)`,
      [sale.id, bidderId ?? null],
    );
    const out: BidderEligibility[] = [];
    for (const row of rows) {
      const reg = registrationFrom(row);
      const bidder = bidderFrom({ ...row, id: row.b_id });
      const e = eligibility({
        registration: {
          status: reg.status,
          limit: reg.limit ?? null,
          termsVersion: reg.termsVersion ?? null,
        },
        bidder: { blocked: bidder.blocked, kycStatus: bidder.kycStatus, cddVerified: bidder.cddVerified },
        sale: {
          termsVersion: sale.termsVersion,
          kycFreeLimit: sale.kycFreeLimit,
          cddThreshold: sale.cddThreshold,
        },
        linkedPurchases: await linkedPurchases(q, sale.id, reg.bidderId),
      });
      out.push({
        ...e,
        bidderId: reg.bidderId,
        excludedLots: lots.filter((l) => l.consignorId === reg.bidderId).map((l) => l.id),
      });
    }
    return out;
  }

  /**
   * Rebuilds a lot the engine does not have from the ledger (recovery). Without one, a missing lot
   * is configured fresh — right for a lot that never traded, wrong after a loss of Redis state.
   */
  restorer: ((lot: Lot, sale: Sale) => Promise<unknown>) | undefined;

  /**
   * Puts the sale's lots into the engine: lots it does not have are created (or restored from the
   * ledger). With `update` (after an admin edit) the set-up of lots it has is rewritten too — except
   * a live lot on the block, whose asking price and status belong to the auctioneer now.
   */
  async configureSale(saleId: string, opts: { update?: boolean } = {}): Promise<void> {
    const sale = await loadSale(this.db, saleId);
    if (sale === undefined || !saleIsPublished(sale.status)) return;
    for (const lot of await loadLots(this.db, saleId)) {
      if (lot.finalisedAt !== undefined) continue;
      await this.ensureLot(lot, sale, opts.update === true);
    }
  }

  /**
   * One lot into the engine: restored from the ledger when the engine lost it; left alone when the
   * engine has it, unless `update` — the engine's status, asking price and end move with bids and
   * floor actions, so rewriting a lot it has is only for an admin's edit, with the status it has.
   */
  async ensureLot(lot: Lot, sale: Sale, update = false): Promise<void> {
    const current = await this.engine.snapshot(lot.id);
    if (current === undefined) {
      if (this.restorer !== undefined) await this.restorer(lot, sale);
      else await this.engine.configure(setupOf(lot, sale, initialStatus(lot)));
      return;
    }
    if (!update) return;
    if (sale.mode === 'live' && current.status !== 'scheduled') return;
    await this.engine.configure(setupOf(lot, sale, current.status));
  }

  /** Writes the eligibility of the sale's bidders (or one of them) into the engine; returns it. */
  async syncEligibility(saleId: string, bidderId?: string): Promise<BidderEligibility[]> {
    const sale = await loadSale(this.db, saleId);
    if (sale === undefined) return [];
    const lots = await loadLots(this.db, saleId);
    const table = await this.compute(this.db, sale, lots, bidderId);
    if (!saleIsPublished(sale.status)) return table;
    for (const lot of lots) {
      if (lot.finalisedAt !== undefined) continue;
      for (const e of table) {
        const limit = e.limit > 0 && !e.excludedLots.includes(lot.id) ? e.limit : undefined;
        await this.engine.setEligibility(lot.id, e.bidderId, limit);
      }
    }
    return table;
  }

  /** A bidder's change (contact, block, KYC, due diligence) reaches the directory and every open or scheduled sale they registered for. */
  async syncBidder(bidderId: string): Promise<void> {
    if (this.directory !== undefined) {
      const [b] = await this.db.query<{ phone_e164: string | null }>(
        'SELECT phone_e164 FROM bidders WHERE id = $1',
        [bidderId],
      );
      if (b !== undefined) await this.directory.setPhone(bidderId, b.phone_e164 ?? undefined);
    }
    const rows = await this.db.query<{ sale_id: string }>(
      `SELECT r.sale_id FROM registrations r JOIN sales s ON s.id = r.sale_id
        WHERE r.bidder_id = $1 AND s.status = ANY($2)`,
      [bidderId, PUBLISHED_SALE_STATUSES],
    );
    for (const r of rows) await this.syncEligibility(r.sale_id, bidderId);
  }

  /** Re-applies set-up and eligibility of every live sale, and the directory: repairs an engine that missed a write. */
  async reconcile(): Promise<number> {
    if (this.directory !== undefined) {
      try {
        const phones = await this.db.query<{ id: string; phone_e164: string | null }>(
          'SELECT id, phone_e164 FROM bidders ORDER BY id',
        );
        for (const b of phones) await this.directory.setPhone(b.id, b.phone_e164 ?? undefined);
      } catch (err) {
        this.logger.warn({ err }, 'reconcile: the bidder directory could not be updated; retrying later');
      }
    }
    const rows = await this.db.query<{ id: string }>(
      'SELECT id FROM sales WHERE status = ANY($1) ORDER BY starts_at',
      [RUNNING_SALE_STATUSES],
    );
    for (const r of rows) {
      try {
        await this.configureSale(r.id);
        await this.syncEligibility(r.id);
      } catch (err) {
        this.logger.warn({ err, saleId: r.id }, 'reconcile: the engine could not be updated; retrying later');
      }
    }
    return rows.length;
  }
}

/** Before the engine has a lot: timed lots are scheduled until the scheduler opens them; so are live ones (the auctioneer opens those). */
function initialStatus(lot: Lot): AuctionStatus {
  return lot.status === 'cancelled' || lot.status === 'withdrawn' ? lot.status : 'scheduled';
}
