import type { Logger } from '../../common/index.ts';
import { FailureStreak } from '../../common/failure-streak.ts';
import {
  isBidRecord,
  isFloorRecord,
  isRestateRecord,
  seqOfRecord,
  type RecordedBid,
  type RecordedFloorAction,
  type RecordedRestate,
  type BidSource,
  type LedgerBidRow,
  type LedgerStandingRow,
  type RejectReason,
} from '../../bidding/index.ts';
import type { Database, Queryable } from './db.ts';
import type { DecisionSource } from './decision-source.ts';
import { Poller } from '../service/poller.ts';

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
  private readonly poller: Poller;
  private lastLag: LedgerLag = { total: 0, byAuction: new Map() };
  private completedPasses = 0;
  /** An outage fails every pass: one line when passes start failing, one when they succeed again. */
  private readonly failures: FailureStreak;

  constructor(opts: LedgerWriterOptions) {
    this.db = opts.db;
    this.source = opts.source;
    this.batchSize = opts.batchSize ?? 500;
    this.pollIntervalMs = opts.pollIntervalMs ?? 250;
    this.logger = opts.logger;
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

const iso = (ms: number): string => new Date(ms).toISOString();

/** What the ledger holds of one auction, in the shapes the engine's recovery helpers take. */
export interface LedgerHistory {
  /** Every bid decision, in seq order (for `bidAnswersFromLedger`, and `replayStanding` after `isReplayableBid`). */
  bids: LedgerBidRow[];
  /** Floor actions and standing changes: the other rows that set the standing, in seq order. */
  others: LedgerStandingRow[];
  /** The highest seq recorded (0 when none): what `restore` takes as `seq`. */
  lastSeq: number;
  /** The writer's cursor (undefined when it never ran for the auction): `restore`'s `afterStreamId`. */
  cursorStreamId: string | undefined;
}

/**
 * Reads an auction's ledger back for a recovery of the engine (`BiddingStore.restore`): the bid
 * rows with their answers' fields, the standing set by floor actions and standing changes, and
 * the writer's cursor. Entries the writer had not yet applied when Redis lost them are not there.
 */
export async function readLedgerHistory(q: Queryable, auctionId: string): Promise<LedgerHistory> {
  const ms = (col: string): string => `(extract(epoch FROM ${col}) * 1000)::bigint::text`;
  const bids = await q.query<{
    seq: string;
    bidder_id: string;
    amount: string;
    max: string | null;
    outcome: 'accepted' | 'rejected';
    reason: string | null;
    kind: LedgerBidRow['kind'] | null;
    price: string;
    leader_id: string | null;
    price_changed: boolean;
    ends_at: string | null;
    extended: boolean;
    decided_at: string;
    idempotency_key: string;
    source: BidSource;
    stream_id: string;
  }>(
    `SELECT seq::text, bidder_id, amount_minor::text AS amount, max_minor::text AS max, outcome, reason, kind,
            price_minor::text AS price, leader_id, price_changed, ${ms('ends_at')} AS ends_at, extended,
            ${ms('decided_at')} AS decided_at, idempotency_key, source, stream_id
       FROM bids WHERE auction_id = $1 ORDER BY seq`,
    [auctionId],
  );
  const others = await q.query<{
    seq: string;
    price: string;
    leader_id: string | null;
    bid_count: string | null;
  }>(
    `SELECT seq::text, price_minor::text AS price, leader_id, NULL::text AS bid_count
       FROM floor_actions WHERE auction_id = $1
     UNION ALL
     SELECT seq::text, price_minor::text, leader_id, bid_count::text
       FROM standing_changes WHERE auction_id = $1
     ORDER BY 1`,
    [auctionId],
  );
  const [cursor] = await q.query<{ last_stream_id: string }>(
    'SELECT last_stream_id FROM ledger_cursors WHERE auction_id = $1',
    [auctionId],
  );
  const out: LedgerHistory = {
    bids: bids.map((b) => ({
      seq: Number(b.seq),
      bidderId: b.bidder_id,
      amount: Number(b.amount),
      max: b.max === null ? undefined : Number(b.max),
      outcome: b.outcome,
      reason: (b.reason ?? undefined) as RejectReason | undefined,
      kind: b.kind ?? undefined,
      price: Number(b.price),
      leaderId: b.leader_id ?? undefined,
      priceChanged: b.price_changed,
      endsAt: b.ends_at === null ? 0 : Number(b.ends_at),
      extended: b.extended,
      decidedAt: Number(b.decided_at),
      idempotencyKey: b.idempotency_key,
      source: b.source,
      streamId: b.stream_id,
    })),
    others: others
      .map((o) => ({
        seq: Number(o.seq),
        price: Number(o.price),
        leaderId: o.leader_id ?? undefined,
        bidCount: o.bid_count === null ? undefined : Number(o.bid_count),
      }))
      .sort((a, b) => a.seq - b.seq),
    lastSeq: 0,
    cursorStreamId: cursor?.last_stream_id === '0' ? undefined : cursor?.last_stream_id,
  };
  out.lastSeq = Math.max(out.bids.at(-1)?.seq ?? 0, out.others.at(-1)?.seq ?? 0);
  return out;
}

function bidRow(e: RecordedBid, auctionId: string, currency: string | undefined): Record<string, unknown> {
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
    assurance: e.assurance ?? null,
  };
}

