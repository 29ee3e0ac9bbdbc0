import type { Logger } from '../../common/logger.ts';
import type { RecordedEvent } from '../../bidding/back-office.ts';
import { FailureStreak } from '../../common/failure-streak.ts';
import { correlationAttrs, recordSpan, tracingEnabled } from '../../common/tracing.ts';
import { isBidRecord, isFloorRecord, isRestateRecord, seqOfRecord } from '../../bidding/back-office.ts';
import type { Database, Queryable } from './db.ts';
import type { DecisionSource } from './decision-source.ts';
import { Poller } from '../service/poller.ts';
import {
  bidRow,
  floorRow,
  insertBids,
  insertFloorActions,
  insertStandingChanges,
  restateRow,
} from './ledger-rows.ts';

export interface LedgerWriterOptions {
  db: Database;
  source: DecisionSource;
  /** Entries read and committed per transaction. */
  batchSize?: number;
  /** Pause between polls when a pass found nothing to do. */
  pollIntervalMs?: number;
  logger?: Logger | undefined;
  /**
   * Called in each batch's transaction after its rows are written (committed with them, or rolled
   * back with them): what follows from the decisions exactly once, such as the outbid pushes.
   */
  afterBatch?: ((tx: Queryable, auctionId: string, entries: RecordedEvent[]) => Promise<void>) | undefined;
}

export interface LedgerPass {
  /** Entries committed by this pass (rows already present are counted too: they were applied). */
  applied: number;
  /** Batches abandoned because another writer advanced the cursor first. */
  conflicts: number;
  /** Auctions whose batch failed (logged; retried next pass) — one bad auction does not stall the others. */
  failed: string[];
}

export interface LedgerLag {
  /** Entries appended to the streams and not yet in the ledger, over all auctions. */
  total: number;
  byAuction: Map<string, number>;
}

interface Cursor {
  lastStreamId: string;
  lastSeq: number;
  applied: number;
}

/** Thrown inside a transaction to roll it back when another writer moved the cursor first. */
class CursorMoved extends Error {}

/**
 * Copies the per-auction decision streams into the ledger (`bids`, `floor_actions`) exactly once.
 *
 * For each auction: read the cursor, read the entries after it, then in ONE transaction advance the
 * cursor by compare-and-set (`WHERE last_stream_id = <what we read>`) and insert the entries with
 * `ON CONFLICT (auction_id, seq) DO NOTHING`. A crash before the commit leaves neither rows nor cursor,
 * so the next writer replays the batch; two writers on one batch serialise on the cursor row, and the
 * loser's compare-and-set matches nothing and rolls back. The unique key is the second guard: a row
 * can never be recorded twice even if the cursor were lost.
 */
export class LedgerWriter {
  private readonly db: Database;
  private readonly source: DecisionSource;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly logger: Logger | undefined;
  private readonly afterBatch: LedgerWriterOptions['afterBatch'];
  private readonly poller: Poller;
  private lastLag: LedgerLag = { total: 0, byAuction: new Map() };
  private completedPasses = 0;
  private appliedTotal = 0;
  /** An outage fails every pass: one line when passes start failing, one when they succeed again. */
  private readonly failures: FailureStreak;

  constructor(opts: LedgerWriterOptions) {
    this.db = opts.db;
    this.source = opts.source;
    this.batchSize = opts.batchSize ?? 500;
    this.pollIntervalMs = opts.pollIntervalMs ?? 250;
    this.logger = opts.logger;
    this.afterBatch = opts.afterBatch;
    this.failures = new FailureStreak(opts.logger, 'ledger pass');
    this.poller = new Poller(
      () => this.loopPass(),
      (err) => this.failures.failed(err),
    );
  }

  /** One pass over every auction until each is caught up (as of when it was read). */
  async runOnce(): Promise<LedgerPass> {
    const pass: LedgerPass = { applied: 0, conflicts: 0, failed: [] };
    for (const auctionId of await this.source.auctions()) {
      try {
        for (;;) {
          const n = await this.applyBatch(auctionId, pass);
          if (n < this.batchSize) break;
        }
      } catch (err) {
        pass.failed.push(auctionId);
        this.failures.failed(err, { auctionId });
      }
    }
    this.appliedTotal += pass.applied;
    return pass;
  }

  /** Polls until `stop()`: a pass, then a pause when it found nothing. Errors are logged and retried. */
  start(): void {
    this.poller.start(this.pollIntervalMs);
  }

  /** Stops polling; resolves when the pass in flight has ended. */
  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Passes the loop has completed (tests wait for one instead of sleeping). */
  get passes(): number {
    return this.completedPasses;
  }

  /** Entries applied by every pass so far (`gavel_ledger_entries_applied`). */
  get applied(): number {
    return this.appliedTotal;
  }

  /** The lag measured after the latest pass of the loop (zero before the first). */
  get lastMeasuredLag(): LedgerLag {
    return this.lastLag;
  }

