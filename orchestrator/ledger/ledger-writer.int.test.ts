import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auctionRegistryKey,
  RedisBiddingStore,
  isBidRecord,
  type RecordedEvent,
} from '../../bidding/back-office.ts';
import { pgliteDatabase, type Database } from './db.ts';
import { RedisDecisionSource } from './decision-source.ts';
import { LedgerWriter } from './ledger-writer.ts';
import { migrate } from './migrate.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { REDIS_URL, redisNamespace } from '../../test/support/redis-namespace.ts';

const ns = redisNamespace('ledger');
const pg = postgresSchema('ledger');
let db: Database;
let store: RedisBiddingStore;
const BIDDERS = Array.from({ length: 20 }, (_, i) => `bidder-${i}`);

beforeAll(async () => {
  await pg.create();
  db = pg.open();
  await migrate(db);
  store = new RedisBiddingStore({ redis: ns.redis, prefix: ns.prefix });
});
afterAll(async () => {
  await pg.cleanup();
  await ns.cleanup();
});

async function newAuction(currency = 'EUR'): Promise<string> {
  const id = randomUUID();
  await store.configure(timedSetup(id, Date.now(), { currency }));
  for (const b of BIDDERS) await store.setEligibility(id, b, 1_000_000_000_000);
  return id;
}

