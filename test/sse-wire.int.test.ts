/**
 * What reaches the SSE wire from a whole sale — the engine's public updates and private notices,
 * the back office's notifications — read raw, as a client gets it. Real orchestrator on PostgreSQL
 * and Redis, the engine on the same Redis publishing into a hub on Redis Streams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSourceMessage } from 'eventsource-parser/stream';
import { BiddingEngine, BidderMasks, type BidDecision, type FloorAction } from '../bidding/index.ts';
import { TEST_MASK_KEY } from './support/tokens.ts';
import { LotBook } from '../clients/src/lots.ts';
import type { LiveUpdate } from '../clients/src/types.ts';
import { createLogger } from '../common/logger.ts';
import { topics as makeTopics } from '../common/topics.ts';
import { RedisStreamPublisher, type RunningHub } from '../hub/index.ts';
import { startTestHub, subscribeUrl, subscriberToken } from './support/hub.ts';
import { iso, startTestBackOffice, until, type TestBackOffice } from './support/orchestrator.ts';
import { deleteKeys, redisTransportUrl, uniquePrefix } from './support/hub-redis.ts';
import { connectSse, type SseConnection } from './support/sse-client.ts';

const topics = makeTopics();
const BIDDERS = ['wire-alice', 'wire-bob'] as const;
const [ALICE, BOB] = BIDDERS;
const INCREMENTS = [{ from: '0', step: '10.00' }];

/** Numbers allowed on the wire: counters and sequence numbers, never an amount. */
const NUMERIC_FIELDS = new Set(['seq', 'bidCount', 'stateVersion', 'notificationId', 'lotNumber']);
/** Amount fields: each a decimal string with the currency's two decimals here (EUR), the currency beside it. */
const MONEY_FIELDS = [
  'price',
  'asking',
  'hammer',
  'premium',
  'tax',
  'total',
  'yourMaximum',
  'yourPreviousBid',
  'yourBid',
  'hammerPrice',
];

/** Every problem with the money in one event's raw `data:`; none expected. */
function moneyProblems(e: EventSourceMessage): string[] {
  const where = `${e.event ?? 'message'} ${e.data}`;
  const problems: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number' && !NUMERIC_FIELDS.has(path.split('.').at(-1)!))
      problems.push(`${path} is the number ${v} in ${where}`);
    if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(x, path === '' ? k : `${path}.${k}`);
  };
  const data = JSON.parse(e.data) as Record<string, unknown>;
  walk(data, '');
  const amounts = MONEY_FIELDS.filter((k) => data[k] !== undefined && data[k] !== null);
  if (amounts.length > 0 && data.currency !== 'EUR')
    problems.push(`no currency beside ${amounts.join(', ')} in ${where}`);
  for (const k of amounts)
    if (typeof data[k] !== 'string' || !/^\d+\.\d{2}$/.test(data[k]))
      problems.push(`${k} is not a decimal string in ${where}`);
  return problems;
}