  /**
   * Entries appended to each stream and not yet applied: the seq of the stream's newest entry minus
   * the seq of the cursor's. Every decision that takes a seq is recorded, in seq order, so the
   * difference counts the entries behind. (The stream's entries-added counter would not do: it
   * restarts when the engine's Redis state is lost and rebuilt with `restore`, while the seq goes on.)
   */
  async lag(): Promise<LedgerLag> {
    const byAuction = new Map<string, number>();
    let total = 0;
    for (const auctionId of await this.source.auctions()) {
      const lastSeq = await this.source.lastSeq(auctionId);
      const cursor = await this.cursor(this.db, auctionId);
      const behind = Math.max(0, lastSeq - (cursor?.lastSeq ?? 0));
      byAuction.set(auctionId, behind);
      total += behind;
    }
    return { total, byAuction };
  }

  /** One pass of the loop: at once again when it applied something, else after the poll interval. */
  private async loopPass(): Promise<number> {
    let idle = true;
    try {
      const pass = await this.runOnce();
      idle = pass.applied === 0;
      this.lastLag = await this.lag();
      if (pass.applied > 0) this.logger?.debug({ ...pass, lag: this.lastLag.total }, 'ledger pass');
      if (pass.failed.length === 0) this.failures.succeeded();
    } catch (err) {
      this.failures.failed(err);
    }
    this.completedPasses++;
    return idle ? this.pollIntervalMs : 0;
  }

  private async cursor(q: Queryable, auctionId: string): Promise<Cursor | undefined> {
    const rows = await q.query<{
      last_stream_id: string;
      last_seq: string | number;
      applied: string | number;
    }>('SELECT last_stream_id, last_seq, applied FROM ledger_cursors WHERE auction_id = $1', [auctionId]);
    const r = rows[0];
    return r === undefined
      ? undefined
      : { lastStreamId: r.last_stream_id, lastSeq: Number(r.last_seq), applied: Number(r.applied) };
  }

  /** Reads and commits one batch of one auction; returns how many entries it read (0 = caught up). */
  private async applyBatch(auctionId: string, pass: LedgerPass): Promise<number> {
    const from = (await this.cursor(this.db, auctionId)) ?? { lastStreamId: '0', lastSeq: 0, applied: 0 };
    const entries = await this.source.read(auctionId, from.lastStreamId, this.batchSize);
    const last = entries.at(-1);
    if (last === undefined) return 0;
    const currency = entries.some((e) => !isFloorRecord(e))
      ? await this.source.currency(auctionId)
      : undefined;
    const bids = entries.filter(isBidRecord).map((e) => bidRow(e, auctionId, currency));
    const floor = entries.filter(isFloorRecord).map((e) => floorRow(e, auctionId));
    const restates = entries.filter(isRestateRecord).map((e) => restateRow(e, auctionId, currency));
    const startedAt = Date.now();
    try {
      await this.db.transaction(async (tx) => {
        await tx.query(
          'INSERT INTO ledger_cursors (auction_id) VALUES ($1) ON CONFLICT (auction_id) DO NOTHING',
          [auctionId],
        );
        // Compare-and-set first: on PostgreSQL this row lock is where racing writers queue, and the
        // loser re-evaluates the WHERE against the winner's committed value and matches nothing.
        const moved = await tx.query(
          `UPDATE ledger_cursors
              SET last_stream_id = $3, last_seq = $4, applied = applied + $5, updated_at = now()
            WHERE auction_id = $1 AND last_stream_id = $2
        RETURNING auction_id`,
          [auctionId, from.lastStreamId, last.streamId, seqOfRecord(last), entries.length],
        );
        if (moved.length === 0) throw new CursorMoved();
        if (bids.length > 0) await insertBids(tx, bids);
        if (floor.length > 0) await insertFloorActions(tx, floor);
        if (restates.length > 0) await insertStandingChanges(tx, restates);
        if (this.afterBatch !== undefined) await this.afterBatch(tx, auctionId, entries);
      });
    } catch (err) {
      if (err instanceof CursorMoved) {
        pass.conflicts++;
        // Someone else applied it; carry on from their cursor (a full batch makes the caller loop).
        return this.batchSize;
      }
      throw err;
    }
    pass.applied += entries.length;
    if (tracingEnabled()) traceApplied(auctionId, entries, startedAt, Date.now());
    return entries.length;
  }
}

/**
 * One `ledger.apply` span per decision of a committed batch, each a trace of its own joined to the
 * bid's by `gavel.correlation_id` (the stream carries the correlation id, not the bid's traceparent).
 */
function traceApplied(auctionId: string, entries: RecordedEvent[], startTime: number, endTime: number): void {
  for (const e of entries)
    recordSpan('ledger.apply', {
      kind: 'consumer',
      startTime,
      endTime,
      attributes: {
        ...correlationAttrs(e.correlationId),
        'gavel.auction_id': auctionId,
        'gavel.seq': seqOfRecord(e),
        'gavel.decision.type': e.type,
        'gavel.stream_id': e.streamId,
        'gavel.ledger.batch_size': entries.length,
      },
    });
}