/** `n` bids on `auctionId` over `connections` Redis connections, all at once or in `waves` with pauses: a mix of accepted and refused. */
async function burst(auctionId: string, n: number, connections = 6, waves = 1, pauseMs = 0): Promise<void> {
  const stores = Array.from(
    { length: connections },
    () => new RedisBiddingStore({ redis: ns.connect(), prefix: ns.prefix }),
  );
  const perWave = Math.ceil(n / waves);
  for (let start = 0; start < n; start += perWave) {
    await Promise.all(
      Array.from({ length: Math.min(perWave, n - start) }, (_, k) => {
        const i = start + k;
        return stores[i % connections]!.placeBid({
          auctionId,
          bidderId: BIDDERS[i % BIDDERS.length]!,
          amount: 10_000 + Math.floor(Math.random() * n) * 5_000 + (i % 13 === 0 ? 1 : 0),
          max: i % 7 === 0 ? 10_000 + n * 5_000 : undefined,
          idempotencyKey: `burst-${i}`,
          source: i % 5 === 0 ? 'sms' : 'api',
          correlationId: `req-${i}`,
        });
      }),
    );
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

async function stream(auctionId: string): Promise<RecordedEvent[]> {
  return store.decisions(auctionId, '0', 1_000_000);
}

interface LedgerBid {
  seq: number;
  bidder_id: string;
  amount_minor: number;
  max_minor: number | null;
  outcome: string;
  reason: string | null;
  kind: string | null;
  source: string;
  currency: string;
  stream_id: string;
  assurance: string | null;
}

async function ledgerBids(q: Database, auctionId: string): Promise<LedgerBid[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT seq, bidder_id, amount_minor, max_minor, outcome, reason, kind, source, currency, stream_id, assurance
       FROM bids WHERE auction_id = $1 ORDER BY seq`,
    [auctionId],
  );
  return rows.map((r) => ({
    ...(r as unknown as LedgerBid),
    seq: Number(r.seq),
    amount_minor: Number(r.amount_minor),
    max_minor: r.max_minor === null ? null : Number(r.max_minor),
  }));
}

/** The ledger must hold every stream entry once, with the engine's outcome and amounts, and the cursor must count each once. */
async function expectLedgerEqualsStream(q: Database, auctionId: string, currency = 'EUR'): Promise<number> {
  const entries = await stream(auctionId);
  const expected = entries.filter(isBidRecord).map((e) => ({
    seq: e.decision.seq,
    bidder_id: e.decision.bidderId,
    amount_minor: e.decision.amount,
    max_minor: e.max ?? null,
    outcome: e.decision.outcome,
    reason: e.decision.reason ?? null,
    kind: e.decision.kind ?? null,
    source: e.source,
    currency,
    stream_id: e.streamId,
    assurance: e.assurance ?? null,
  }));
  expect(await ledgerBids(q, auctionId)).toEqual(expected);
  // What each bid's channel gave (the burst's are API and SMS bids): copied, never left out.
  expect(expected.every((b) => b.assurance === (b.source === 'sms' ? 'caller_id' : 'session'))).toBe(true);
  const [cursor] = await q.query<{ last_stream_id: string; applied: string | number }>(
    'SELECT last_stream_id, applied FROM ledger_cursors WHERE auction_id = $1',
    [auctionId],
  );
  expect(cursor?.last_stream_id).toBe(entries.at(-1)?.streamId);
  expect(Number(cursor?.applied)).toBe(entries.length);
  return entries.length;
}

const source = (): RedisDecisionSource => new RedisDecisionSource({ redis: ns.connect(), prefix: ns.prefix });

describe('ledger writer on PostgreSQL', () => {
  it('discovers the auctions of its prefix only', async () => {
    const a = await newAuction();
    await burst(a, 3, 1);
    const other = new RedisBiddingStore({ redis: ns.redis, prefix: `${ns.prefix}:other` });
    const b = randomUUID();
    await other.configure(timedSetup(b, Date.now()));
    await other.setEligibility(b, 'x', 1_000_000);
    await other.placeBid({ auctionId: b, bidderId: 'x', amount: 10_000, idempotencyKey: 'k', source: 'api' });
    const found = await source().auctions();
    expect(found).toContain(a);
    expect(found).not.toContain(b);
  });

  it('finds auctions in the engine’s registry at every poll, and unregistered streams at the next keyspace walk', async () => {
    const lazy = new RedisDecisionSource({ redis: ns.connect(), prefix: ns.prefix, scanEveryMs: 3_600_000 });
    await lazy.auctions(); // the first call walks the keyspace
    const registered = await newAuction();
    expect(await lazy.auctions()).toContain(registered);
    // A stream whose auction is not in the registry (written by an older engine): only a walk finds it.
    const unregistered = await newAuction();
    await burst(unregistered, 2, 1);
    await ns.redis.srem(auctionRegistryKey(ns.prefix), unregistered);
    expect(await lazy.auctions()).not.toContain(unregistered);
    const eager = new RedisDecisionSource({ redis: ns.connect(), prefix: ns.prefix, scanEveryMs: 0 });
    expect(await eager.auctions()).toContain(unregistered);
  });

  it('records a burst of 2,000 concurrent bids exactly as the decision stream has them', async () => {
    const auction = await newAuction();
    await burst(auction, 2_000);
    const writer = new LedgerWriter({ db, source: source(), batchSize: 300 });
    expect((await writer.lag()).byAuction.get(auction)).toBe(2_000);
    await writer.runOnce();
    expect(await expectLedgerEqualsStream(db, auction)).toBe(2_000);
    const seqs = (await ledgerBids(db, auction)).map((b) => b.seq);
    expect(seqs).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    const outcomes = new Set((await ledgerBids(db, auction)).map((b) => b.outcome));
    expect(outcomes).toEqual(new Set(['accepted', 'rejected']));
    expect((await writer.lag()).byAuction.get(auction)).toBe(0);
    expect((await writer.runOnce()).applied).toBe(0);
  }, 60_000);

  it('replays harmlessly when a cursor is lost (the unique key is the second guard)', async () => {
    const auction = await newAuction();
    await burst(auction, 120, 2);
    const writer = new LedgerWriter({ db, source: source(), batchSize: 50 });
    await writer.runOnce();
    await db.query('DELETE FROM ledger_cursors WHERE auction_id = $1', [auction]);
    await writer.runOnce();
    expect(await expectLedgerEqualsStream(db, auction)).toBe(120);
  });

  it('skips an auction it cannot record and still records the others', async () => {
    const broken = await newAuction();
    const fine = await newAuction();
    await burst(broken, 5, 1);
    await burst(fine, 5, 1);
    // The stream outlives the auction's state: nothing says which currency its amounts are in.
    await ns.redis.del(store.keys(broken).state);
    const writer = new LedgerWriter({ db, source: source() });
    const pass = await writer.runOnce();
    expect(pass.failed).toEqual([broken]);
    expect(await expectLedgerEqualsStream(db, fine)).toBe(5);
    expect(await ledgerBids(db, broken)).toEqual([]);
    expect((await writer.lag()).byAuction.get(broken)).toBe(5);
    await ns.redis.del(store.keys(broken).decisions);
  });

  it('records floor actions of a live lot beside its bids, in one seq', async () => {
    const lot = randomUUID();
    await store.configure(
      timedSetup(lot, Date.now(), { mode: 'live', status: 'scheduled', opening: 100_000 }),
    );
    await store.setEligibility(lot, 'alice', 100_000_000);
    const act = (a: Parameters<RedisBiddingStore['floorAction']>[0]) => store.floorAction(a);
    await act({ auctionId: lot, idempotencyKey: 'f1', action: 'open' });
    await act({ auctionId: lot, idempotencyKey: 'f2', action: 'floor_bid', paddle: '12', amount: 100_000 });
    await store.placeBid({
      auctionId: lot,
      bidderId: 'alice',
      amount: 110_000,
      idempotencyKey: 'b1',
      source: 'api',
    });
    await act({ auctionId: lot, idempotencyKey: 'f3', action: 'resume' });
    await act({ auctionId: lot, idempotencyKey: 'f4', action: 'hammer' });
    const writer = new LedgerWriter({ db, source: source() });
    await writer.runOnce();
    const floor = await db.query<{
      seq: string;
      action: string;
      outcome: string;
      reason: string | null;
      args: unknown;
    }>('SELECT seq, action, outcome, reason, args FROM floor_actions WHERE auction_id = $1 ORDER BY seq', [
      lot,
    ]);
    const entries = await stream(lot);
    expect(floor.map((f) => [Number(f.seq), f.action, f.outcome, f.reason])).toEqual(
      entries
        .filter((e) => !isBidRecord(e))
        .map((e) =>
          e.type === 'floor'
            ? [e.result.seq, e.result.action, e.result.outcome, e.result.reason ?? null]
            : [],
        ),
    );
    expect(floor[1]?.args).toEqual({ paddle: '12', amount: 100_000 });
    expect(await expectLedgerEqualsStream(db, lot)).toBe(5);
  });

  it('of two writers that read the same batch, exactly one commits it', async () => {
    const auction = await newAuction();
    await burst(auction, 40, 2);
    // Both writers read the same cursor before either writes: the worst interleaving, forced.
    let waiting: (() => void)[] = [];
    const gated = (): RedisDecisionSource => {
      const s = source();
      const read = s.read.bind(s);
      s.read = async (id, after, count) => {
        const out = await read(id, after, count);
        if (id === auction && after === '0') {
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (waiting.length === 2) {
              for (const w of waiting) w();
              waiting = [];
            }
          });
        }
        return out;
      };
      s.auctions = () => Promise.resolve([auction]);
      return s;
    };
    const db2 = pg.open(2);
    const a = new LedgerWriter({ db, source: gated(), batchSize: 100 });
    const b = new LedgerWriter({ db: db2, source: gated(), batchSize: 100 });
    const [pa, pb] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(pa.conflicts + pb.conflicts).toBe(1);
    expect(pa.applied + pb.applied).toBe(40);
    expect(await expectLedgerEqualsStream(db, auction)).toBe(40);
  });

  it('two writers racing over the same auctions during bursts never double-write', async () => {
    const auctions = [await newAuction(), await newAuction('GBP'), await newAuction()];
    const db2 = pg.open(4);
    const a = new LedgerWriter({ db, source: source(), batchSize: 20, pollIntervalMs: 1 });
    const b = new LedgerWriter({ db: db2, source: source(), batchSize: 20, pollIntervalMs: 1 });
    a.start();
    b.start();
    await Promise.all(auctions.map((id) => burst(id, 500, 3)));
    // Both keep polling until the streams are fully applied.
    const deadline = Date.now() + 30_000;
    const behind = async (): Promise<number> => {
      const lag = await a.lag();
      return auctions.reduce((sum, id) => sum + (lag.byAuction.get(id) ?? 1), 0);
    };
    while ((await behind()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Plus a few more passes racing head to head on a quiet stream.
    await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(await expectLedgerEqualsStream(db, auctions[0]!)).toBe(500);
    expect(await expectLedgerEqualsStream(db, auctions[1]!, 'GBP')).toBe(500);
    expect(await expectLedgerEqualsStream(db, auctions[2]!)).toBe(500);
  }, 60_000);
});

describe('ledger writer crash and resume', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('a writer SIGKILLed mid-burst loses and doubles nothing once another resumes', async () => {
    const auction = await newAuction();
    const script = fileURLToPath(new URL('../../test/support/ledger-writer-child.ts', import.meta.url));
    child = spawn(
      process.execPath,
      ['--import', 'tsx', script, pg.url, pg.schema, REDIS_URL, ns.prefix, '25'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const proc = child;
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`writer exited early (${String(code)})`)));
      proc.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
    });
    // Paced (40 waves of 50 bids) so the writer is killed while bids are still arriving.
    const bursting = burst(auction, 2_000, 4, 40, 25);
    const count = async (): Promise<number> =>
      Number(
        (await db.query<{ n: string }>('SELECT count(*) AS n FROM bids WHERE auction_id = $1', [auction]))[0]
          ?.n,
      );
    const deadline = Date.now() + 20_000;
    while ((await count()) < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
    const atKill = await count();
    const streamAtKill = (await stream(auction)).length;
    expect(atKill).toBeGreaterThanOrEqual(200);
    await bursting;
    // The kill landed mid-burst: the stream kept growing after it, with nobody writing the ledger.
    expect(streamAtKill).toBeLessThan(2_000);
    expect(await count()).toBe(atKill);

    const writer = new LedgerWriter({ db, source: source(), batchSize: 25 });
    await writer.runOnce();
    expect(await expectLedgerEqualsStream(db, auction)).toBe(2_000);
  }, 90_000);
});

describe('ledger writer on PGlite', () => {
  let lite: Database;
  beforeAll(async () => {
    lite = await pgliteDatabase();
    await migrate(lite);
    // PGlite starts in 2-3 s; a loaded machine takes many times that.
  }, 180_000);
  afterAll(() => lite.close());

  it('runs the same code on the embedded database', async () => {
    const auction = await newAuction('CHF');
    await burst(auction, 300, 3);
    const writer = new LedgerWriter({ db: lite, source: source(), batchSize: 64, pollIntervalMs: 5 });
    writer.start();
    const deadline = Date.now() + 120_000;
    while ((await writer.lag()).byAuction.get(auction) !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await writer.stop();
    expect(await expectLedgerEqualsStream(lite, auction, 'CHF')).toBe(300);
  }, 180_000);
});
