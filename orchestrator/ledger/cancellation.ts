/**
 * Bid cancellation by an admin (timed lots): the bid row stays in the ledger, a cancellation row
 * marks it, the standing is recomputed from the remaining bids and set in the engine atomically (a
 * `restate`, recorded in the ledger with its own seq), and the room and the bidders are told. A
 * repeated cancellation answers with the restate recorded the first time.
 */
import {
  isReplayableBid,
  isRestateRecord,
  replayStanding,
  type BidderMasks,
  type BiddingStore,
} from '../../bidding/back-office.ts';
import type { AuctionRestatedEvent, BidCancelledEvent, BidderNotice } from '../../common/contracts/index.ts';
import { AppError } from '../../common/errors.ts';
import { formatAmount } from '../../common/money.ts';
import type { Topics } from '../../common/topics.ts';
import type { Database } from './db.ts';
import { cancelledSeqs, ledgerBids } from './bid-rows.ts';
import { audit, enqueue, loadLot, loadSale, setupOf } from './records.ts';

/** The engine operations a cancellation uses. */
export type CancellationEngine = Pick<BiddingStore, 'snapshot' | 'restate' | 'decisions'>;

export interface BidCancellationOptions {
  db: Database;
  engine: CancellationEngine;
  topics: Topics;
  /** The bidder masks of the room's announcement (the engine's and the gateways' key). */
  masks: BidderMasks;
}

export class BidCancellation {
  private readonly o: BidCancellationOptions;
  constructor(o: BidCancellationOptions) {
    this.o = o;
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
      if (lot === undefined) throw new AppError('UNKNOWN_LOT', `no lot ${req.lotId}`);
      const sale = (await loadSale(tx, lot.saleId))!;
      if (sale.mode !== 'timed')
        throw new AppError('NOT_TIMED', 'live lots: the auctioneer rejects a bid from the floor console');
      if (lot.finalisedAt !== undefined)
        throw new AppError('LOT_FINALISED', `lot ${lot.id} is finalised; void the result instead`);
      const rows = await tx.query<{ bidder_id: string; outcome: string }>(
        'SELECT bidder_id, outcome FROM bids WHERE auction_id = $1 AND seq = $2',
        [lot.id, req.seq],
      );
      const row = rows[0];
      if (row === undefined)
        throw new AppError('UNKNOWN_BID', `lot ${lot.id} has no bid ${req.seq} in the ledger (yet)`);
      if (row.outcome !== 'accepted')
        throw new AppError('NOT_ACCEPTED', `bid ${req.seq} was refused; there is nothing to cancel`);
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
      throw new AppError('LEDGER_BEHIND', 'the ledger is catching up with the engine; retry in a moment', {
        details: { retryAfterSeconds: 1 },
      });
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
          'CANCEL_IN_PROGRESS',
          'this cancellation is being recorded; look again in a moment',
        );
      // Each refusal with its own status (UNKNOWN_AUCTION 404, INVALID_REQUEST 400, NOT_TIMED 409).
      throw new AppError(
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
    } satisfies AuctionRestatedEvent;
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
        } satisfies BidCancelledEvent,
        dedupeKey: `lot:${lot.id}:cancelled:${req.seq}`,
        correlationId: req.correlationId,
      });
      if (standing.leaderId !== undefined && standing.leaderId !== bidderId)
        await enqueue(tx, {
          topic: topics.bidder(standing.leaderId),
          type: 'leading',
          // The engine's own `leading` notice, at the restate's seq: the page shows it like any other.
          payload: {
            type: 'leading',
            auctionId: lot.id,
            seq: result.seq,
            price: view.price,
            currency: lot.currency,
            yourMaximum: standing.leaderMax > standing.price ? money(standing.leaderMax) : null,
          } satisfies BidderNotice,
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
