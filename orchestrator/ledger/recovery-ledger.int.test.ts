import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bidAnswersFromLedger,
  isReplayableBid,
  replayStanding,
  RedisBiddingStore,
  seqOfRecord,
  type AuctionSetup,
  type BidDecision,
  type BidRequest,
  type RestoreState,
} from '../../bidding/back-office.ts';
import { compareStreamIds } from '../../common/stream-id.ts';
import type { Database } from './db.ts';
import { RedisDecisionSource } from './decision-source.ts';
import { readLedgerHistory } from './history.ts';
import { LedgerWriter } from './ledger-writer.ts';
import { migrate } from './migrate.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';

/**
 * The engine's Redis state is lost after the ledger recorded part of an auction: the orchestrator
 * rebuilds it from the ledger (restore), bidding goes on, and the ledger writer carries on from its
 * cursor — every decision recorded once, seqs contiguous, the lag right.
 */
const ns = redisNamespace('recovery-ledger');
const pg = postgresSchema('recovery_ledger');
let db: Database;
let store: RedisBiddingStore;
const BIDDERS = ['alice', 'bob', 'carol', 'dave'];
const LIMIT = 1_000_000_000;

beforeAll(async () => {
  await pg.create();
  db = pg.open(4);
  await migrate(db);
  store = new RedisBiddingStore({ redis: ns.redis, prefix: ns.prefix });
});
afterAll(async () => {
  await pg.cleanup();
  await ns.cleanup();
});

const source = (): RedisDecisionSource => new RedisDecisionSource({ redis: ns.connect(), prefix: ns.prefix });

async function newAuction(): Promise<AuctionSetup> {
  const setup = timedSetup(randomUUID(), Date.now(), { endsAt: Date.now() + 3_600_000 });
  await store.configure(setup);
  for (const b of BIDDERS) await store.setEligibility(setup.id, b, LIMIT);
  return setup;
}

/** Redis loses everything the engine had for the auction (FLUSHALL, restart without persistence). */
async function flush(auctionId: string): Promise<void> {
  const k = store.keys(auctionId);
  await ns.redis.del(k.state, k.eligibility, k.idempotency, k.decisions);
}

/** A rising run of bids with proxies and refusals mixed in. */
async function bids(auctionId: string, from: number, n: number, tag: string): Promise<BidRequest[]> {
  const out: BidRequest[] = [];
  for (let i = 0; i < n; i++) {
    const req: BidRequest = {
      auctionId,
      bidderId: BIDDERS[i % BIDDERS.length]!,
      amount: from + i * 10_000 - (i % 5 === 3 ? 20_000 : 0),
      max: i % 4 === 1 ? from + i * 10_000 + 15_000 : undefined,
      idempotencyKey: `${tag}-${i}`,
      source: 'api',
    };
    out.push(req);
    await store.placeBid(req);
  }
  return out;
}

/** The standing the orchestrator restores: the replay of the remaining bids, at the ledger's last seq. */
async function restoreFromLedger(
  setup: AuctionSetup,
  cancelled: ReadonlySet<number>,
  opts: { afterStreamId?: boolean } = {},
): Promise<RestoreState> {
  const history = await readLedgerHistory(db, setup.id);
  const last = history.bids.at(-1)!;
  const standing = replayStanding(
    setup,
    history.bids.filter((b) => isReplayableBid(b) && !cancelled.has(b.seq)),
  );
  return {
    setup,
    status: 'open',
    endsAt: last.endsAt,
    ...standing,
    seq: history.lastSeq,
    eligibility: Object.fromEntries(BIDDERS.map((b) => [b, LIMIT])),
    answers: bidAnswersFromLedger(setup, history.bids, history.others),
    afterStreamId: opts.afterStreamId === false ? undefined : history.cursorStreamId,
  };
}

async function ledgerSeqs(auctionId: string): Promise<{ seq: number; table: string }[]> {
  const rows = await db.query<{ seq: string; t: string }>(
    `SELECT seq::text, 'bid' AS t FROM bids WHERE auction_id = $1
     UNION ALL SELECT seq::text, 'restate' FROM standing_changes WHERE auction_id = $1
     ORDER BY 1`,
    [auctionId],
  );
  return rows.map((r) => ({ seq: Number(r.seq), table: r.t })).sort((a, b) => a.seq - b.seq);
}

