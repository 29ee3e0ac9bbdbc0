/**
 * The ledger is the truth; Redis is the fast copy. Two things rebuild engine state from PostgreSQL:
 *  - **Recovery**: when the engine has no state for a lot that should be live (Redis restarted
 *    without persistence, keys lost), the lot is restored from its set-up and its ledger rows —
 *    seq, end as extended, standing (the leader's maximum re-derived by re-deciding the bids),
 *    eligibility, and the stored answers of earlier bids so a retried Idempotency-Key gets the same
 *    answer. The engine refuses bids on a lot it does not know (UNKNOWN_AUCTION), so nothing is
 *    accepted before the restore; `restore` itself refuses to overwrite state that exists, so two
 *    orchestrators recovering at once cannot clobber live bidding.
 *  - **Bid cancellation** by an admin (timed lots): the bid row stays in the ledger, a cancellation
 *    row marks it, the standing is recomputed from the remaining bids and set in the engine
 *    atomically (a `restate`, recorded in the ledger with its own seq), and the room is told.
 */
import {
  bidAnswersFromLedger,
  isReplayableBid,
  isRestateRecord,
  replayStanding,
  type BidderMasks,
  type AuctionStatus,
  type BiddingStore,
  type BidSource,
  type LeaderKind,
  type LedgerBidRow,
  type LedgerStandingRow,
  type RejectReason,
  type RestoreState,
} from '../bidding/back-office.ts';
import { AppError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { formatAmount } from '../common/money.ts';
import type { Topics } from '../common/topics.ts';
import type { Database, Queryable } from './db.ts';
import type { EngineSync } from './engine-sync.ts';
import {
  audit,
  enqueue,
  loadLot,
  loadLots,
  loadSale,
  optText,
  setupOf,
  text,
  type Lot,
  type Sale,
} from './records.ts';

export type RecoveryEngine = Pick<BiddingStore, 'snapshot' | 'restore' | 'restate' | 'decisions'>;

export interface RecoveryOptions {
  db: Database;
  engine: RecoveryEngine;
  sync: EngineSync;
  topics: Topics;
  logger: Logger;
  /** The bidder masks of the room's announcement (the engine's and the gateways' key). */
  masks: BidderMasks;
}

export interface RecoveryReport {
  restored: string[];
  /** Another instance (or live bidding) got there first. */
  existed: string[];
  failed: { lotId: string; message: string }[];
}

const time = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(text(v)).getTime());

export class Recovery {
  private readonly o: RecoveryOptions;
  constructor(o: RecoveryOptions) {
    this.o = o;
  }

  /** Restores every lot of a scheduled or open sale that the engine has lost. */
  async recoverMissing(): Promise<RecoveryReport> {
    const report: RecoveryReport = { restored: [], existed: [], failed: [] };
    const sales = await this.o.db.query<{ id: string }>(
      `SELECT id FROM sales WHERE status IN ('scheduled', 'open') ORDER BY starts_at`,
    );
    for (const { id } of sales) {
      const sale = (await loadSale(this.o.db, id))!;
      for (const lot of await loadLots(this.o.db, id)) {
        if (lot.finalisedAt !== undefined) continue;
        if ((await this.o.engine.snapshot(lot.id)) !== undefined) continue;
        try {
          const outcome = await this.recoverLot(lot, sale);
          (outcome === 'restored' ? report.restored : report.existed).push(lot.id);
        } catch (err) {
          report.failed.push({ lotId: lot.id, message: err instanceof Error ? err.message : String(err) });
          this.o.logger.error(
            { err, lotId: lot.id },
            'recovery: lot not restored; retrying at the next pass',
          );
        }
      }
    }
    if (report.restored.length > 0 || report.failed.length > 0)
      this.o.logger.warn(report, 'recovery: engine state rebuilt from the ledger');
    return report;
  }

  /** Rebuilds one lot in the engine from the ledger. */
  async recoverLot(lot: Lot, sale: Sale): Promise<'restored' | 'existed'> {
    const state = await this.restoreState(this.o.db, lot, sale);
    const result = await this.o.engine.restore(state);
    if (result.restored) {
      // A lot with no ledger history is simply new to the engine (a fresh sale, the demo): not news.
      this.o.logger[state.seq > 0 ? 'info' : 'debug'](
        { lotId: lot.id, seq: result.seq, answers: result.answers },
        state.seq > 0 ? 'recovery: lot restored from the ledger' : 'lot put into the engine',
      );
      return 'restored';
    }
    if (result.reason === 'EXISTS') return 'existed';
    throw new Error(`restore refused (${result.reason}): ${result.message}`);
  }