describe('the SSE wire of a sale (real orchestrator, engine and hub)', () => {
  const hubPrefix = uniquePrefix();
  const hubStream = redisTransportUrl(hubPrefix);
  let hub: RunningHub;
  let t: TestBackOffice;
  let engine: BiddingEngine;
  let publisher: RedisStreamPublisher;
  let everything: SseConnection;
  let lotOnly: SseConnection;
  let keys = 0;

  // Each call's updates go out before the next call: a bidder's newer notice would replace a waiting one.
  const bid = async (lot: string, bidder: string, amount: number, max?: number): Promise<BidDecision> => {
    const d = await engine.placeBid({
      auctionId: lot,
      bidderId: bidder,
      amount,
      max,
      idempotencyKey: `wire-${++keys}`,
      source: 'api',
    });
    await engine.drain();
    return d;
  };
  const floor = async (req: FloorAction & { auctionId: string }) => {
    const r = await engine.floorAction({ ...req, idempotencyKey: `wire-floor-${++keys}` });
    await engine.drain();
    return r;
  };

  beforeAll(async () => {
    hub = await startTestHub({ transportUrl: hubStream });
    t = await startTestBackOffice('wire', { hubPublishUrl: hubStream });
    publisher = new RedisStreamPublisher({ url: hubStream });
    engine = new BiddingEngine({
      masks: new BidderMasks(TEST_MASK_KEY),
      store: t.engine,
      publisher,
      topics,
      logger: createLogger('bidding', 'silent'),
    });
  }, 60_000);
  afterAll(async () => {
    everything?.close();
    lotOnly?.close();
    await engine?.stop(500);
    publisher?.close();
    await t?.close();
    await hub?.close();
    await deleteKeys(hubPrefix);
  });

  it(
    'a timed sale and a live sale: every event type, money always a decimal string beside its currency; the lot’s own topic sees it close, then its result',
    { timeout: 90_000 },
    async () => {
      for (const id of BIDDERS) await t.ok('POST', '/bidders', { id, name: id });
      const start = Date.now();
      const sale = (id: string, mode: 'timed' | 'live', extra: Record<string, unknown>) =>
        t.ok('POST', '/sales', {
          id,
          mode,
          currency: 'EUR',
          title: id,
          startsAt: iso(start - 1000),
          kycFreeLimit: '1000000.00',
          ...extra,
        });
      const lot = (saleId: string, id: string, lotNumber: number, reserve: string, extra = {}) =>
        t.ok('POST', `/sales/${saleId}/lots`, {
          id,
          lotNumber,
          title: id,
          opening: '100.00',
          reserve,
          increments: INCREMENTS,
          ...extra,
        });
      await sale('wire-timed', 'timed', { endsAt: iso(start + 12_000), closingSoonSeconds: 4 });
      const softClose = { softCloseSeconds: 3, graceMs: 0 };
      await lot('wire-timed', 'wire-t1', 1, '100.00', softClose);
      await lot('wire-timed', 'wire-t2', 2, '5000.00', softClose);
      await sale('wire-live', 'live', {});
      await lot('wire-live', 'wire-l1', 1, '100.00');
      // Subscribed before anything is published: the whole history of both sales.
      const privateTopics = BIDDERS.map((b) => topics.bidder(b));
      everything = await connectSse(
        subscribeUrl(hub.url, [
          topics.sale('wire-timed'),
          topics.sale('wire-live'),
          topics.auction('wire-t1'),
          ...privateTopics,
        ]),
        { headers: { Authorization: `Bearer ${await subscriberToken(privateTopics)}` } },
      );
      // Only the lot's own topic, anonymous: no sale topic, nothing private.
      lotOnly = await connectSse(subscribeUrl(hub.url, [topics.auction('wire-t1')]));
      expect([everything.status, lotOnly.status]).toEqual([200, 200]);

      for (const sale of ['wire-timed', 'wire-live']) {
        await t.ok('POST', `/sales/${sale}/publish`);
        for (const b of BIDDERS)
          await t.ok('POST', `/sales/${sale}/registrations`, {
            bidderId: b,
            limit: '9000.00',
            approve: true,
          });
      }
      await until('the timed lots open', async () =>
        (await t.engine.snapshot('wire-t2'))?.status === 'open' ? true : undefined,
      );

      // Timed lot 1: leading and outbid, a proxy maximum answering (proxy_bid), a raised maximum.
      expect((await bid('wire-t1', ALICE, 10_000)).outcome).toBe('accepted');
      expect((await bid('wire-t1', BOB, 11_000, 50_000)).outcome).toBe('accepted');
      expect(await bid('wire-t1', ALICE, 12_000)).toMatchObject({ reason: 'OUTBID', priceChanged: true });
      expect(await bid('wire-t1', BOB, 14_000, 60_000)).toMatchObject({ kind: 'max_raised' });
      // Timed lot 2: a bid the house cancels (restated, bid.cancelled, leading to the one who leads again).
      await bid('wire-t2', BOB, 10_000);
      const cancelled = await bid('wire-t2', ALICE, 11_000);
      await t.ledgerCaughtUp('wire-t2');
      await t.ok('POST', `/lots/wire-t2/bids/${cancelled.seq}/cancel`, { reason: 'test' });
      // Inside the soft-close window: lot 1 is extended.
      await new Promise((r) => setTimeout(r, Math.max(0, start + 10_000 - Date.now())));
      expect(await bid('wire-t1', ALICE, 70_000)).toMatchObject({ outcome: 'accepted', extended: true });

      // The live lot: an absentee bid executed at the open, outbid, overruled by the room, a
      // rejected bid with the previous leader reinstated, won and lost at the hammer.
      await until(
        'the live sale open',
        async () =>
          ((await t.ok('GET', '/sales/wire-live')).sale as { status: string }).status === 'open' || undefined,
      );
      expect(await bid('wire-l1', ALICE, 10_000, 10_000)).toMatchObject({ kind: 'absentee' });
      expect((await floor({ auctionId: 'wire-l1', action: 'open' })).leaderId).toBe(ALICE);
      const asking = async (): Promise<number> => (await t.engine.snapshot('wire-l1'))!.asking;
      expect((await bid('wire-l1', BOB, await asking())).outcome).toBe('accepted');
      expect((await floor({ auctionId: 'wire-l1', action: 'overrule', paddle: '5' })).outcome).toBe(
        'accepted',
      );
      expect((await bid('wire-l1', BOB, await asking())).outcome).toBe('accepted');
      const rejected = await bid('wire-l1', ALICE, await asking());
      expect((await floor({ auctionId: 'wire-l1', action: 'reject_bid', seq: rejected.seq })).outcome).toBe(
        'accepted',
      );
      expect((await bid('wire-l1', ALICE, await asking())).outcome).toBe('accepted');
      expect((await floor({ auctionId: 'wire-l1', action: 'hammer' })).status).toBe('sold');
      await floor({ auctionId: 'wire-l1', action: 'superseded' });

      const expected = [
        // The engine's public updates and private notices.
        'auction',
        'leading',
        'outbid',
        'proxy_bid',
        'max_raised',
        'absentee_executed',
        'overruled',
        'bid_rejected',
        'reinstated',
        'won',
        'lost',
        // The back office's notifications.
        'sale.opened',
        'lot.closing_soon',
        'lot.extended',
        'auction.restated',
        'bid.cancelled',
        'lot.won',
        'lot.lost',
        'lot.result',
        'sale.closed',
      ];
      const seen = (): Set<string> => new Set(everything.events.map((e) => e.event ?? 'message'));
      await until(
        'every event type',
        () => (expected.every((type) => seen().has(type)) ? true : undefined),
        45_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; missing ${expected.filter((x) => !seen().has(x)).join(', ')}`);
      });
      expect(everything.events.flatMap(moneyProblems)).toEqual([]);

      // The lot's own topic: every state of it, the close (a higher stateVersion at the last seq),
      // then the result — the hammer, never the reserve.
      const updates = (): LiveUpdate[] =>
        lotOnly.events.filter((e) => e.event === 'auction').map((e) => JSON.parse(e.data) as LiveUpdate);
      await until('lot 1’s result on its own topic', () =>
        updates().some((u) => u.lastAction === 'result') ? true : undefined,
      );
      const lastSeq = (await t.engine.snapshot('wire-t1'))!.lastSeq;
      const closing = updates().filter((u) => u.lastAction === 'close' || u.lastAction === 'result');
      expect(closing).toEqual([
        expect.objectContaining({ lastAction: 'close', status: 'closed', seq: lastSeq, stateVersion: 1 }),
        expect.objectContaining({
          lastAction: 'result',
          status: 'sold',
          seq: lastSeq,
          stateVersion: 2,
          price: '700.00',
          hammer: '700.00',
          reserveMet: true,
          currency: 'EUR',
        }),
      ]);
      expect(lotOnly.events.map((e) => e.data).join('\n')).not.toMatch(/reserve"\s*:/);
      // A client of that stream alone ends on the result, whatever its snapshot said.
      const book = new LotBook();
      for (const u of updates()) book.apply(u);
      expect(book.get('wire-t1')).toMatchObject({ status: 'sold', price: '700.00', seq: lastSeq });
      // Lot 2 did not meet its reserve: unsold, no hammer. Its result may come after lot 1's on
      // the stream (every event type above may all have been lot 1's): waited for, not assumed.
      const t2 = await until('lot 2’s result on the sale’s stream', () =>
        everything.events
          .filter((e) => e.event === 'auction')
          .map((e) => JSON.parse(e.data) as LiveUpdate & { hammer?: string | null })
          .find((u) => u.auctionId === 'wire-t2' && u.lastAction === 'result'),
      );
      expect(t2).toMatchObject({ status: 'unsold', hammer: null, reserveMet: false });
    },
  );
});
