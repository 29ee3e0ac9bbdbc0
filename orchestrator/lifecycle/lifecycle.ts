/**
 * The sale clock and the finaliser. Each tick:
 *  1. opens scheduled sales whose start has come (timed lots open in the engine, and the opening
 *     goes out as a public update, `lastAction` `open`, at the lot's seq; live lots wait for the
 *     auctioneer);
 *  2. for each open timed lot, follows the engine's end (soft-close extensions are announced to the
 *     lot's bidders), announces "closing soon", and closes the lot only once the engine's end plus
 *     its grace window has passed — re-read from the engine every time, never early;
 *  3. finalises finished lots (`finaliser.ts`) from the ledger once the ledger has caught up with the engine:
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
  type PublicAuctionUpdate,
} from '../../bidding/back-office.ts';
import type { SaleEvent, SaleOpenedEvent } from '../../common/contracts/index.ts';
import { isDecided } from '../../common/contracts/lot.ts';
import type { Logger } from '../../common/logger.ts';
import { isRedisUnavailable } from '../../common/redis.ts';
import type { Topics } from '../../common/topics.ts';
import type { Database } from '../ledger/db.ts';
import type { EngineSync, EnginePort } from './engine-sync.ts';
import { enqueue, loadLot, loadLots, loadSale, type Lot, type Sale } from '../ledger/records.ts';
import type { BackOfficeMetrics } from '../service/metrics.ts';
import { Poller } from '../service/poller.ts';
import { announce } from './announce.ts';
import { announceClosingSoon, recordExtension } from './timed-notices.ts';
import { Finaliser } from './finaliser.ts';

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
  /** Where the clock's lateness and the finaliser's delay are counted (`/metrics`); unset = nowhere. */
  metrics?: BackOfficeMetrics | undefined;
}

export interface TickReport {
  opened: string[];
  closed: string[];
  finalised: string[];
  salesClosed: string[];
}

/** Lots far from their end are looked at once every this many ticks (2 s at the default 250 ms). */
const QUIET_EVERY = 8;

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
  private readonly metrics: BackOfficeMetrics | undefined;
  private readonly poller = new Poller(
    () => this.tick().then(() => this.tickMs),
    (err) => this.logger.error({ err }, 'lifecycle tick failed; retrying at the next tick'),
  );
  private ticks = 0;
  private completed = 0;
  private readonly finaliser: Finaliser;

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
    this.metrics = o.metrics;
    this.finaliser = new Finaliser({ ...o, now: this.now });
  }

  start(): void {
    this.poller.start(this.tickMs);
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Passes begun and run to their end: a pass begun after a change has looked at it once it ends. */
  get passes(): { started: number; completed: number } {
    return { started: this.ticks, completed: this.completed };
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
    this.completed++;
    return report;
  }

  private async openDueSales(now: number): Promise<string[]> {
    // Due since its start, or since the change that made it due (a start set in the past, a late publish).
    const due = await this.db.query<{ id: string; due_at: unknown }>(
      `SELECT id, GREATEST(starts_at, updated_at) AS due_at FROM sales
        WHERE status = 'scheduled' AND starts_at <= $1 ORDER BY starts_at`,
      [new Date(now)],
    );
    const opened: string[] = [];
    for (const { id, due_at: dueAt } of due) {
      // Engine first (idempotent), then the guarded status change: a crash in between repeats the engine part only.
      await this.sync.configureSale(id);
      const sale = await loadSale(this.db, id);
      if (sale === undefined) continue;
      // The timed lots' opening, as everyone may see it: no new seq (no decision), only the status.
      const openings: [Lot, PublicAuctionUpdate][] = [];
      if (sale.mode === 'timed') {
        for (const lot of await loadLots(this.db, id)) {
          if (lot.status !== 'scheduled') continue;
          await this.engine.setStatus(lot.id, 'open');
          const snap = await this.engine.snapshot(lot.id);
          if (snap !== undefined) openings.push([lot, this.publicOf(snap, 'open', 'open', now)]);
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
        for (const [lot, update] of openings)
          await announce(tx, this.topics, lot, update, 'opened', undefined);
        await enqueue(tx, {
          topic: this.topics.sale(id),
          type: 'sale.opened',
          payload: { saleId: id, title: sale.title, mode: sale.mode } satisfies SaleOpenedEvent,
          dedupeKey: `sale:${id}:opened`,
        });
        return true;
      });
      if (won) {
        opened.push(id);
        this.metrics?.drift('open', new Date(dueAt as string | Date).getTime(), this.now());
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
      if (lot.status === 'closed')
        return (await this.finaliser.finalise(lot, sale, snap)) ? 'finalised' : undefined;
      return undefined;
    }
    if (!isDecided(snap.status)) return undefined;
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
    return (await this.finaliser.finalise(lot, sale, snap)) ? 'finalised' : undefined;
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
    if (snap.endsAt > recordedEnd) await recordExtension(this.db, this.topics, lot, snap.endsAt);
    const left = snap.endsAt - now;
    if (lot.closingSoonSentAt === undefined && left > 0 && left <= sale.closingSoonMs)
      await announceClosingSoon(this.db, this.topics, lot, sale, snap.endsAt);
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
    const closed = this.publicOf(after ?? snap, 'closed', 'close', now);
    const won = await this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE lots SET status = 'closed', ends_at = $2, updated_at = now()
          WHERE id = $1 AND status = 'open' RETURNING id`,
        [lot.id, new Date(snap.endsAt)],
      );
      if (rows.length === 0) return false;
      await announce(tx, this.topics, lot, closed, 'closed', undefined);
      return true;
    });
    if (!won) return undefined;
    // Late by what the clock added to the end, grace and margin it had to wait for.
    this.metrics?.drift('close', snap.endsAt + lot.graceMs + this.closeMarginMs, this.now());
    this.logger.info({ lotId: lot.id, endsAt: new Date(snap.endsAt).toISOString() }, 'lot closed');
    return 'closed';
  }

  /** The lot in `status` as a public update with no decision of its own: the clock opened or closed it. */
  private publicOf(
    snap: AuctionSnapshot,
    status: 'open' | 'closed',
    lastAction: 'open' | 'close',
    now: number,
  ): PublicAuctionUpdate {
    return {
      ...viewFromSnapshot({ ...snap, status }, this.masks),
      lastAction,
      extended: false,
      undone: null,
      decidedAt: new Date(now).toISOString(),
    };
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
        payload: { saleId: id } satisfies SaleEvent,
        dedupeKey: `sale:${id}:closed`,
      });
      this.logger.info({ saleId: id }, 'sale closed');
    }
    return rows.map((r) => r.id);
  }

  private async lastFloorActionAt(lotId: string): Promise<number | undefined> {
    const rows = await this.db.query<{ at: unknown }>(
      `SELECT decided_at AS at FROM floor_actions WHERE auction_id = $1 AND outcome = 'accepted' ORDER BY seq DESC LIMIT 1`,
      [lotId],
    );
    return rows[0] === undefined ? undefined : new Date(rows[0].at as string | Date).getTime();
  }
}

function setupEnd(sale: Sale): number {
  return sale.endsAt ?? sale.startsAt + 24 * 3_600_000;
}
