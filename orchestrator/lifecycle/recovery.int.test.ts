import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BidDecision } from '../../bidding/back-office.ts';
import { backOfficeEventSchemas, bidderNoticeSchema } from '../../common/contracts/index.ts';
import { startTestBackOffice, until, type TestBackOffice } from '../../test/support/orchestrator.ts';

let t: TestBackOffice;
let engine: TestBackOffice['engine'];
let orch: TestBackOffice['orch'];

beforeAll(async () => {
  t = await startTestBackOffice('recovery');
  ({ engine, orch } = t);
}, 30_000);
afterAll(() => t.close());

const api = (method: string, path: string, body?: unknown) => t.api(method, path, body);
const ok = (method: string, path: string, body?: unknown) => t.ok(method, path, body);

/** A timed sale, open now, with one lot and approved bidders. */
async function openSale(id: string, bidderIds: string[]): Promise<string> {
  const now = Date.now();
  for (const b of bidderIds) await api('POST', '/bidders', { id: b, name: b });
  await ok('POST', '/sales', {
    id,
    mode: 'timed',
    currency: 'EUR',
    title: id,
    startsAt: new Date(now - 1000).toISOString(),
    endsAt: new Date(now + 3_600_000).toISOString(),
    kycFreeLimit: '9000.00',
  });
  const lotId = `${id}-lot`;
  await ok('POST', `/sales/${id}/lots`, {
    id: lotId,
    lotNumber: 1,
    title: 'Lot',
    opening: '100.00',
    increments: [{ from: '0', step: '10.00' }],
  });
  await ok('POST', `/sales/${id}/publish`);
  for (const b of bidderIds)
    await ok('POST', `/sales/${id}/registrations`, { bidderId: b, limit: '9000.00', approve: true });
  await until(`${id} open`, async () =>
    (await engine.snapshot(lotId))?.status === 'open' ? true : undefined,
  );
  return lotId;
}

const place = (
  auctionId: string,
  bidderId: string,
  amount: number,
  key: string,
  max?: number,
): Promise<BidDecision> =>
  engine.placeBid({ auctionId, bidderId, amount, max, idempotencyKey: key, source: 'api' });

const ledgerCaughtUp = (lotId: string): Promise<void> => t.ledgerCaughtUp(lotId);