  /** What the ledger says the engine should hold for this lot. */
  async restoreState(q: Queryable, lot: Lot, sale: Sale): Promise<RestoreState> {
    const bids = await ledgerBids(q, lot.id);
    const floors = await q.query<{
      seq: unknown;
      price_minor: unknown;
      leader_id: unknown;
      leader_kind: unknown;
      status: unknown;
      outcome: string;
      asking_minor: unknown;
      step_minor: unknown;
      standing_seq: unknown;
      message: unknown;
    }>(
      `SELECT seq, price_minor, leader_id, leader_kind, status, outcome, asking_minor, step_minor, standing_seq, message
         FROM floor_actions WHERE auction_id = $1 ORDER BY seq`,
      [lot.id],
    );
    const restates = await q.query<{
      seq: unknown;
      price_minor: unknown;
      leader_id: unknown;
      bid_count: unknown;
    }>(
      'SELECT seq, price_minor, leader_id, bid_count FROM standing_changes WHERE auction_id = $1 ORDER BY seq',
      [lot.id],
    );
    const cursor = await q.query<{ last_stream_id: string; last_seq: unknown }>(
      'SELECT last_stream_id, last_seq FROM ledger_cursors WHERE auction_id = $1',
      [lot.id],
    );
    const cancelled = await cancelledSeqs(q, lot.id);
    const seq = Math.max(
      0,
      Number(cursor[0]?.last_seq ?? 0),
      ...bids.map((b) => b.seq),
      ...floors.map((f) => Number(f.seq)),
      ...restates.map((r) => Number(r.seq)),
    );
    const lastFloor = [...floors].reverse().find((f) => f.outcome === 'accepted');
    const status: AuctionStatus =
      sale.mode === 'timed'
        ? lot.status === 'scheduled' || lot.status === 'open' || lot.status === 'closed'
          ? lot.status
          : 'closed'
        : ((optText(lastFloor?.status) as AuctionStatus | undefined) ?? 'scheduled');
    const setup = setupOf(lot, sale, status);
    const endsAt = Math.max(setup.endsAt, ...bids.map((b) => b.endsAt));
    const others: LedgerStandingRow[] = [
      ...restates.map((r) => ({
        seq: Number(r.seq),
        price: Number(r.price_minor),
        leaderId: optText(r.leader_id),
        bidCount: Number(r.bid_count),
      })),
      ...floors
        .filter((f) => f.outcome === 'accepted')
        .map((f) => ({ seq: Number(f.seq), price: Number(f.price_minor), leaderId: optText(f.leader_id) })),
    ];
    const answers = bidAnswersFromLedger(setup, bids, others);
    const eligibility: Record<string, number> = {};
    for (const e of await this.o.sync.compute(q, sale, [lot])) {
      if (e.limit > 0 && !e.excludedLots.includes(lot.id)) eligibility[e.bidderId] = e.limit;
    }
    const base = {
      setup,
      status,
      endsAt,
      seq,
      eligibility,
      answers,
      afterStreamId: cursor[0]?.last_stream_id,
    };
    if (sale.mode === 'timed') {
      const standing = replayStanding(
        setup,
        bids.filter((b) => isReplayableBid(b) && !cancelled.has(b.seq)),
      );
      return { ...base, ...standing };
    }
    // Live: the standing after the last row that set it (a bid or a floor action).
    const lastBid = [...bids].reverse().find((b) => b.outcome === 'accepted' || b.priceChanged === true);
    const useFloor =
      lastFloor !== undefined && (lastBid === undefined || Number(lastFloor.seq) > lastBid.seq);
    const price = useFloor ? Number(lastFloor.price_minor) : (lastBid?.price ?? 0);
    const leaderId = useFloor ? optText(lastFloor.leader_id) : (optText(lastBid?.leaderId) ?? undefined);
    const bidCount = answers.at(-1)?.decision.bidCount ?? (leaderId === undefined ? 0 : 1);
    return {
      ...base,
      price,
      leaderId,
      leaderMax: price,
      bidCount: leaderId === undefined ? 0 : Math.max(1, bidCount),
      leaderKind: useFloor
        ? (optText(lastFloor.leader_kind) as LeaderKind | undefined)
        : leaderId === undefined
          ? undefined
          : 'bid',
      ...(lastFloor === undefined
        ? {}
        : {
            asking: Number(lastFloor.asking_minor),
            step: Number(lastFloor.step_minor),
            standingSeq: Number(lastFloor.standing_seq),
            message: optText(lastFloor.message),
          }),
    };
  }

