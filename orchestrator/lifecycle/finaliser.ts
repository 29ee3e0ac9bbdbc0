/**
 * The finaliser: decides a finished lot from the ledger once the ledger holds everything the
 * engine decided — outcome (reserve), the winner written once with the invoice (tiered buyer's
 * premium and tax), and outbox events for the winner, the underbidders and the room; a timed lot's
 * result also goes out as a public update on its auction and sale topics. Guarded in PostgreSQL
 * (`finalised_at IS NULL` under the lot's row lock, unique keys, outbox dedupe keys).
 */
import { viewFromSnapshot, type AuctionSnapshot, type BidderMasks } from '../../bidding/back-office.ts';
import type {
  LotLostEvent,
  LotResultEvent,
  LotResultUpdate,
  LotWonEvent,
} from '../../common/contracts/index.ts';
import type { Logger } from '../../common/logger.ts';
import { formatAmount } from '../../common/money.ts';
import type { Topics } from '../../common/topics.ts';
import type { Database, Queryable } from '../ledger/db.ts';
import type { BackOfficeMetrics } from '../service/metrics.ts';
import { enqueue, loadLot, optText, text, type Lot, type Sale } from '../ledger/records.ts';
import { invoiceFor } from '../rules/trade.ts';
import { announce, bidderIds } from './announce.ts';
import type { EngineSync, EnginePort } from './engine-sync.ts';

export interface FinaliserOptions {
  db: Database;
  engine: EnginePort;
  sync: EngineSync;
  topics: Topics;
  logger: Logger;
  masks: BidderMasks;
  now: () => number;
  metrics?: BackOfficeMetrics | undefined;
}

export class Finaliser {
  private readonly db: Database;
  private readonly engine: EnginePort;
  private readonly sync: EngineSync;
  private readonly topics: Topics;
  private readonly logger: Logger;
  private readonly masks: BidderMasks;
  private readonly now: () => number;
  private readonly metrics: BackOfficeMetrics | undefined;

  constructor(o: FinaliserOptions) {
    this.db = o.db;
    this.engine = o.engine;
    this.sync = o.sync;
    this.topics = o.topics;
    this.logger = o.logger;
    this.masks = o.masks;
    this.now = o.now;
    this.metrics = o.metrics;
  }

