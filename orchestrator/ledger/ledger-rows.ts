/** Decision-stream entries as ledger rows (bids, floor actions, standing changes) and their batched inserts. */
import {
  type RecordedBid,
  type RecordedFloorAction,
  type RecordedRestate,
} from '../../bidding/back-office.ts';
import type { Queryable } from './db.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

export function bidRow(
  e: RecordedBid,
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
    assurance: e.assurance ?? null,
  };
}

export function restateRow(
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

export function floorRow(e: RecordedFloorAction, auctionId: string): Record<string, unknown> {
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
export async function insertBids(tx: Queryable, rows: Record<string, unknown>[]): Promise<void> {
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

export async function insertFloorActions(tx: Queryable, rows: Record<string, unknown>[]): Promise<void> {
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

export async function insertStandingChanges(tx: Queryable, rows: Record<string, unknown>[]): Promise<void> {
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