  /**
   * An admin cancels an accepted bid of a timed lot: recorded (the ledger row stays), the standing
   * recomputed from the remaining bids and set in the engine, the room and the bidders told.
   */
  async cancelBid(req: {
    lotId: string;
    seq: number;
    reason: string;
    actor: string;
    correlationId: string | undefined;
  }): Promise<Record<string, unknown>> {
    const { db, engine, topics } = this.o;
    const { lot, sale, bidderId, again } = await db.transaction(async (tx) => {
      const lot = await loadLot(tx, req.lotId, true);
      if (lot === undefined) throw new AppError(404, 'UNKNOWN_LOT', `no lot ${req.lotId}`);
      const sale = (await loadSale(tx, lot.saleId))!;
      if (sale.mode !== 'timed')
        throw new AppError(
          409,
          'NOT_TIMED',
          'live lots: the auctioneer rejects a bid from the floor console',
        );
      if (lot.finalisedAt !== undefined)
        throw new AppError(409, 'LOT_FINALISED', `lot ${lot.id} is finalised; void the result instead`);
      const rows = await tx.query<{ bidder_id: string; outcome: string }>(
        'SELECT bidder_id, outcome FROM bids WHERE auction_id = $1 AND seq = $2',
        [lot.id, req.seq],
      );
      const row = rows[0];
      if (row === undefined)
        throw new AppError(404, 'UNKNOWN_BID', `lot ${lot.id} has no bid ${req.seq} in the ledger (yet)`);
      if (row.outcome !== 'accepted')
        throw new AppError(409, 'NOT_ACCEPTED', `bid ${req.seq} was refused; there is nothing to cancel`);
      const inserted = await tx.query(
        `INSERT INTO bid_cancellations (auction_id, seq, actor, reason, correlation_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING seq`,
        [lot.id, req.seq, req.actor, req.reason, req.correlationId ?? null],
      );
      if (inserted.length > 0)
        await audit(tx, {
          actor: req.actor,
          action: 'bid.cancel',
          entityType: 'bid',
          entityId: `${lot.id}/${req.seq}`,
          details: { reason: req.reason, bidderId: row.bidder_id },
          correlationId: req.correlationId,
        });
      return { lot, sale, bidderId: row.bidder_id, again: inserted.length === 0 };
    });
    if (again) {
      // Cancelled before: answer with the recorded restate instead of recomputing from a standing that moved on.
      // The cursor is read first: whatever the ledger has not copied by then is in the stream after it.
      const cursorAt = await db.query<{ last_stream_id: string }>(
        'SELECT last_stream_id FROM ledger_cursors WHERE auction_id = $1',
        [lot.id],
      );
      const done = await db.query<{
        seq: unknown;
        price_minor: unknown;
        leader_id: string | null;
        bid_count: unknown;
      }>(
        `SELECT seq, price_minor, leader_id, bid_count FROM standing_changes WHERE auction_id = $1 AND reason = $2
          ORDER BY seq LIMIT 1`,
        [lot.id, `bid_cancelled:${req.seq}`],
      );
      const d =
        done[0] ??
        (await this.unledgeredRestate(lot.id, `cancel:${req.seq}`, cursorAt[0]?.last_stream_id ?? '0'));
      if (d !== undefined)
        return {
          cancelled: { lotId: lot.id, seq: req.seq, bidderId },
          standing: {
            price: formatAmount(Number(d.price_minor), lot.currency),
            leaderId: d.leader_id,
            bidCount: Number(d.bid_count),
            seq: Number(d.seq),
          },
          replayed: true,
        };
    }

    // Recompute from the ledger (every bid up to now is there once the writer caught up) and set it.
    const snapshot = await engine.snapshot(lot.id);
    const cursor = await db.query<{ last_seq: unknown }>(
      'SELECT last_seq FROM ledger_cursors WHERE auction_id = $1',
      [lot.id],
    );
    if (snapshot !== undefined && Number(cursor[0]?.last_seq ?? 0) < snapshot.lastSeq)
      throw new AppError(
        503,
        'LEDGER_BEHIND',
        'the ledger is catching up with the engine; retry in a moment',
        {
          details: { retryAfterSeconds: 1 },
        },
      );
    const cancelled = await cancelledSeqs(db, lot.id);
    const bids = (await ledgerBids(db, lot.id)).filter((b) => isReplayableBid(b) && !cancelled.has(b.seq));
    const setup = setupOf(lot, sale, snapshot?.status ?? 'open');
    const standing = replayStanding(setup, bids);
    const result = await engine.restate({
      auctionId: lot.id,
      idempotencyKey: `cancel:${req.seq}`,
      reason: `bid_cancelled:${req.seq}`,
      actor: req.actor,
      standing,
      correlationId: req.correlationId,
    });
    if (result.outcome !== 'accepted') {
      // The same key with another standing: this cancellation was applied and is on its way to the ledger.
      if (result.reason === 'IDEMPOTENCY_KEY_REUSED')
        throw new AppError(
          409,
          'CANCEL_IN_PROGRESS',
          'this cancellation is being recorded; look again in a moment',
        );
      throw new AppError(
        409,
        result.reason ?? 'RESTATE_REFUSED',
        `the engine refused the new standing (${result.reason})`,
      );
    }

    const money = (v: number): string => formatAmount(v, lot.currency);
    const view = {
      lotId: lot.id,
      saleId: sale.id,
      seq: result.seq,
      price: money(standing.price),
      leader: this.o.masks.leader(
        sale.id,
        standing.leaderId,
        standing.leaderId === undefined ? undefined : 'bid',
      ),
      bidCount: standing.bidCount,
      asking: money(result.asking),
      endsAt: new Date(result.endsAt).toISOString(),
      currency: lot.currency,
      reason: 'bid_cancelled',
    };
    await db.transaction(async (tx) => {
      await enqueue(tx, {
        // The sale topic: every page of the sale listens there (and refetches its snapshot).
        topic: topics.sale(sale.id),
        type: 'auction.restated',
        payload: view,
        dedupeKey: `lot:${lot.id}:restated:${result.seq}`,
        correlationId: req.correlationId,
      });
      await enqueue(tx, {
        topic: topics.bidder(bidderId),
        type: 'bid.cancelled',
        payload: {
          lotId: lot.id,
          saleId: sale.id,
          bidderId,
          seq: req.seq,
          lotNumber: lot.lotNumber,
          title: lot.title,
        },
        dedupeKey: `lot:${lot.id}:cancelled:${req.seq}`,
        correlationId: req.correlationId,
      });
      if (standing.leaderId !== undefined && standing.leaderId !== bidderId)
        await enqueue(tx, {
          topic: topics.bidder(standing.leaderId),
          type: 'leading',
          payload: {
            lotId: lot.id,
            saleId: sale.id,
            bidderId: standing.leaderId,
            price: view.price,
            currency: lot.currency,
            title: lot.title,
          },
          dedupeKey: `lot:${lot.id}:leading-after-cancel:${result.seq}`,
          correlationId: req.correlationId,
        });
    });
    return {
      cancelled: { lotId: lot.id, seq: req.seq, bidderId },
      standing: {
        price: view.price,
        leaderId: standing.leaderId ?? null,
        bidCount: standing.bidCount,
        seq: result.seq,
      },
    };
  }

