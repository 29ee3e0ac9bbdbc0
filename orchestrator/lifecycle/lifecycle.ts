/**
 * The sale clock and the finaliser. Each tick:
 *  1. opens scheduled sales whose start has come (timed lots open in the engine; live lots wait for
 *     the auctioneer);
 *  2. for each open timed lot, follows the engine's end (soft-close extensions are announced to the
 *     lot's bidders), announces "closing soon", and closes the lot only once the engine's end plus
 *     its grace window has passed — re-read from the engine every time, never early;
 *  3. finalises finished lots from the ledger once the ledger has caught up with the engine:
 *     outcome (reserve), winner written once, invoice (tiered buyer's premium and tax), and outbox
 *     events for the winner, the underbidders and the room;
 *     a timed lot's close and its result also go out as public updates on its auction and sale
 *     topics (`lastAction` `close`, then `result`), at the lot's last seq with a higher
 *     `stateVersion`, so a client of the lot's own stream sees it end;
 *  4. closes a sale when all its lots are finalised.
 * Every step is guarded in PostgreSQL (conditional updates, `finalised_at IS NULL` under a row lock,
 * unique keys, outbox dedupe keys), and engine writes are idempotent, so restarts and two
 * orchestrators side by side never miss nor double a close.
 */
import {
  viewFromSnapshot,
  type BidderMasks,
  type AuctionSnapshot,
  type BiddingStore,
  type LotResultUpdate,
  type PublicAuctionUpdate,
} from '../../bidding/index.ts';
import type { Logger } from '../../common/logger.ts';
import { formatAmount } from '../../common/money.ts';
import { isRedisUnavailable } from '../../common/redis.ts';
import type { Topics } from '../../common/topics.ts';
import type { Database, Queryable } from '../ledger/db.ts';
import type { EngineSync, EnginePort } from './engine-sync.ts';
import {
  enqueue,
  loadLot,
  optText,
  text,
  loadLots,
  loadSale,
  type Lot,
  type Sale,
} from '../ledger/records.ts';
import { Poller } from '../service/poller.ts';
import { invoiceFor } from '../rules/trade.ts';

export type LifecycleEngine = EnginePort & Pick<BiddingStore, 'floorAction'>;

export interface LifecycleOptions {
  db: Database;
  engine: LifecycleEngine;
  sync: EngineSync;
  topics: Topics;
  logger: Logger;
  /** The bidder masks of the public views it publishes (the engine's and the gateways' key). */
  masks: BidderMasks;
  /** Pause between ticks. Default 250 ms. */
  tickMs?: number;
  /**
   * Extra wait after a lot's end plus grace before it is closed: covers clock skew between this
   * host and the engine's Redis (which decides bids by its own clock). Default 1,000 ms.
   */
  closeMarginMs?: number;
  /** A hammered live lot stays undoable this long when no next lot opens; then the window is closed and the lot finalised. Default 120 s. */
  liveUndoWindowMs?: number;
  now?: () => number;
}

export interface TickReport {
  opened: string[];
  closed: string[];
  finalised: string[];
  salesClosed: string[];
}

/** Lots far from their end are looked at once every this many ticks (2 s at the default 250 ms). */
const QUIET_EVERY = 8;

const LIVE_TERMINAL = new Set(['sold', 'unsold', 'passed', 'withdrawn', 'cancelled']);

export class Lifecycle {
  private readonly db: Database;
  private readonly engine: LifecycleEngine;
  private readonly sync: EngineSync;
  private readonly topics: Topics;
  private readonly logger: Logger;
  private readonly masks: BidderMasks;
  private readonly tickMs: number;
  private readonly closeMarginMs: number;
  private readonly liveUndoWindowMs: number;
  private readonly now: () => number;
  private readonly poller = new Poller(
    () => this.tick().then(() => this.tickMs),
    (err) => this.logger.error({ err }, 'lifecycle tick failed; retrying at the next tick'),
  );
  private ticks = 0;

