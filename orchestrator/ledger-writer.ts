import type { Logger } from '../common/index.ts';
import {
  isBidRecord,
  type RecordedDecision,
  type RecordedEvent,
  type RecordedFloorAction,
} from '../bidding/index.ts';
import type { Database, Queryable } from './db.ts';
import type { DecisionSource } from './decision-source.ts';

export interface LedgerWriterOptions {
  db: Database;
  source: DecisionSource;
  /** Entries read and committed per transaction. */
  batchSize?: number;
  /** Pause between polls when a pass found nothing to do. */
  pollIntervalMs?: number;
  logger?: Logger | undefined;
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
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private lastLag: LedgerLag = { total: 0, byAuction: new Map() };

  constructor(opts: LedgerWriterOptions) {
    this.db = opts.db;
    this.source = opts.source;
    this.batchSize = opts.batchSize ?? 500;
    this.pollIntervalMs = opts.pollIntervalMs ?? 250;
    this.logger = opts.logger;
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
        this.logger?.error({ err, auctionId }, 'ledger batch failed; retrying next pass');
      }
    }
    return pass;
  }

  /** Polls until `stop()`: a pass, then a pause when it found nothing. Errors are logged and retried. */
  start(): void {
    if (this.running !== undefined) return;
    this.stopping = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  /** The lag measured after the latest pass of the loop (zero before the first). */
  get lastMeasuredLag(): LedgerLag {
    return this.lastLag;
  }

  /** Entries appended to each stream and not yet applied: the stream's entries-added counter minus the cursor's count. */
  async lag(): Promise<LedgerLag> {
    const byAuction = new Map<string, number>();
    let total = 0;
    for (const auctionId of await this.source.auctions()) {
      const appended = await this.source.appended(auctionId);
      const cursor = await this.cursor(this.db, auctionId);
      const behind = Math.max(0, appended - (cursor?.applied ?? 0));
      byAuction.set(auctionId, behind);
      total += behind;
    }
    return { total, byAuction };
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let idle = true;
      try {
        const pass = await this.runOnce();
        idle = pass.applied === 0;
        this.lastLag = await this.lag();
        if (pass.applied > 0) this.logger?.debug({ ...pass, lag: this.lastLag.total }, 'ledger pass');
      } catch (err) {
        this.logger?.error({ err }, 'ledger pass failed; retrying');
      }
      if (idle && !this.stopping) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollIntervalMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
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
    const currency = entries.some(isBidRecord) ? await this.source.currency(auctionId) : undefined;
    const bids = entries.filter(isBidRecord).map((e) => bidRow(e, auctionId, currency));
    const floor = entries
      .filter((e): e is RecordedFloorAction => !isBidRecord(e))
      .map((e) => floorRow(e, auctionId));
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
          [auctionId, from.lastStreamId, last.streamId, seqOf(last), entries.length],
        );
        if (moved.length === 0) throw new CursorMoved();
        if (bids.length > 0) await insertBids(tx, bids);
        if (floor.length > 0) await insertFloorActions(tx, floor);
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
    return entries.length;
  }
}