async function wipeEngine(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await t.ns.redis.scan(cursor, 'MATCH', `${t.ns.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await t.ns.redis.del(...keys);
  } while (cursor !== '0');
}

describe('recovery', () => {
  it('rebuilds a lot the engine lost from the ledger: seq, standing, proxy maximum, idempotent answers', async () => {
    const lot = await openSale('sale-r', ['r-alice', 'r-bob']);
    const first = await place(lot, 'r-alice', 10_000, 'a1', 50_000); // alice leaves a 500.00 maximum
    expect(first.outcome).toBe('accepted');
    expect((await place(lot, 'r-bob', 20_000, 'b1')).reason).toBe('OUTBID'); // alice's proxy answers: 210.00
    expect((await place(lot, 'r-bob', 30_000, 'b2')).reason).toBe('OUTBID'); // 310.00
    const before = (await engine.snapshot(lot))!;
    expect(before).toMatchObject({ price: 31_000, leaderId: 'r-alice' });
    await ledgerCaughtUp(lot);

    await wipeEngine(); // Redis lost everything
    expect((await place(lot, 'r-bob', 40_000, 'b3')).reason).toBe('UNKNOWN_AUCTION'); // nothing accepted meanwhile

    // The lifecycle notices within a tick and restores the lot from PostgreSQL.
    const after = await until('restored', () => engine.snapshot(lot));
    expect(after).toMatchObject({
      status: 'open',
      price: before.price,
      leaderId: before.leaderId,
      bidCount: before.bidCount,
      lastSeq: before.lastSeq,
      endsAt: before.endsAt,
    });
    // A retry of a bid acknowledged before the loss: the same answer, no second effect.
    const retried = await place(lot, 'r-alice', 10_000, 'a1', 50_000);
    expect(retried).toMatchObject({ seq: first.seq, outcome: 'accepted', replayed: true });
    // Eligibility came back, and alice's confidential maximum still answers: 400.00 → alice at 410.00.
    const next = await place(lot, 'r-bob', 40_000, 'b4');
    expect(next).toMatchObject({
      seq: before.lastSeq + 1,
      reason: 'OUTBID',
      price: 41_000,
      leaderId: 'r-alice',
    });
    expect((await place(lot, 'r-bob', 60_000, 'b5')).outcome).toBe('accepted');

    await ledgerCaughtUp(lot);
    const seqs = await orch.db.query<{ seq: unknown }>(
      'SELECT seq FROM bids WHERE auction_id = $1 ORDER BY seq',
      [lot],
    );
    expect(seqs.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('bid cancellation', () => {
  it('keeps the bid in the ledger, recomputes the standing in the engine, records and announces it', async () => {
    const lot = await openSale('sale-c', ['c-alice', 'c-bob']);
    await place(lot, 'c-alice', 10_000, 'a1');
    const bob = await place(lot, 'c-bob', 20_000, 'b1');
    expect(bob.outcome).toBe('accepted');
    await ledgerCaughtUp(lot);

    // The ledger writer pauses: the restate stays in the engine's stream only, for now.
    await orch.writer.stop();
    const cancelled = await ok('POST', `/lots/${lot}/bids/${bob.seq}/cancel`, {
      reason: 'bidder called: typing error',
    });
    expect(cancelled).toMatchObject({
      cancelled: { seq: bob.seq, bidderId: 'c-bob' },
      standing: { price: '100.00', leaderId: 'c-alice' },
    });
    expect(await engine.snapshot(lot)).toMatchObject({ price: 10_000, leaderId: 'c-alice', bidCount: 1 });
    // Bidding goes on from the recomputed standing.
    expect((await place(lot, 'c-bob', 11_000, 'b2')).outcome).toBe('accepted');

    // Again, before the ledger has the restate (found in the stream) and after (found in the ledger):
    // the same result, no second restate.
    const again = await ok('POST', `/lots/${lot}/bids/${bob.seq}/cancel`, {
      reason: 'bidder called: typing error',
    });
    expect(again).toMatchObject({ replayed: true, standing: cancelled.standing });
    orch.writer.start();
    await ledgerCaughtUp(lot);
    const third = await ok('POST', `/lots/${lot}/bids/${bob.seq}/cancel`, {
      reason: 'bidder called: typing error',
    });
    expect(third).toMatchObject({ replayed: true, standing: cancelled.standing });
    await ledgerCaughtUp(lot);
    const bids = await orch.db.query<{ seq: unknown; outcome: string }>(
      'SELECT seq, outcome FROM bids WHERE auction_id = $1 ORDER BY seq',
      [lot],
    );
    expect(bids.map((b) => b.outcome)).toEqual(['accepted', 'accepted', 'accepted']); // nothing edited
    const changes = await orch.db.query<{ reason: string; price_minor: unknown }>(
      'SELECT reason, price_minor FROM standing_changes WHERE auction_id = $1',
      [lot],
    );
    expect(changes).toEqual([{ reason: `bid_cancelled:${bob.seq}`, price_minor: '10000' }]);
    const audit = (await ok('GET', `/audit?entityType=bid&entityId=${lot}/${bob.seq}`)).entries as {
      action: string;
    }[];
    expect(audit.map((a) => a.action)).toEqual(['bid.cancel']);
    const [restated] = await orch.db.query<{ topic: string }>(
      `SELECT topic FROM outbox_events WHERE type = 'auction.restated' AND payload->>'lotId' = $1`,
      [lot],
    );
    expect(restated?.topic).toBe('https://gavel.local/sales/sale-c');
    // The lot's opening went out before (its public update, on its auction and sale topics).
    const openings = await orch.db.query<{ topic: string }>(
      `SELECT topic FROM outbox_events
        WHERE type = 'auction' AND payload->>'auctionId' = $1 AND payload->>'lastAction' = 'open' ORDER BY id`,
      [lot],
    );
    expect(openings.map((o) => o.topic)).toEqual([
      `https://gavel.local/auctions/${lot}`,
      'https://gavel.local/sales/sale-c',
    ]);
    // The back office's events name the lot `lotId`; the bidder notice names it `auctionId`, as the engine's do.
    const events = await orch.db.query<{ type: string; topic: string; payload: unknown }>(
      `SELECT type, topic, payload FROM outbox_events
        WHERE COALESCE(payload->>'lotId', payload->>'auctionId') = $1
          AND NOT (type = 'auction' AND payload->>'lastAction' = 'open') ORDER BY id`,
      [lot],
    );
    expect(events.map((e) => e.type)).toEqual(['auction.restated', 'bid.cancelled', 'leading']); // alice leads again
    const [restatedEvent, cancelledEvent] = events.map((e) =>
      typeof e.payload === 'string' ? (JSON.parse(e.payload) as unknown) : e.payload,
    );
    expect(backOfficeEventSchemas['auction.restated'].parse(restatedEvent)).toMatchObject({
      lotId: lot,
      price: '100.00',
      reason: 'bid_cancelled',
    });
    expect(backOfficeEventSchemas['bid.cancelled'].parse(cancelledEvent)).toMatchObject({
      lotId: lot,
      bidderId: 'c-bob',
      seq: bob.seq,
    });
    // The `leading` notice is the engine's shape (the page drops anything else), at the restate's seq.
    const leading = events[2]!;
    const restatedSeq = (cancelled as { standing: { seq: number } }).standing.seq;
    expect(leading.topic).toBe('https://gavel.local/bidders/c-alice');
    const payload =
      typeof leading.payload === 'string' ? (JSON.parse(leading.payload) as unknown) : leading.payload;
    expect(bidderNoticeSchema.parse(payload)).toEqual({
      type: 'leading',
      auctionId: lot,
      seq: restatedSeq,
      price: '100.00',
      currency: 'EUR',
      yourMaximum: null,
    });

    expect((await api('POST', `/lots/${lot}/bids/999/cancel`, { reason: 'nope' })).body.error?.code).toBe(
      'UNKNOWN_BID',
    );
    expect((await api('POST', `/lots/${lot}/bids/x/cancel`, { reason: 'nope' })).body.error?.code).toBe(
      'BAD_SEQ',
    );
    const refused = await place(lot, 'c-alice', 100, 'a-low');
    await ledgerCaughtUp(lot);
    expect(
      (await api('POST', `/lots/${lot}/bids/${refused.seq}/cancel`, { reason: 'nope' })).body.error?.code,
    ).toBe('NOT_ACCEPTED');
  });
});