  /**
   * Decides the lot from the ledger once the ledger holds everything the engine decided (its
   * cursor reached the engine's last seq): writes the result, the winner with the invoice, and the
   * outbox events, once, under the lot's row lock.
   */
  async finalise(lot: Lot, sale: Sale, snap: AuctionSnapshot): Promise<boolean> {
    const cursor = await this.db.query<{ last_seq: unknown }>(
      'SELECT last_seq FROM ledger_cursors WHERE auction_id = $1',
      [lot.id],
    );
    const ledgerSeq = Number(cursor[0]?.last_seq ?? 0);
    if (ledgerSeq < snap.lastSeq) return false; // the ledger writer has not caught up yet

    const result = await this.db.transaction(async (tx) => {
      const locked = await loadLot(tx, lot.id, true);
      if (locked === undefined || locked.finalisedAt !== undefined) return undefined;
      // A cancellation whose recomputed standing has not reached the ledger yet: wait for it.
      const pending = await tx.query(
        `SELECT 1 FROM bid_cancellations c WHERE c.auction_id = $1 AND NOT EXISTS (
           SELECT 1 FROM standing_changes s WHERE s.auction_id = c.auction_id AND s.reason = 'bid_cancelled:' || c.seq)`,
        [lot.id],
      );
      if (pending.length > 0) return undefined;
      const standing = await ledgerStanding(tx, lot.id, sale.mode);
      const outcome = outcomeOf(sale.mode, standing, lot.reserve);
      const winnerId = outcome === 'sold' ? await winnerBidderId(tx, sale.id, standing.leaderId) : undefined;
      // Closed when the clock closed it (a timed lot's last change before this one), or at its final floor action.
      const closedAt = sale.mode === 'timed' ? await lastChangedAt(tx, lot.id) : standing.decidedAt;
      await tx.query(
        `INSERT INTO lot_results (lot_id, sale_id, outcome, price_minor, leader_id, last_seq)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (lot_id) DO NOTHING`,
        [lot.id, sale.id, outcome, standing.price, standing.leaderId ?? null, standing.seq],
      );
      await tx.query(`UPDATE lots SET status = $2, finalised_at = now(), updated_at = now() WHERE id = $1`, [
        lot.id,
        outcome,
      ]);
      const base = {
        lotId: lot.id,
        saleId: sale.id,
        lotNumber: lot.lotNumber,
        title: lot.title,
        currency: lot.currency,
      };
      // On every wire money is a decimal string beside its currency.
      const money = (minor: number): string => formatAmount(minor, lot.currency);
      const hammer = outcome === 'sold' ? money(standing.price) : null;
      if (outcome === 'sold' && standing.leaderId !== undefined) {
        const invoice = invoiceFor(
          standing.price,
          lot.premiumBands ?? sale.premiumBands,
          sale.taxRateBp,
          sale.taxBase,
        );
        const paddle = standing.leaderId.startsWith('paddle:') ? standing.leaderId.slice(7) : null;
        await tx.query(
          `INSERT INTO winners (lot_id, sale_id, bidder_id, paddle, hammer_minor, currency, seq, decided_at,
                                premium_minor, tax_minor, total_minor)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (lot_id) DO NOTHING`,
          [
            lot.id,
            sale.id,
            winnerId ?? null,
            paddle,
            invoice.hammer,
            lot.currency,
            standing.seq,
            new Date(standing.decidedAt),
            invoice.premium,
            invoice.tax,
            invoice.total,
          ],
        );
        if (winnerId !== undefined)
          await enqueue(tx, {
            topic: this.topics.bidder(winnerId),
            type: 'lot.won',
            payload: {
              ...base,
              bidderId: winnerId,
              hammer: money(invoice.hammer),
              premium: money(invoice.premium),
              tax: money(invoice.tax),
              total: money(invoice.total),
            } satisfies LotWonEvent,
            dedupeKey: `lot:${lot.id}:won`,
            correlationId: standing.correlationId,
          });
      }
      for (const bidderId of await bidderIds(tx, lot.id)) {
        if (bidderId === winnerId) continue;
        await enqueue(tx, {
          topic: this.topics.bidder(bidderId),
          type: 'lot.lost',
          payload: { ...base, bidderId, outcome, hammer } satisfies LotLostEvent,
          dedupeKey: `lot:${lot.id}:lost:${bidderId}`,
          correlationId: standing.correlationId,
        });
      }
      await enqueue(tx, {
        topic: this.topics.sale(sale.id),
        type: 'lot.result',
        payload: { ...base, outcome, hammer } satisfies LotResultEvent,
        dedupeKey: `lot:${lot.id}:result`,
        correlationId: standing.correlationId,
      });
      if (sale.mode === 'timed') {
        // A live lot's result is its hammer, already published by the engine with its own seq.
        const sold = outcome === 'sold';
        const view = viewFromSnapshot(
          {
            ...snap,
            // At the newest seq anyone has seen: a restated standing may have come after the snapshot.
            lastSeq: Math.max(snap.lastSeq, standing.seq),
            status: sold ? 'sold' : 'unsold',
            price: standing.price,
            leaderId: standing.leaderId,
            leaderKind: standing.leaderId === undefined ? undefined : 'bid',
            reserveMet:
              lot.reserve === 0 || (standing.leaderId !== undefined && standing.price >= lot.reserve),
          },
          this.masks,
        );
        const update: LotResultUpdate = {
          ...view,
          status: sold ? 'sold' : 'unsold',
          lastAction: 'result',
          extended: false,
          undone: null,
          decidedAt: new Date(this.now()).toISOString(),
          hammer,
        };
        await announce(tx, this.topics, lot, update, 'result', standing.correlationId);
      }
      return { outcome, winnerId, closedAt };
    });
    if (result === undefined) return false;
    this.metrics?.finalised(sale.mode, result.closedAt, this.now());
    // The engine shows the result too (a page opened now starts from it); bids were refused since the close.
    if (sale.mode === 'timed' && (result.outcome === 'sold' || result.outcome === 'unsold'))
      await this.engine.setStatus(lot.id, result.outcome);
    this.logger.info({ lotId: lot.id, outcome: result.outcome, winner: result.winnerId }, 'lot finalised');
    // A purchase counts towards the buyer's due-diligence threshold for the rest of the sale.
    if (result.winnerId !== undefined) await this.sync.syncEligibility(sale.id, result.winnerId);
    return true;
  }
}