  /** A restate the engine recorded that the ledger writer has not copied yet (read from the decision stream after the ledger's cursor). */
  private async unledgeredRestate(
    lotId: string,
    idempotencyKey: string,
    after: string,
  ): Promise<{ seq: number; price_minor: number; leader_id: string | null; bid_count: number } | undefined> {
    for (;;) {
      const page = await this.o.engine.decisions(lotId, after, 1000);
      for (const e of page) {
        if (isRestateRecord(e) && e.idempotencyKey === idempotencyKey)
          return {
            seq: e.seq,
            price_minor: e.standing.price,
            leader_id: e.standing.leaderId ?? null,
            bid_count: e.standing.bidCount,
          };
      }
      if (page.length < 1000) return undefined;
      after = page[page.length - 1]!.streamId;
    }
  }
}

/** The auction's bid rows as the bidding engine's ledger helpers take them. */
async function ledgerBids(q: Queryable, lotId: string): Promise<(LedgerBidRow & { max: number | null })[]> {
  const rows = await q.query<{
    seq: unknown;
    bidder_id: string;
    amount_minor: unknown;
    max_minor: unknown;
    outcome: 'accepted' | 'rejected';
    reason: string | null;
    kind: string | null;
    price_minor: unknown;
    leader_id: string | null;
    price_changed: boolean;
    ends_at: unknown;
    extended: boolean;
    decided_at: unknown;
    idempotency_key: string;
    source: string;
    stream_id: string;
  }>(
    `SELECT seq, bidder_id, amount_minor, max_minor, outcome, reason, kind, price_minor, leader_id, price_changed,
            ends_at, extended, decided_at, idempotency_key, source, stream_id
       FROM bids WHERE auction_id = $1 ORDER BY seq`,
    [lotId],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    bidderId: r.bidder_id,
    amount: Number(r.amount_minor),
    max: r.max_minor === null ? null : Number(r.max_minor),
    outcome: r.outcome,
    reason: r.reason as RejectReason | null,
    kind: r.kind as LedgerBidRow['kind'],
    price: Number(r.price_minor),
    leaderId: r.leader_id,
    priceChanged: r.price_changed,
    endsAt: r.ends_at === null ? 0 : time(r.ends_at),
    extended: r.extended,
    decidedAt: time(r.decided_at),
    idempotencyKey: r.idempotency_key,
    source: r.source as BidSource,
    streamId: r.stream_id,
  }));
}

async function cancelledSeqs(q: Queryable, lotId: string): Promise<Set<number>> {
  const rows = await q.query<{ seq: unknown }>('SELECT seq FROM bid_cancellations WHERE auction_id = $1', [
    lotId,
  ]);
  return new Set(rows.map((r) => Number(r.seq)));
}