function restateRow(
  e: RecordedRestate,
  auctionId: string,
  currency: string | undefined,
): Record<string, unknown> {
  if (currency === undefined)
    throw new Error(`auction ${auctionId}: currency unknown, cannot record restate seq ${e.seq}`);
  return {
    auction_id: auctionId,
    seq: e.seq,
    currency,
    previous_price_minor: e.previous.price,
    previous_leader_id: e.previous.leaderId ?? null,
    previous_bid_count: e.previous.bidCount,
    price_minor: e.standing.price,
    leader_id: e.standing.leaderId ?? null,
    bid_count: e.standing.bidCount,
    reason: e.reason,
    actor: e.actor,
    decided_at: iso(e.decidedAt),
    idempotency_key: e.idempotencyKey,
    correlation_id: e.correlationId ?? null,
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
                       correlation_id, paddle, stream_id, assurance)
     SELECT auction_id, seq, bidder_id, amount_minor, max_minor, currency, outcome, reason, kind, source,
            price_minor, leader_id, price_changed, ends_at, extended, decided_at, idempotency_key,
            correlation_id, paddle, stream_id, assurance
       FROM jsonb_to_recordset($1::jsonb) AS r(
              auction_id text, seq bigint, bidder_id text, amount_minor bigint, max_minor bigint, currency text,
              outcome text, reason text, kind text, source text, price_minor bigint, leader_id text,
              price_changed boolean, ends_at timestamptz, extended boolean, decided_at timestamptz,
              idempotency_key text, correlation_id text, paddle text, stream_id text, assurance text)
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

async function insertStandingChanges(tx: Queryable, rows: Record<string, unknown>[]): Promise<void> {
  await tx.query(
    `INSERT INTO standing_changes (auction_id, seq, currency, previous_price_minor, previous_leader_id,
                                   previous_bid_count, price_minor, leader_id, bid_count, reason, actor,
                                   decided_at, idempotency_key, correlation_id, stream_id)
     SELECT auction_id, seq, currency, previous_price_minor, previous_leader_id, previous_bid_count, price_minor,
            leader_id, bid_count, reason, actor, decided_at, idempotency_key, correlation_id, stream_id
       FROM jsonb_to_recordset($1::jsonb) AS r(
              auction_id text, seq bigint, currency text, previous_price_minor bigint, previous_leader_id text,
              previous_bid_count bigint, price_minor bigint, leader_id text, bid_count bigint, reason text,
              actor text, decided_at timestamptz, idempotency_key text, correlation_id text, stream_id text)
      ORDER BY seq
     ON CONFLICT (auction_id, seq) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
