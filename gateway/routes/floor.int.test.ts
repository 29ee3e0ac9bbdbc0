import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuctionSetup } from '../../bidding/index.ts';
import type { FloorLot as Lot, PublicAuctionUpdate as PublicUpdate } from '../../common/contracts/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { postBid, startTestGavel } from '../../test/support/gavel.ts';
import { localPublisher } from '../../hub/index.ts';
import { connectSse, eventsBeforeMarker, type SseConnection } from '../../test/support/sse-client.ts';
import type { RunningGateway } from '../server.ts';

interface FloorResult {
  status: number;
  headers: Headers;
  body: {
    action?: { name: string; seq: number; undone: { action: string; seq: number } | null; decidedAt: string };
    lot?: Lot;
    previous?: { action: { name: string }; lot: Lot };
    error?: { code: string; message: string; details?: { lot?: Lot } };
  };
}

describe('floor console API (embedded, real HTTP and SSE)', () => {
  let g: RunningGateway;
  let alice: string;
  let bob: string;
  let clerk: string;
  let admin: string;
  const lotId = (): string => `lot-${randomUUID().slice(0, 8)}`;
  const key = (): string => randomUUID();

  /** A live lot, scheduled, opening at 1,000.00; steps 100.00 from 1,000.00 (timedSetup's table). */
  async function liveLot(overrides: Partial<AuctionSetup> = {}): Promise<string> {
    const id = overrides.id ?? lotId();
    await g.store!.configure(
      timedSetup(id, Date.now(), { mode: 'live', status: 'scheduled', opening: 100_000, ...overrides }),
    );
    await g.store!.setEligibility(id, 'alice', 10_000_000);
    await g.store!.setEligibility(id, 'bob', 10_000_000);
    return id;
  }

  async function floor(
    id: string,
    path: string,
    body?: unknown,
    opts: { token?: string | null; key?: string | null; headers?: Record<string, string> } = {},
  ): Promise<FloorResult> {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? clerk : opts.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const k = opts.key === undefined ? key() : opts.key;
    if (k !== null) headers['Idempotency-Key'] = k;
    if (body !== undefined) headers['Content-Type'] ??= 'application/json';
    const res = await fetch(`${g.url}/v1/auctions/${encodeURIComponent(id)}/floor/${path}`, {
      method: 'POST',
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as FloorResult['body'] };
  }

  async function consoleState(
    id: string,
    token: string | null = clerk,
  ): Promise<{ status: number; body: { lot?: Lot; error?: { code: string } } }> {
    const res = await fetch(`${g.url}/v1/auctions/${encodeURIComponent(id)}/floor`, {
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: (await res.json()) as { lot?: Lot; error?: { code: string } } };
  }

  const bid = async (id: string, token: string, amount: string, max?: string): Promise<number> =>
    (await postBid(g.url, id, token, max === undefined ? { amount } : { amount, max }, key())).status;

  const publicFeed = (id: string): Promise<SseConnection> =>
    connectSse(`${g.hubUrl}?topic=${encodeURIComponent(roomTopic(id))}`);

  async function privateFeed(bidderId: string, token: string): Promise<SseConnection> {
    const r = await fetch(`${g.url}/v1/hub-token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    const { token: sub } = (await r.json()) as { token: string };
    return connectSse(`${g.hubUrl}?topic=${encodeURIComponent(bidderTopic(bidderId))}`, {
      headers: { Authorization: `Bearer ${sub}` },
    });
  }

  const updates = async (feed: SseConnection, count: number): Promise<PublicUpdate[]> =>
    (await feed.waitFor(count)).map((e) => JSON.parse(e.data) as PublicUpdate);

  const notices = async (feed: SseConnection, count: number): Promise<Record<string, unknown>[]> =>
    (await feed.waitFor(count)).map((e) => ({ event: e.event, ...(JSON.parse(e.data) as object) }));

  const roomTopic = (id: string): string => `https://gavel.local/auctions/${id}`;
  const bidderTopic = (bidderId: string): string => `https://gavel.local/bidders/${bidderId}`;

  /**
   * What `feed` (subscribed to `topic`) received before a public marker published once the engine
   * had published everything it decided: any update that should not exist would be among them.
   */
  const settled = (feed: SseConnection, topic: string): Promise<SseConnection['events']> =>
    eventsBeforeMarker(feed, async (type) => {
      await g.engine.drain();
      await localPublisher(g.hub!).publish({ topics: [topic], data: '{}', type });
    });

  beforeAll(async () => {
    g = await startTestGavel({ ratePerSecond: 100, rateBurst: 200 });
    alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    bob = await g.tokens.sign({ id: 'bob', role: 'bidder', name: 'Bob' });
    clerk = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
    admin = await g.tokens.sign({ id: 'root', role: 'admin', name: 'Admin' });
  });
  afterAll(async () => {
    await g.close();
  });

  it('is for the auctioneer (or an admin) only: 401 without a token, 403 for a bidder', async () => {
    const id = await liveLot();
    const none = await floor(id, 'open', undefined, { token: null });
    expect([none.status, none.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    const bidder = await floor(id, 'open', undefined, { token: alice });
    expect([bidder.status, bidder.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    expect(bidder.body.error?.message).toContain('auctioneer');
    expect((await consoleState(id, null)).status).toBe(401);
    expect((await consoleState(id, bob)).status).toBe(403);
    expect(await g.store!.decisions(id)).toHaveLength(0);
    const byAdmin = await floor(id, 'open', undefined, { token: admin });
    expect([byAdmin.status, byAdmin.body.lot?.status]).toEqual([200, 'open']);
  });

  it('runs a lot: open, internet bid, floor bid, fair warning, hammer — every screen sees each call once, in order', async () => {
    const id = await liveLot();
    const room = await publicFeed(id);
    const aliceFeed = await privateFeed('alice', alice);

    const opened = await floor(id, 'open');
    expect(opened.status).toBe(200);
    expect(opened.body.action).toMatchObject({ name: 'open', seq: 1 });
    expect(opened.body.lot).toMatchObject({
      status: 'open',
      price: '0.00',
      asking: '1000.00',
      bidCount: 0,
      leader: null,
      undoAvailable: true,
      undoAction: 'open',
    });
    await room.waitFor(1);

    expect(await bid(id, alice, '1000.00')).toBe(201);
    await room.waitFor(2);
    await aliceFeed.waitFor(1);

    const fb = await floor(id, 'floor-bid', { paddle: '112', amount: '1100.00' });
    expect(fb.status).toBe(200);
    expect(fb.body.lot).toMatchObject({
      status: 'open',
      price: '1100.00',
      asking: '1200.00',
      bidCount: 2,
      leader: { kind: 'floor', paddle: '112', display: 'Paddle 112', bidderId: null },
      standingSeq: 3,
    });
    await room.waitFor(3);

    const fw = await floor(id, 'fair-warning');
    expect([fw.status, fw.body.lot?.status]).toEqual([200, 'fair_warning']);
    await room.waitFor(4);

    const hammer = await floor(id, 'hammer');
    expect(hammer.status).toBe(200);
    expect(hammer.body.lot).toMatchObject({ status: 'sold', price: '1100.00', leader: { paddle: '112' } });

    const seen = await updates(room, 5);
    expect(seen.map((u) => [u.seq, u.lastAction, u.status, u.price])).toEqual([
      [1, 'open', 'open', '0.00'],
      [2, 'bid', 'open', '1000.00'],
      [3, 'floor_bid', 'open', '1100.00'],
      [4, 'fair_warning', 'fair_warning', '1100.00'],
      [5, 'hammer', 'sold', '1100.00'],
    ]);
    expect(room.events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5].map((n) => `urn:gavel:auction:${id}:${n}`));
    expect(room.events.every((e) => e.event === 'auction')).toBe(true);
    expect(seen[1]).toMatchObject({ leaderKind: 'bid', asking: '1100.00' });
    expect(seen[1]!.leader).toMatch(/^Bidder [0-9A-F]{6}$/);
    expect(seen[2]).toMatchObject({ leader: 'Paddle 112', leaderKind: 'floor', asking: '1200.00' });
    expect(seen[4]).toMatchObject({ leader: 'Paddle 112', message: null });

    const mine = await notices(aliceFeed, 3);
    expect(mine.map((n) => n.event)).toEqual(['leading', 'outbid', 'lost']);
    expect(mine[1]).toMatchObject({
      type: 'outbid',
      auctionId: id,
      seq: 3,
      price: '1100.00',
      yourPreviousBid: '1000.00',
      asking: '1200.00',
    });
    expect(mine[2]).toMatchObject({ type: 'lost', seq: 5, lotStatus: 'sold', hammerPrice: '1100.00' });

    expect(await settled(room, roomTopic(id))).toHaveLength(5);
    expect(await settled(aliceFeed, bidderTopic('alice'))).toHaveLength(3);
    room.close();
    aliceFeed.close();
  });

  it('tells an internet winner they won and the underbidder they lost, without showing the reserve', async () => {
    const id = await liveLot({ reserve: 105_000 });
    const room = await publicFeed(id);
    const aliceFeed = await privateFeed('alice', alice);
    const bobFeed = await privateFeed('bob', bob);
    await floor(id, 'open');
    expect(await bid(id, alice, '1000.00')).toBe(201);
    await aliceFeed.waitFor(1);
    expect(await bid(id, bob, '1100.00')).toBe(201);
    await bobFeed.waitFor(1);
    const hammer = await floor(id, 'hammer');
    expect(hammer.body.lot).toMatchObject({ status: 'sold', price: '1100.00', reserveMet: true });
    expect(hammer.body.lot?.leader).toMatchObject({ kind: 'bid', bidderId: 'bob', paddle: null });

    const won = await notices(bobFeed, 2);
    expect(won[1]).toMatchObject({ event: 'won', type: 'won', hammerPrice: '1100.00', currency: 'EUR' });
    const lost = await notices(aliceFeed, 3);
    expect(lost.map((n) => n.event)).toEqual(['leading', 'outbid', 'lost']);
    expect(lost[2]).toMatchObject({ lotStatus: 'sold', hammerPrice: '1100.00' });

    const seen = await updates(room, 4);
    expect(seen.at(-1)).toMatchObject({
      lastAction: 'hammer',
      status: 'sold',
      reserveMet: true,
      leaderKind: 'bid',
    });
    // Every public update says when the engine decided it (screens measure their delay from it).
    expect(seen.at(-1)?.decidedAt).toBe(hammer.body.action?.decidedAt);
    const raw = room.events.map((e) => e.data).join('\n');
    expect(raw).not.toContain('1050.00');
    expect(raw).not.toMatch(/reserve"|max/i);
    room.close();
    aliceFeed.close();
    bobFeed.close();
  });

  it('executes absentee maximums on open without showing them, and reports a floor bid they answered as 409 OUTBID with the new price', async () => {
    const id = await liveLot();
    const room = await publicFeed(id);
    const aliceFeed = await privateFeed('alice', alice);
    expect(await bid(id, alice, '1000.00', '1500.00')).toBe(201);
    const opened = await floor(id, 'open');
    expect(opened.body.lot).toMatchObject({
      price: '1000.00',
      leader: { kind: 'absentee', bidderId: 'alice' },
    });
    const [absentee] = await notices(aliceFeed, 1);
    expect(absentee).toMatchObject({ event: 'absentee_executed', price: '1000.00', asking: '1100.00' });

    const answered = await floor(id, 'floor-bid', { paddle: '7', amount: '1100.00' });
    expect([answered.status, answered.body.error?.code]).toEqual([409, 'OUTBID']);
    expect(answered.body.error?.message).toContain('1200.00');
    expect(answered.body.error?.details?.lot).toMatchObject({ price: '1200.00', asking: '1300.00' });

    const seen = await updates(room, 2);
    expect(seen.map((u) => [u.lastAction, u.price, u.leaderKind])).toEqual([
      ['open', '1000.00', 'absentee'],
      ['floor_bid', '1200.00', 'absentee'],
    ]);
    expect(room.events.map((e) => e.data).join('\n')).not.toContain('1500.00');
    const mine = await notices(aliceFeed, 2);
    expect(mine[1]).toMatchObject({ event: 'proxy_bid', price: '1200.00' });
    room.close();
    aliceFeed.close();
  });

  it('overrules an internet bid for the floor and rejects the standing bid, telling the bidders concerned', async () => {
    const id = await liveLot();
    const room = await publicFeed(id);
    const aliceFeed = await privateFeed('alice', alice);
    const bobFeed = await privateFeed('bob', bob);
    await floor(id, 'open');
    expect(await bid(id, alice, '1000.00')).toBe(201);
    await aliceFeed.waitFor(1);

    const over = await floor(id, 'overrule', { paddle: '5' });
    expect(over.status).toBe(200);
    expect(over.body.lot).toMatchObject({ price: '1000.00', leader: { kind: 'floor', paddle: '5' } });
    const [, overruled] = await notices(aliceFeed, 2);
    expect(overruled).toMatchObject({
      event: 'overruled',
      yourBid: '1000.00',
      leader: 'Paddle 5',
      asking: '1100.00',
    });
    const again = await floor(id, 'overrule', { paddle: '6' });
    expect([again.status, again.body.error?.code]).toEqual([409, 'NOTHING_TO_OVERRULE']);

    expect(await bid(id, bob, '1100.00')).toBe(201);
    await bobFeed.waitFor(1);
    const standing = (await consoleState(id)).body.lot!;
    expect(standing).toMatchObject({ price: '1100.00', leader: { bidderId: 'bob' } });
    const stale = await floor(id, 'reject', { seq: standing.standingSeq - 1 });
    expect([stale.status, stale.body.error?.code]).toEqual([409, 'NOT_LATEST_BID']);
    expect(stale.body.error?.message).toContain(`seq ${standing.standingSeq}`);

    const rejected = await floor(id, 'reject', { seq: standing.standingSeq });
    expect(rejected.status).toBe(200);
    expect(rejected.body.lot).toMatchObject({ price: '1000.00', asking: '1100.00', leader: { paddle: '5' } });
    const [, bobRejected] = await notices(bobFeed, 2);
    expect(bobRejected).toMatchObject({ event: 'bid_rejected', yourBid: '1100.00', price: '1000.00' });

    const seen = await updates(room, 5);
    expect(seen.map((u) => u.lastAction)).toEqual(['open', 'bid', 'overrule', 'bid', 'reject_bid']);
    expect(seen[4]).toMatchObject({ price: '1000.00', leader: 'Paddle 5' });
    // Refused actions publish nothing.
    expect(await settled(room, roomTopic(id))).toHaveLength(5);
    room.close();
    aliceFeed.close();
    bobFeed.close();
  });

  it('holds with a message the room sees, refuses bids while held, and resumes', async () => {
    const id = await liveLot();
    const room = await publicFeed(id);
    await floor(id, 'open');
    await floor(id, 'fair-warning');
    const held = await floor(id, 'hold', { message: '  Short break, back at 14:00 ' });
    expect(held.body.lot).toMatchObject({ status: 'on_hold', message: 'Short break, back at 14:00' });
    expect((await consoleState(id)).body.lot).toMatchObject({
      status: 'on_hold',
      message: 'Short break, back at 14:00',
    });

    const refused = await postBid(g.url, id, alice, { amount: '1000.00' }, key());
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'ON_HOLD']);
    const fb = await floor(id, 'floor-bid', { paddle: '3', amount: '1000.00' });
    expect([fb.status, fb.body.error?.code]).toEqual([409, 'ON_HOLD']);
    expect(fb.body.error?.message).toContain('resume-from-hold');

    const resumed = await floor(id, 'resume-from-hold');
    expect(resumed.body.lot).toMatchObject({ status: 'fair_warning', message: null });
    const reopened = await floor(id, 'resume');
    expect(reopened.body.lot?.status).toBe('open');
    const twice = await floor(id, 'resume');
    expect([twice.status, twice.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
    expect(twice.body.error?.message).toContain('nothing to resume');

    const seen = await updates(room, 5);
    expect(seen.map((u) => [u.lastAction, u.status, u.message])).toEqual([
      ['open', 'open', null],
      ['fair_warning', 'fair_warning', null],
      ['hold', 'on_hold', 'Short break, back at 14:00'],
      ['resume_from_hold', 'fair_warning', null],
      ['resume', 'open', null],
    ]);
    room.close();
  });

  it('undoes the last action until a bid changes the lot or the next lot opens', async () => {
    const saleId = `sale-${randomUUID().slice(0, 8)}`;
    const a = await liveLot({ saleId });
    const b = await liveLot({ saleId });
    const c = await liveLot({ saleId });
    const room = await publicFeed(a);
    await floor(a, 'open');
    const fb = await floor(a, 'floor-bid', { paddle: '1', amount: '1000.00' });
    const undone = await floor(a, 'undo');
    expect(undone.status).toBe(200);
    expect(undone.body.action).toMatchObject({
      name: 'undo',
      undone: { action: 'floor_bid', seq: fb.body.action!.seq },
    });
    expect(undone.body.lot).toMatchObject({ price: '0.00', leader: null, bidCount: 0, undoAvailable: false });
    const nothing = await floor(a, 'undo');
    expect([nothing.status, nothing.body.error?.code]).toEqual([409, 'NOTHING_TO_UNDO']);

    // An internet bid closes the window: undo would erase it.
    await floor(a, 'asking', { amount: '1200.00' });
    expect(await bid(a, alice, '1200.00')).toBe(201);
    await room.waitFor(5);
    expect((await floor(a, 'undo')).body.error?.code).toBe('NOTHING_TO_UNDO');

    // A hammer by mistake is undone: the lot is open again.
    await floor(a, 'hammer');
    const reopened = await floor(a, 'undo');
    expect(reopened.body.lot).toMatchObject({
      status: 'open',
      price: '1200.00',
      leader: { bidderId: 'alice' },
    });
    expect((await floor(a, 'hammer')).body.lot?.status).toBe('sold');
    const seen = await updates(room, 8);
    expect(seen.map((u) => u.lastAction)).toEqual([
      'open',
      'floor_bid',
      'undo',
      'set_asking',
      'bid',
      'hammer',
      'undo',
      'hammer',
    ]);
    expect(seen[2]).toMatchObject({ price: '0.00', leader: null, undone: { action: 'floor_bid' } });

    const k = key();
    const next = await floor(a, 'next', { nextAuctionId: b }, { key: k });
    expect(next.status).toBe(200);
    expect(next.body.action?.name).toBe('open');
    expect(next.body.lot).toMatchObject({ auctionId: b, status: 'open', asking: '1000.00' });
    expect(next.body.previous).toMatchObject({
      action: { name: 'superseded' },
      lot: { auctionId: a, undoAvailable: false },
    });
    const closed = await floor(a, 'undo');
    expect([closed.status, closed.body.error?.code]).toEqual([409, 'UNDO_WINDOW_CLOSED']);
    expect(closed.body.error?.message).toContain('next lot');
    const retried = await floor(a, 'next', { nextAuctionId: b }, { key: k });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body.lot?.seq).toBe(next.body.lot?.seq);

    const busy = await floor(b, 'next', { nextAuctionId: c });
    expect([busy.status, busy.body.error?.code]).toEqual([409, 'LOT_IN_PROGRESS']);
    expect((await consoleState(c)).body.lot?.status).toBe('scheduled');
    const other = await liveLot({ saleId: 'another-sale' });
    await floor(b, 'pass');
    const elsewhere = await floor(b, 'next', { nextAuctionId: other });
    expect([elsewhere.status, elsewhere.body.error?.code]).toEqual([409, 'DIFFERENT_SALE']);
    const missing = await floor(b, 'next', { nextAuctionId: 'no-such-lot' });
    expect([missing.status, missing.body.error?.code]).toEqual([404, 'UNKNOWN_AUCTION']);
    expect((await consoleState(b)).body.lot?.undoAvailable).toBe(true);
    expect(await settled(room, roomTopic(a))).toHaveLength(8);
    room.close();
  });

  it('refuses a floor bid at a stale asking price with 409 OUTBID, and decides a race exactly once', async () => {
    const id = await liveLot();
    const room = await publicFeed(id);
    await floor(id, 'open');
    const before = (await consoleState(id)).body.lot!;
    expect(before.asking).toBe('1000.00');
    // An internet bid at the asking price lands before the clerk's floor bid at the same price.
    expect(await bid(id, alice, '1000.00')).toBe(201);
    const stale = await floor(id, 'floor-bid', { paddle: '9', amount: before.asking });
    expect([stale.status, stale.body.error?.code]).toEqual([409, 'OUTBID']);
    expect(stale.body.error?.message).toContain('call 1100.00 EUR');
    expect(stale.body.error?.details?.lot).toMatchObject({
      price: '1000.00',
      asking: '1100.00',
      leader: { bidderId: 'alice' },
    });
    const low = await floor(id, 'floor-bid', { paddle: '9', amount: '1050.00' });
    expect([low.status, low.body.error?.code]).toEqual([409, 'TOO_LOW']);

    const [internet, floorBid] = await Promise.all([
      postBid(g.url, id, bob, { amount: '1100.00' }, key()),
      floor(id, 'floor-bid', { paddle: '9', amount: '1100.00' }),
    ]);
    const winners = [internet.status === 201, floorBid.status === 200].filter(Boolean);
    expect(winners).toHaveLength(1);
    expect([internet.body.error?.code, floorBid.body.error?.code]).toContain('OUTBID');
    expect((await consoleState(id)).body.lot).toMatchObject({ price: '1100.00', bidCount: 2 });
    const seen = (await settled(room, roomTopic(id))).map((e) => JSON.parse(e.data) as PublicUpdate);
    expect(seen.at(-1)).toMatchObject({ price: '1100.00', seq: 5 });
    expect(seen.map((u) => u.lastAction).slice(0, 2)).toEqual(['open', 'bid']);
    room.close();
  });

  it('answers a retry with the same key once, and refuses the key for another action (422)', async () => {
    const id = await liveLot();
    await floor(id, 'open');
    const k = key();
    const first = await floor(id, 'floor-bid', { paddle: '4', amount: '1000.00' }, { key: k });
    const again = await floor(id, 'floor-bid', { paddle: '4', amount: '1000.00' }, { key: k });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const reused = await floor(id, 'floor-bid', { paddle: '4', amount: '1100.00' }, { key: k });
    expect([reused.status, reused.body.error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(reused.body.error?.message).toContain('new key');
    expect(await g.store!.decisions(id)).toHaveLength(2);
  });

  it('serves the console state: status, price, asking, step, leader with paddle, standing seq, undo', async () => {
    const id = await liveLot();
    await floor(id, 'open');
    await floor(id, 'floor-bid', { paddle: '21', amount: '1000.00' });
    const stepped = await floor(id, 'increment', { step: '25.00' });
    expect(stepped.body.lot).toMatchObject({ step: '25.00', asking: '1025.00' });
    const res = await fetch(`${g.url}/v1/auctions/${id}/floor`, {
      headers: { Authorization: `Bearer ${clerk}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { lot: Lot; hub: { topics: string[]; lastEventId: string } };
    expect(body.lot).toEqual({
      auctionId: id,
      saleId: 'sale-1',
      currency: 'EUR',
      seq: 3,
      stateVersion: 0,
      status: 'open',
      price: '1000.00',
      asking: '1025.00',
      step: '25.00',
      bidCount: 1,
      leader: { kind: 'floor', display: 'Paddle 21', paddle: '21', bidderId: null },
      standingSeq: 2,
      message: null,
      reserveMet: true,
      undoAvailable: true,
      undoAction: 'set_increment',
      commission: [],
    });
    expect(body.hub.topics).toContain(`https://gavel.local/auctions/${id}`);
    expect((await floor(id, 'increment', { step: '0' })).body.lot).toMatchObject({
      step: null,
      asking: '1100.00',
    });
    const timed = lotId();
    await g.store!.configure(timedSetup(timed, Date.now()));
    expect((await consoleState(timed)).body.error?.code).toBe('NOT_LIVE');
    const notLive = await floor(timed, 'fair-warning');
    expect([notLive.status, notLive.body.error?.code]).toEqual([409, 'NOT_LIVE']);
    expect((await consoleState('no-such-lot')).status).toBe(404);
  });

  it('refuses invalid transitions with 409 and a message that says what to do', async () => {
    const id = await liveLot();
    const early = await floor(id, 'fair-warning');
    expect([early.status, early.body.error?.code]).toEqual([409, 'NOT_STARTED']);
    expect(early.body.error?.message).toContain('open it first');
    await floor(id, 'open');
    const reopen = await floor(id, 'open');
    expect([reopen.status, reopen.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
    await floor(id, 'fair-warning');
    const fw = await floor(id, 'fair-warning');
    expect([fw.status, fw.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
    expect(fw.body.error?.message).toContain('hammer');
    expect(fw.body.error?.details?.lot?.status).toBe('fair_warning');
    const unsold = await floor(id, 'hammer');
    expect(unsold.body.lot?.status).toBe('unsold');
    const after = await floor(id, 'withdraw');
    expect([after.status, after.body.error?.code]).toEqual([409, 'CLOSED']);
    expect(after.body.error?.message).toContain('next');
  });

  it.each([
    [
      'no Idempotency-Key',
      'floor-bid',
      { paddle: '1', amount: '1000.00' },
      { key: null },
      400,
      'MISSING_IDEMPOTENCY_KEY',
    ],
    ['a bad Idempotency-Key', 'hammer', undefined, { key: 'has space' }, 400, 'BAD_IDEMPOTENCY_KEY'],
    ['too many decimals', 'floor-bid', { paddle: '1', amount: '1000.001' }, {}, 400, 'BAD_SCALE'],
    ['too many decimals in a step', 'increment', { step: '0.501' }, {}, 400, 'BAD_SCALE'],
    ['a float amount', 'asking', { amount: 1000.5 }, {}, 400, 'VALIDATION_FAILED'],
    ['a zero amount', 'asking', { amount: '0' }, {}, 400, 'BAD_AMOUNT'],
    ['a negative amount', 'floor-bid', { paddle: '1', amount: '-5.00' }, {}, 400, 'BAD_AMOUNT'],
    [
      'an unknown field',
      'floor-bid',
      { paddle: '1', amount: '1000.00', max: '2000.00' },
      {},
      400,
      'VALIDATION_FAILED',
    ],
    ['a body on a button without one', 'hammer', { force: true }, {}, 400, 'VALIDATION_FAILED'],
    ['no paddle', 'floor-bid', { amount: '1000.00' }, {}, 400, 'VALIDATION_FAILED'],
    ['a malformed paddle', 'overrule', { paddle: 'x y' }, {}, 400, 'VALIDATION_FAILED'],
    ['an empty hold message', 'hold', { message: '   ' }, {}, 400, 'VALIDATION_FAILED'],
    ['a multi-line hold message', 'hold', { message: 'a\nb' }, {}, 400, 'VALIDATION_FAILED'],
    ['a seq as a string', 'reject', { seq: '2' }, {}, 400, 'VALIDATION_FAILED'],
    ['malformed JSON', 'asking', '{"amount":', {}, 400, 'BAD_JSON'],
    [
      'a form body',
      'asking',
      'amount=1',
      { headers: { 'Content-Type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an unknown button', 'sell', undefined, {}, 404, 'NOT_FOUND'],
  ] as const)(
    'refuses %s with a clear 4xx and no state change',
    async (_label, path, body, opts, status, code) => {
      const id = await liveLot();
      await floor(id, 'open');
      await g.engine.drain();
      const before = await g.store!.snapshot(id);
      const res = await floor(id, path, body, opts);
      expect(res.status).toBe(status);
      expect(res.body.error?.code).toBe(code);
      expect(res.body.error?.message.length).toBeGreaterThan(5);
      expect(await g.store!.snapshot(id)).toEqual(before);
      expect(await g.store!.decisions(id)).toHaveLength(1);
    },
  );

  it('refuses an increment or asking price past the largest amount a bid may have (409 TOO_HIGH)', async () => {
    const id = await liveLot();
    await floor(id, 'open');
    expect(await bid(id, alice, '1000.00')).toBe(201);
    // 99,999,999,999.99 is the largest amount; the standing bid of 1,000.00 plus this step passes it.
    const res = await floor(id, 'increment', { step: '99999999000.00' });
    expect([res.status, res.body.error?.code]).toEqual([409, 'TOO_HIGH']);
    expect(res.body.error?.message).toContain('99999999999.99 EUR');
    expect(res.body.error?.details?.lot).toMatchObject({ asking: '1100.00', step: null });
    expect(await bid(id, bob, '1100.00')).toBe(201);
    const edge = await floor(id, 'increment', { step: '99999998899.99' });
    expect([edge.status, edge.body.lot?.asking]).toEqual([200, '99999999999.99']);
  });

  it('refuses an unknown auction with 404, before and without recording anything', async () => {
    const res = await floor('no-such-lot', 'floor-bid', { paddle: '1', amount: '1000.00' });
    expect([res.status, res.body.error?.code]).toEqual([404, 'UNKNOWN_AUCTION']);
    expect(res.body.error?.message).toContain('no-such-lot');
    expect((await floor('no-such-lot', 'hammer')).status).toBe(404);
    expect(await g.store!.decisions('no-such-lot')).toHaveLength(0);
  });
});