  constructor(o: LifecycleOptions) {
    this.db = o.db;
    this.engine = o.engine;
    this.sync = o.sync;
    this.topics = o.topics;
    this.logger = o.logger;
    this.masks = o.masks;
    this.tickMs = o.tickMs ?? 250;
    this.closeMarginMs = o.closeMarginMs ?? 1_000;
    this.liveUndoWindowMs = o.liveUndoWindowMs ?? 120_000;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.poller.start(this.tickMs);
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** One pass over every step; safe to run concurrently with other instances. */
  async tick(): Promise<TickReport> {
    const report: TickReport = { opened: [], closed: [], finalised: [], salesClosed: [] };
    const now = this.now();
    this.ticks++;
    report.opened = await this.openDueSales(now);
    const lots = await this.db.query<{ id: string }>(
      `SELECT l.id FROM lots l JOIN sales s ON s.id = l.sale_id
        WHERE s.status = 'open' AND l.finalised_at IS NULL ORDER BY l.sale_id, l.lot_number`,
    );
    for (const { id } of lots) {
      try {
        const done = await this.stepLot(id, now);
        if (done === 'closed') report.closed.push(id);
        if (done === 'finalised') report.finalised.push(id);
      } catch (err) {
        // Redis out of reach fails every lot at every tick: its connection logs the outage once.
        this.logger[isRedisUnavailable(err) ? 'debug' : 'warn'](
          { err, lotId: id },
          'lifecycle: lot step failed; retrying at the next tick',
        );
      }
    }
    report.salesClosed = await this.closeFinishedSales();
    return report;
  }

  private async openDueSales(now: number): Promise<string[]> {
    const due = await this.db.query<{ id: string }>(
      `SELECT id FROM sales WHERE status = 'scheduled' AND starts_at <= $1 ORDER BY starts_at`,
      [new Date(now)],
    );
    const opened: string[] = [];
    for (const { id } of due) {
      // Engine first (idempotent), then the guarded status change: a crash in between repeats the engine part only.
      await this.sync.configureSale(id);
      const sale = await loadSale(this.db, id);
      if (sale === undefined) continue;
      if (sale.mode === 'timed') {
        for (const lot of await loadLots(this.db, id)) {
          if (lot.status === 'scheduled') await this.engine.setStatus(lot.id, 'open');
        }
      }
      await this.sync.syncEligibility(id);
      const won = await this.db.transaction(async (tx) => {
        const rows = await tx.query(
          `UPDATE sales SET status = 'open', opened_at = now(), updated_at = now()
            WHERE id = $1 AND status = 'scheduled' RETURNING id`,
          [id],
        );
        if (rows.length === 0) return false;
        if (sale.mode === 'timed')
          await tx.query(
            `UPDATE lots SET status = 'open', updated_at = now() WHERE sale_id = $1 AND status = 'scheduled'`,
            [id],
          );
        await enqueue(tx, {
          topic: this.topics.sale(id),
          type: 'sale.opened',
          payload: { saleId: id, title: sale.title, mode: sale.mode },
          dedupeKey: `sale:${id}:opened`,
        });
        return true;
      });
      if (won) {
        opened.push(id);
        this.logger.info({ saleId: id }, 'sale opened');
      }
    }
    return opened;
  }

  private async stepLot(lotId: string, now: number): Promise<'closed' | 'finalised' | undefined> {
    const lot = await loadLot(this.db, lotId);
    if (lot === undefined || lot.finalisedAt !== undefined) return undefined;
    const sale = await loadSale(this.db, lot.saleId);
    if (sale === undefined) return undefined;
    if (this.farFromItsEnd(lot, sale, now) && this.ticks % QUIET_EVERY !== 0) return undefined;
    const snap = await this.engine.snapshot(lotId);
    if (snap === undefined) {
      // The engine lost the lot (Redis restarted empty): rebuild it from the ledger before anything else.
      this.logger.warn({ lotId }, 'lifecycle: the engine has no state for this lot; restoring it');
      await this.sync.ensureLot(lot, sale);
      await this.sync.syncEligibility(sale.id);
      return undefined;
    }
    if (sale.mode === 'timed') {
      if (lot.status === 'open') return this.stepOpenTimedLot(lot, sale, snap, now);
      if (lot.status === 'closed') return (await this.finalise(lot, sale, snap)) ? 'finalised' : undefined;
      return undefined;
    }
    if (!LIVE_TERMINAL.has(snap.status)) return undefined;
    if (snap.undoAvailable) {
      const hammeredAt = await this.lastFloorActionAt(lotId);
      if (hammeredAt === undefined || now - hammeredAt < this.liveUndoWindowMs) return undefined;
      // Nobody opened a next lot: close the undo window ourselves so the result is final.
      await this.engine.floorAction({
        auctionId: lotId,
        action: 'superseded',
        idempotencyKey: `orchestrator:finalise:${lotId}`,
      });
      return undefined;
    }
    return (await this.finalise(lot, sale, snap)) ? 'finalised' : undefined;
  }

  /**
   * An open timed lot whose (last known) end is further away than its soft-close window and the
   * closing-soon lead cannot have been extended since we looked (only a bid inside the window moves
   * the end), so it is looked at only every QUIET_EVERY ticks — enough to notice a lost engine state.
   */
  private farFromItsEnd(lot: Lot, sale: Sale, now: number): boolean {
    if (sale.mode !== 'timed' || lot.status !== 'open') return false;
    const end = lot.endsAt ?? setupEnd(sale);
    return now < end - Math.max(lot.softCloseMs, sale.closingSoonMs) - 2 * this.tickMs - 1_000;
  }

  private async stepOpenTimedLot(
    lot: Lot,
    sale: Sale,
    snap: AuctionSnapshot,
    now: number,
  ): Promise<'closed' | undefined> {
    const recordedEnd = lot.endsAt ?? setupEnd(sale);
    if (snap.endsAt > recordedEnd) await this.recordExtension(lot, snap.endsAt);
    const left = snap.endsAt - now;
    if (lot.closingSoonSentAt === undefined && left > 0 && left <= sale.closingSoonMs)
      await this.announceClosingSoon(lot, sale, snap.endsAt);
    if (now <= snap.endsAt + lot.graceMs + this.closeMarginMs) return undefined;

    await this.engine.setStatus(lot.id, 'closed');
    // Re-read: the end can only move with an accepted bid, which the engine refuses after end + grace.
    const after = await this.engine.snapshot(lot.id);
    if (after !== undefined && after.endsAt + lot.graceMs >= now) {
      this.logger.error(
        { lotId: lot.id, endsAt: after.endsAt },
        'lifecycle: lot extended while closing; reopened',
      );
      await this.engine.setStatus(lot.id, 'open');
      return undefined;
    }
    // The lot as everyone may see it, closed: no new seq (no decision), stateVersion 1.
    const closed: PublicAuctionUpdate = {
      ...viewFromSnapshot({ ...(after ?? snap), status: 'closed' }, this.masks),
      lastAction: 'close',
      extended: false,
      undone: null,
      decidedAt: new Date(now).toISOString(),
    };
    const won = await this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE lots SET status = 'closed', ends_at = $2, updated_at = now()
          WHERE id = $1 AND status = 'open' RETURNING id`,
        [lot.id, new Date(snap.endsAt)],
      );
      if (rows.length === 0) return false;
      await this.announce(tx, lot, closed, 'closed', undefined);
      return true;
    });
    if (!won) return undefined;
    this.logger.info({ lotId: lot.id, endsAt: new Date(snap.endsAt).toISOString() }, 'lot closed');
    return 'closed';
  }

  private async recordExtension(lot: Lot, endsAt: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE lots SET ends_at = $2, updated_at = now() WHERE id = $1 AND (ends_at IS NULL OR ends_at < $2) RETURNING id`,
        [lot.id, new Date(endsAt)],
      );
      if (rows.length === 0) return;
      for (const bidderId of await bidderIds(tx, lot.id)) {
        await enqueue(tx, {
          topic: this.topics.bidder(bidderId),
          type: 'lot.extended',
          payload: {
            lotId: lot.id,
            saleId: lot.saleId,
            title: lot.title,
            endsAt: new Date(endsAt).toISOString(),
            bidderId,
          },
          dedupeKey: `lot:${lot.id}:extended:${endsAt}:${bidderId}`,
        });
      }
    });
  }

  private async announceClosingSoon(lot: Lot, sale: Sale, endsAt: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE lots SET closing_soon_sent_at = now() WHERE id = $1 AND closing_soon_sent_at IS NULL RETURNING id`,
        [lot.id],
      );
      if (rows.length === 0) return;
      const payload = {
        lotId: lot.id,
        saleId: sale.id,
        lotNumber: lot.lotNumber,
        title: lot.title,
        endsAt: new Date(endsAt).toISOString(),
      };
      await enqueue(tx, {
        topic: this.topics.sale(sale.id),
        type: 'lot.closing_soon',
        payload,
        dedupeKey: `lot:${lot.id}:closing_soon`,
      });
      for (const bidderId of await bidderIds(tx, lot.id)) {
        await enqueue(tx, {
          topic: this.topics.bidder(bidderId),
          type: 'lot.closing_soon',
          payload: { ...payload, bidderId },
          dedupeKey: `lot:${lot.id}:closing_soon:${bidderId}`,
        });
      }
    });
  }

  /**
   * Decides the lot from the ledger once the ledger holds everything the engine decided (its
   * cursor reached the engine's last seq): writes the result, the winner with the invoice, and the
   * outbox events, once, under the lot's row lock.
   */
  private async finalise(lot: Lot, sale: Sale, snap: AuctionSnapshot): Promise<boolean> {
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
            },
            dedupeKey: `lot:${lot.id}:won`,
            correlationId: standing.correlationId,
          });
      }
      for (const bidderId of await bidderIds(tx, lot.id)) {
        if (bidderId === winnerId) continue;
        await enqueue(tx, {
          topic: this.topics.bidder(bidderId),
          type: 'lot.lost',
          payload: { ...base, bidderId, outcome, hammer },
          dedupeKey: `lot:${lot.id}:lost:${bidderId}`,
          correlationId: standing.correlationId,
        });
      }
      await enqueue(tx, {
        topic: this.topics.sale(sale.id),
        type: 'lot.result',
        payload: { ...base, outcome, hammer },
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
        await this.announce(tx, lot, update, 'result', standing.correlationId);
      }
      return { outcome, winnerId };
    });
    if (result === undefined) return false;
    // The engine shows the result too (a page opened now starts from it); bids were refused since the close.
    if (sale.mode === 'timed' && (result.outcome === 'sold' || result.outcome === 'unsold'))
      await this.engine.setStatus(lot.id, result.outcome);
    this.logger.info({ lotId: lot.id, outcome: result.outcome, winner: result.winnerId }, 'lot finalised');
    // A purchase counts towards the buyer's due-diligence threshold for the rest of the sale.
    if (result.winnerId !== undefined) await this.sync.syncEligibility(sale.id, result.winnerId);
    return true;
  }

  private async closeFinishedSales(): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE sales s SET status = 'closed', closed_at = now(), updated_at = now()
        WHERE s.status = 'open'
          AND EXISTS (SELECT 1 FROM lots l WHERE l.sale_id = s.id)
          AND NOT EXISTS (SELECT 1 FROM lots l WHERE l.sale_id = s.id AND l.finalised_at IS NULL
                          AND l.status NOT IN ('cancelled', 'withdrawn'))
        RETURNING s.id`,
    );
    for (const { id } of rows) {
      await enqueue(this.db, {
        topic: this.topics.sale(id),
        type: 'sale.closed',
        payload: { saleId: id },
        dedupeKey: `sale:${id}:closed`,
      });
      this.logger.info({ saleId: id }, 'sale closed');
    }
    return rows.map((r) => r.id);
  }

  /**
   * A timed lot's change without a decision (closed, its result), as a public update on its auction
   * and sale topics — the same SSE type (`auction`) as the engine's updates, so the clients apply it
   * by (seq, stateVersion). One outbox event per topic, each deduplicated, each id stable.
   */
  private async announce(
    tx: Queryable,
    lot: Lot,
    update: PublicAuctionUpdate,
    name: 'closed' | 'result',
    correlationId: string | undefined,
  ): Promise<void> {
    const targets = [
      ['auction', this.topics.auction(lot.id)],
      ['sale', this.topics.sale(lot.saleId)],
    ] as const;
    for (const [where, topic] of targets)
      await enqueue(tx, {
        topic,
        type: 'auction',
        payload: { ...update },
        dedupeKey: `lot:${lot.id}:${name}:${where}`,
        correlationId,
      });
  }

  private async lastFloorActionAt(lotId: string): Promise<number | undefined> {
    const rows = await this.db.query<{ at: unknown }>(
      `SELECT decided_at AS at FROM floor_actions WHERE auction_id = $1 AND outcome = 'accepted' ORDER BY seq DESC LIMIT 1`,
      [lotId],
    );
    return rows[0] === undefined ? undefined : new Date(rows[0].at as string | Date).getTime();
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
async function bidderIds(q: Queryable, lotId: string): Promise<string[]> {
  const rows = await q.query<{ bidder_id: string }>(
    `SELECT DISTINCT bidder_id FROM bids WHERE auction_id = $1 AND outcome = 'accepted' ORDER BY bidder_id`,
    [lotId],
  );
  return rows.map((r) => r.bidder_id);
}

function setupEnd(sale: Sale): number {
  return sale.endsAt ?? sale.startsAt + 24 * 3_600_000;
}
