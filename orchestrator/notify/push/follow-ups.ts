/**
 * The pushes that follow from the engine's decisions (docs/push-notifications.md), queued by the
 * ledger writer in the transaction that records them (LedgerWriter `afterBatch`), so each is queued
 * exactly once whatever the retries: the decision's seq is in its dedupe key.
 * - `lot.outbid`: an online bidder lost the lead to a bid, online or from the floor.
 * - `lot.coming_up`: a live lot opened; its sale's lot two further on is coming up, and the bidders
 *   who left an absentee bid on that lot are told.
 * Only bidders with a push subscription get a row: the outbox carries nothing nobody will receive.
 */
import { isBidRecord, isFloorRecord, type RecordedEvent } from '../../../bidding/back-office.ts';
import { formatAmount } from '../../../common/money.ts';
import type { Topics } from '../../../common/topics.ts';
import type { Queryable } from '../../ledger/db.ts';

/** An online bidder (a live lot's floor bidders are `paddle:<n>` and have no browser to push to). */
const online = (id: string | undefined): id is string => id !== undefined && !id.startsWith('paddle:');

interface Outbid {
  bidderId: string;
  seq: number;
  price: number;
  correlationId: string | null;
}

/** Who lost the lead in these entries: each a bidder with a private topic, never the new leader. */
export function outbidsIn(entries: readonly RecordedEvent[]): Outbid[] {
  const out: Outbid[] = [];
  for (const e of entries) {
    if (isBidRecord(e)) {
      const d = e.decision;
      const prev = d.previousLeaderId;
      if (d.outcome === 'accepted' && d.kind === 'bid' && online(prev) && prev !== d.leaderId)
        out.push({ bidderId: prev, seq: d.seq, price: d.price, correlationId: e.correlationId ?? null });
    } else if (isFloorRecord(e)) {
      const r = e.result;
      const prev = r.previousLeaderId;
      if (
        r.outcome === 'accepted' &&
        r.action === 'floor_bid' &&
        online(prev) &&
        r.leaderId !== undefined &&
        prev !== r.leaderId
      )
        out.push({ bidderId: prev, seq: r.seq, price: r.price, correlationId: e.correlationId ?? null });
    }
  }
  return out;
}

/** The seq of each accepted `open` of a live lot in these entries. */
export function openingsIn(
  entries: readonly RecordedEvent[],
): { seq: number; correlationId: string | null }[] {
  return entries
    .filter(isFloorRecord)
    .filter((e) => e.result.action === 'open' && e.result.outcome === 'accepted')
    .map((e) => ({ seq: e.result.seq, correlationId: e.correlationId ?? null }));
}

/** The ledger writer's `afterBatch` when Web Push is on. */
export function pushFollowUps(
  topics: Topics,
): (tx: Queryable, auctionId: string, entries: RecordedEvent[]) => Promise<void> {
  return async (tx, auctionId, entries) => {
    const outbids = outbidsIn(entries);
    const openings = openingsIn(entries);
    if (outbids.length === 0 && openings.length === 0) return;
    const [lot] = await tx.query<{ currency: string }>('SELECT currency FROM lots WHERE id = $1', [
      auctionId,
    ]);
    if (lot === undefined) return;
    if (outbids.length > 0) await queueOutbids(tx, topics, auctionId, lot.currency.trim(), outbids);
    if (openings.length > 0) await queueComingUp(tx, topics, auctionId, openings[0]!.correlationId);
  };
}

async function queueOutbids(
  tx: Queryable,
  topics: Topics,
  lotId: string,
  currency: string,
  outbids: Outbid[],
): Promise<void> {
  const rows = outbids.map((o) => ({
    topic: topics.bidder(o.bidderId),
    bidder_id: o.bidderId,
    seq: o.seq,
    price: formatAmount(o.price, currency),
    dedupe_key: `push:lot:${lotId}:outbid:${o.seq}:${o.bidderId}`,
    correlation_id: o.correlationId,
  }));
  await tx.query(
    `INSERT INTO outbox_events (topic, type, payload, dedupe_key, correlation_id)
     SELECT r.topic, 'lot.outbid',
            jsonb_build_object('lotId', l.id, 'saleId', l.sale_id, 'lotNumber', l.lot_number, 'title', l.title,
                               'currency', $3::text, 'bidderId', r.bidder_id, 'seq', r.seq, 'price', r.price),
            r.dedupe_key, r.correlation_id
       FROM jsonb_to_recordset($1::jsonb) AS r(topic text, bidder_id text, seq bigint, price text,
                                               dedupe_key text, correlation_id text)
       JOIN lots l ON l.id = $2
      WHERE EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.bidder_id = r.bidder_id)
      ORDER BY r.seq
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [JSON.stringify(rows), lotId, currency],
  );
}

/** The lot two further on in the opened lot's live sale, to its absentee bidders with a subscription. */
async function queueComingUp(
  tx: Queryable,
  topics: Topics,
  openedLotId: string,
  correlationId: string | null,
): Promise<void> {
  const [target] = await tx.query<{ id: string; sale_id: string; lot_number: number; title: string }>(
    `SELECT l.id, l.sale_id, l.lot_number, l.title FROM lots l
       JOIN lots o ON o.id = $1 AND l.sale_id = o.sale_id AND l.lot_number > o.lot_number
       JOIN sales s ON s.id = o.sale_id AND s.mode = 'live'
      WHERE l.status = 'scheduled'
      ORDER BY l.lot_number LIMIT 1 OFFSET 1`,
    [openedLotId],
  );
  if (target === undefined) return;
  const bidders = await tx.query<{ bidder_id: string }>(
    `SELECT DISTINCT b.bidder_id FROM bids b
      WHERE b.auction_id = $1 AND b.outcome = 'accepted'
        AND EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.bidder_id = b.bidder_id)
      ORDER BY b.bidder_id`,
    [target.id],
  );
  for (const { bidder_id: bidderId } of bidders) {
    if (!online(bidderId)) continue;
    await tx.query(
      `INSERT INTO outbox_events (topic, type, payload, dedupe_key, correlation_id) VALUES ($1, 'lot.coming_up', $2, $3, $4)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        topics.bidder(bidderId),
        JSON.stringify({
          lotId: target.id,
          saleId: target.sale_id,
          lotNumber: Number(target.lot_number),
          title: target.title,
          bidderId,
        }),
        `push:lot:${target.id}:coming_up:${bidderId}`,
        correlationId,
      ],
    );
  }
}