function seqOf(e: RecordedEvent): number {
  return isBidRecord(e) ? e.decision.seq : e.result.seq;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function bidRow(
  e: RecordedDecision,
  auctionId: string,
  currency: string | undefined,
): Record<string, unknown> {
  if (currency === undefined) {
    // The stream exists but the auction's state does not: nothing can say what the amounts are in.
    throw new Error(`auction ${auctionId}: currency unknown, cannot record bid seq ${e.decision.seq}`);
  }
  const d = e.decision;
  return {
    auction_id: auctionId,
    seq: d.seq,
    bidder_id: d.bidderId,
    amount_minor: d.amount,
    max_minor: e.max ?? null,
    currency,
    outcome: d.outcome,
    reason: d.reason ?? null,
    kind: d.kind ?? null,
    source: e.source,
    price_minor: d.price,
    leader_id: d.leaderId ?? null,
    price_changed: d.priceChanged,
    ends_at: d.endsAt > 0 ? iso(d.endsAt) : null,
    extended: d.extended,
    decided_at: iso(d.decidedAt),
    idempotency_key: e.idempotencyKey,
    correlation_id: e.correlationId ?? null,
    paddle: e.paddle ?? null,
    stream_id: e.streamId,
  };
}

function floorRow(e: RecordedFloorAction, auctionId: string): Record<string, unknown> {
  const r = e.result;
  const { action, ...args } = e.action;
  return {
    auction_id: auctionId,
    seq: r.seq,
    action,
    args,
    outcome: r.outcome,
    reason: r.reason ?? null,
    status: r.status ?? null,
    previous_status: r.previousStatus ?? null,
    price_minor: r.price,
    previous_price_minor: r.previousPrice,
    leader_id: r.leaderId ?? null,
    leader_kind: r.leaderKind ?? null,
    asking_minor: r.asking,
    step_minor: r.step,
    standing_seq: r.standingSeq,
    message: r.message ?? null,
    undone_action: r.undone?.action ?? null,
    undone_seq: r.undone?.seq ?? null,
    decided_at: iso(r.decidedAt),
    idempotency_key: e.idempotencyKey,
    correlation_id: e.correlationId ?? null,
    stream_id: e.streamId,
  };
}

// One statement per batch: the rows travel as one JSON parameter, which both pg and PGlite bind the
// same way. Only (auction_id, seq) is allowed to conflict: any other violation is a real error.
async function insertBids(tx: Queryable, rows: Record<string, unknown>[]): Promise<void> {
  await tx.query(
    `INSERT INTO bids (auction_id, seq, bidder_id, amount_minor, max_minor, currency, outcome, reason, kind, source,
                       price_minor, leader_id, price_changed, ends_at, extended, decided_at, idempotency_key,
                       correlation_id, paddle, stream_id)
     SELECT auction_id, seq, bidder_id, amount_minor, max_minor, currency, outcome, reason, kind, source,
            price_minor, leader_id, price_changed, ends_at, extended, decided_at, idempotency_key,
            correlation_id, paddle, stream_id
       FROM jsonb_to_recordset($1::jsonb) AS r(
              auction_id text, seq bigint, bidder_id text, amount_minor bigint, max_minor bigint, currency text,
              outcome text, reason text, kind text, source text, price_minor bigint, leader_id text,
              price_changed boolean, ends_at timestamptz, extended boolean, decided_at timestamptz,
              idempotency_key text, correlation_id text, paddle text, stream_id text)
      ORDER BY seq
     ON CONFLICT (auction_id, seq) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

async function insertFloorActions(tx: Queryable, rows: Record<string, unknown>[]): Promise<void> {
  await tx.query(
    `INSERT INTO floor_actions (auction_id, seq, action, args, outcome, reason, status, previous_status, price_minor,
                                previous_price_minor, leader_id, leader_kind, asking_minor, step_minor, standing_seq,
                                message, undone_action, undone_seq, decided_at, idempotency_key, correlation_id,
                                stream_id)
     SELECT auction_id, seq, action, args, outcome, reason, status, previous_status, price_minor,
            previous_price_minor, leader_id, leader_kind, asking_minor, step_minor, standing_seq,
            message, undone_action, undone_seq, decided_at, idempotency_key, correlation_id, stream_id
       FROM jsonb_to_recordset($1::jsonb) AS r(
              auction_id text, seq bigint, action text, args jsonb, outcome text, reason text, status text,
              previous_status text, price_minor bigint, previous_price_minor bigint, leader_id text,
              leader_kind text, asking_minor bigint, step_minor bigint, standing_seq bigint, message text,
              undone_action text, undone_seq bigint, decided_at timestamptz, idempotency_key text,
              correlation_id text, stream_id text)
      ORDER BY seq
     ON CONFLICT (auction_id, seq) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