export interface LedgerStanding {
  price: number;
  leaderId: string | undefined;
  /** Live lots: the engine's verdict at the hammer ('sold' / 'unsold' / 'passed' / 'withdrawn'). */
  status: string | undefined;
  seq: number;
  decidedAt: number;
  /** The deciding entry's correlation id (the hammer's, or the last bid's): carried into the result's notifications. */
  correlationId: string | undefined;
}

/**
 * Where the lot stands according to the ledger: the state after its last recorded decision (a bid,
 * a restated standing after a cancellation, or a floor action). The engine decided each bid
 * atomically — the highest amount leads, and of equal amounts the first decided — so the last
 * entry carries the winner; the ledger is the source, the engine's snapshot is not consulted.
 */
export async function ledgerStanding(
  q: Queryable,
  lotId: string,
  mode: 'timed' | 'live',
): Promise<LedgerStanding> {
  const rows = await q.query<{
    price: unknown;
    leader: unknown;
    status: unknown;
    seq: unknown;
    at: unknown;
    cid: unknown;
  }>(
    mode === 'timed'
      ? `SELECT price_minor AS price, leader_id AS leader, NULL AS status, seq, decided_at AS at, correlation_id AS cid
           FROM bids WHERE auction_id = $1 AND (outcome = 'accepted' OR price_changed)
         UNION ALL
         SELECT price_minor, leader_id, NULL, seq, decided_at, correlation_id FROM standing_changes WHERE auction_id = $1
         ORDER BY seq DESC LIMIT 1`
      : `SELECT price_minor AS price, leader_id AS leader, status, seq, decided_at AS at, correlation_id AS cid
           FROM floor_actions WHERE auction_id = $1 AND outcome = 'accepted' ORDER BY seq DESC LIMIT 1`,
    [lotId],
  );
  const r = rows[0];
  if (r === undefined)
    return {
      price: 0,
      leaderId: undefined,
      status: undefined,
      seq: 0,
      decidedAt: Date.now(),
      correlationId: undefined,
    };
  return {
    price: Number(r.price),
    leaderId: r.leader === null || r.leader === '' ? undefined : text(r.leader),
    status: optText(r.status),
    seq: Number(r.seq),
    decidedAt: new Date(r.at as string | Date).getTime(),
    correlationId: optText(r.cid),
  };
}

/** Sold when someone leads at or above the reserve (live lots: as the hammer recorded it). */
export function outcomeOf(
  mode: 'timed' | 'live',
  s: LedgerStanding,
  reserve: number,
): 'sold' | 'unsold' | 'passed' | 'withdrawn' | 'cancelled' {
  if (mode === 'live' && s.status !== undefined && s.status !== 'sold') {
    return s.status === 'passed' || s.status === 'withdrawn' || s.status === 'cancelled'
      ? s.status
      : 'unsold';
  }
  return s.leaderId !== undefined && s.price > 0 && s.price >= reserve ? 'sold' : 'unsold';
}

/** When the lot's row last changed (PostgreSQL's clock; the orchestrators' and the database's agree closely). */
async function lastChangedAt(q: Queryable, lotId: string): Promise<number> {
  const rows = await q.query<{ at: unknown }>('SELECT updated_at AS at FROM lots WHERE id = $1', [lotId]);
  return rows[0] === undefined ? Date.now() : new Date(rows[0].at as string | Date).getTime();
}

/** The bidder behind a leader id: an online bidder as is, a floor paddle through the sale's registrations. */
async function winnerBidderId(
  q: Queryable,
  saleId: string,
  leaderId: string | undefined,
): Promise<string | undefined> {
  if (leaderId === undefined) return undefined;
  if (!leaderId.startsWith('paddle:')) return leaderId;
  const rows = await q.query<{ bidder_id: string }>(
    'SELECT bidder_id FROM registrations WHERE sale_id = $1 AND paddle = $2',
    [saleId, leaderId.slice(7)],
  );
  return rows[0]?.bidder_id;
}

/** Online bidders who bid on the lot (accepted at least once). */