describe('ledger writer across a recovery of the engine', () => {
  it('records a restate in standing_changes, beside the bids, in one seq', async () => {
    const setup = await newAuction();
    const a = await store.placeBid({
      auctionId: setup.id,
      bidderId: 'alice',
      amount: 10_000,
      max: 50_000,
      idempotencyKey: 'a',
      source: 'api',
    });
    const b = await store.placeBid({
      auctionId: setup.id,
      bidderId: 'bob',
      amount: 30_000,
      idempotencyKey: 'b',
      source: 'api',
    });
    expect(b).toMatchObject({ reason: 'OUTBID', price: 35_000 });
    const writer = new LedgerWriter({ db, source: source() });
    await writer.runOnce();
    // The admin cancels alice's bid: the standing is recomputed from what remains.
    const history = await readLedgerHistory(db, setup.id);
    const standing = replayStanding(
      setup,
      history.bids.filter((r) => isReplayableBid(r) && r.seq !== a.seq),
    );
    const r = await store.restate({
      auctionId: setup.id,
      idempotencyKey: `cancel-${a.seq}`,
      reason: `bid_cancelled:${a.seq}`,
      actor: 'admin-7',
      standing,
      correlationId: 'req-1',
    });
    expect(r).toMatchObject({ seq: 3, standing: { price: 30_000, leaderId: 'bob', bidCount: 1 } });
    expect((await writer.lag()).byAuction.get(setup.id)).toBe(1);
    await writer.runOnce();
    expect((await writer.lag()).byAuction.get(setup.id)).toBe(0);
    const [row] = await db.query<Record<string, unknown>>(
      `SELECT seq::text, currency, previous_price_minor::text AS pp, previous_leader_id, previous_bid_count::text AS pb,
              price_minor::text AS p, leader_id, bid_count::text AS bc, reason, actor, idempotency_key, correlation_id
         FROM standing_changes WHERE auction_id = $1`,
      [setup.id],
    );
    expect(row).toEqual({
      seq: '3',
      currency: 'EUR',
      pp: '35000',
      previous_leader_id: 'alice',
      pb: '2',
      p: '30000',
      leader_id: 'bob',
      bc: '1',
      reason: 'bid_cancelled:1',
      actor: 'admin-7',
      idempotency_key: 'cancel-1',
      correlation_id: 'req-1',
    });
    expect(await ledgerSeqs(setup.id)).toEqual([
      { seq: 1, table: 'bid' },
      { seq: 2, table: 'bid' },
      { seq: 3, table: 'restate' },
    ]);
    // Append-only.
    await expect(db.query('DELETE FROM standing_changes WHERE auction_id = $1', [setup.id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('bids, ledger, FLUSH, restore from the ledger, more bids, ledger: contiguous, no loss, no doubles, lag 0', async () => {
    const setup = await newAuction();
    const writer = new LedgerWriter({ db, source: source(), batchSize: 7 });
    const before = await bids(setup.id, 10_000, 30, 'pre');
    const answered = new Map<string, BidDecision>();
    // What the bidders were told, to compare their retries with after the loss.
    for (const req of before) answered.set(req.idempotencyKey, await store.placeBid(req));
    await writer.runOnce();
    // A cancellation before the loss, recorded like the bids.
    const cancelled = new Set<number>([(await readFirstAccepted(setup.id)) ?? 0]);
    const history = await readLedgerHistory(db, setup.id);
    const standing = replayStanding(
      setup,
      history.bids.filter((b) => isReplayableBid(b) && !cancelled.has(b.seq)),
    );
    await store.restate({
      auctionId: setup.id,
      idempotencyKey: 'cancel-pre',
      reason: 'bid_cancelled',
      actor: 'admin',
      standing,
    });
    await writer.runOnce();
    expect((await writer.lag()).byAuction.get(setup.id)).toBe(0);
    const snapshotBefore = await store.snapshot(setup.id);
    expect(snapshotBefore?.lastSeq).toBe(31);

    await flush(setup.id);
    const state = await restoreFromLedger(setup, cancelled);
    expect(state.seq).toBe(31);
    expect(await store.restore(state)).toMatchObject({ restored: true, seq: 31 });
    expect(await store.snapshot(setup.id)).toMatchObject({
      price: snapshotBefore?.price,
      leaderId: snapshotBefore?.leaderId,
      bidCount: snapshotBefore?.bidCount,
      lastSeq: 31,
    });
    // A second orchestrator recovering at the same time is refused.
    expect(await store.restore(state)).toMatchObject({ restored: false, reason: 'EXISTS' });
    // Quiet after the recovery: nothing to write, and the lag says so (not negative, not stale).
    expect((await writer.lag()).byAuction.get(setup.id) ?? 0).toBe(0);
    expect((await writer.runOnce()).applied).toBe(0);

    // Retries of bids acknowledged before the loss: the same answers, nothing new recorded.
    for (const req of before.slice(-5)) {
      expect(await store.placeBid(req)).toEqual({ ...answered.get(req.idempotencyKey), replayed: true });
    }
    expect(await store.decisions(setup.id)).toEqual([]);

    const after = await bids(setup.id, (snapshotBefore?.price ?? 0) + 10_000, 20, 'post');
    expect(after).toHaveLength(20);
    const stream = await store.decisions(setup.id);
    expect(stream.map(seqOfRecord)).toEqual(Array.from({ length: 20 }, (_, i) => 32 + i));
    // The stream's entries-added counter restarted (20 < the 31 applied); the lag counts by seq.
    expect(await source().appended(setup.id)).toBe(20);
    expect((await writer.lag()).byAuction.get(setup.id)).toBe(20);
    await writer.runOnce();
    await writer.runOnce();
    expect((await writer.lag()).byAuction.get(setup.id)).toBe(0);

    const seqs = await ledgerSeqs(setup.id);
    expect(seqs.map((s) => s.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(seqs.filter((s) => s.table === 'restate').map((s) => s.seq)).toEqual([31]);
    const [cursor] = await db.query<{ last_seq: string; applied: string; last_stream_id: string }>(
      'SELECT last_seq::text, applied::text, last_stream_id FROM ledger_cursors WHERE auction_id = $1',
      [setup.id],
    );
    expect(cursor).toMatchObject({ last_seq: '51', applied: '51', last_stream_id: stream.at(-1)?.streamId });
  });

  it("writes entries decided after a recovery even when the new server's clock is behind the cursor", async () => {
    const setup = await newAuction();
    const writer = new LedgerWriter({ db, source: source() });
    await bids(setup.id, 10_000, 5, 'pre');
    await writer.runOnce();
    // The cursor stands an hour ahead of this Redis' clock (a failover onto a server whose clock is behind).
    const ahead = `${Date.now() + 3_600_000}-0`;
    await db.query('UPDATE ledger_cursors SET last_stream_id = $2 WHERE auction_id = $1', [setup.id, ahead]);

    await flush(setup.id);
    const state = await restoreFromLedger(setup, new Set());
    expect(state.afterStreamId).toBe(ahead);
    expect((await store.restore(state)).restored).toBe(true);
    await bids(setup.id, 100_000, 4, 'post');
    const stream = await store.decisions(setup.id);
    expect(stream.every((e) => compareStreamIds(e.streamId, ahead) > 0)).toBe(true);
    await writer.runOnce();
    expect((await ledgerSeqs(setup.id)).map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await writer.lag()).byAuction.get(setup.id)).toBe(0);
  });

  it('without the raised stream id those entries would sort before the cursor and be missed (the lag shows it)', async () => {
    const setup = await newAuction();
    const writer = new LedgerWriter({ db, source: source() });
    await bids(setup.id, 10_000, 3, 'pre');
    await writer.runOnce();
    const ahead = `${Date.now() + 3_600_000}-0`;
    await db.query('UPDATE ledger_cursors SET last_stream_id = $2 WHERE auction_id = $1', [setup.id, ahead]);
    await flush(setup.id);
    expect(
      (await store.restore(await restoreFromLedger(setup, new Set(), { afterStreamId: false }))).restored,
    ).toBe(true);
    await bids(setup.id, 100_000, 2, 'post');
    await writer.runOnce();
    expect((await ledgerSeqs(setup.id)).map((s) => s.seq)).toEqual([1, 2, 3]);
    expect((await writer.lag()).byAuction.get(setup.id)).toBe(2);
  });
});

async function readFirstAccepted(auctionId: string): Promise<number | undefined> {
  const [row] = await db.query<{ seq: string }>(
    `SELECT min(seq)::text AS seq FROM bids WHERE auction_id = $1 AND outcome = 'accepted'`,
    [auctionId],
  );
  return row?.seq === undefined ? undefined : Number(row.seq);
}
