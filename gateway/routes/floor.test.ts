import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuctionSetup } from '../../bidding/index.ts';
import type { FloorLot as Lot } from '../../common/contracts/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { handlerGateway, type CallOptions, type HandlerGateway, type JsonAnswer } from '../handler-kit.ts';

/* The floor console's routes through app.request(), on the in-process engine: no Redis, no socket. */

describe('the floor console in process', () => {
  let g: HandlerGateway;
  let clerk: string;
  let alice: string;
  const lotId = (): string => `lot-${randomUUID().slice(0, 8)}`;

  /** A live lot, scheduled, opening at 1,000.00; steps of 100.00 from there (timedSetup's table). */
  async function liveLot(overrides: Partial<AuctionSetup> = {}): Promise<string> {
    const id = overrides.id ?? lotId();
    await g.store!.configure(
      timedSetup(id, Date.now(), { mode: 'live', status: 'scheduled', opening: 100_000, ...overrides }),
    );
    await g.store!.setEligibility(id, 'alice', 10_000_000);
    return id;
  }
  const floor = (id: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<JsonAnswer> =>
    g.call('POST', `/v1/auctions/${id}/floor/${path}`, { token: clerk, body, ...opts });
  const lotOf = (a: JsonAnswer): Lot => a.body.lot as Lot;
  const errorLot = (a: JsonAnswer): Lot => a.body.error?.details?.lot as Lot;

  beforeAll(async () => {
    g = await handlerGateway({ ratePerSecond: 100, rateBurst: 200 });
    clerk = await g.sign('clerk', 'auctioneer');
    alice = await g.sign('alice', 'bidder');
  });
  afterAll(async () => {
    await g.close();
  });

  it('is for the auctioneer and admins: 401 without a token, 403 for a bidder, nothing decided', async () => {
    const id = await liveLot();
    const none = await floor(id, 'open', undefined, { token: undefined });
    expect([none.status, none.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    const bidder = await floor(id, 'open', undefined, { token: alice });
    expect([bidder.status, bidder.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    expect(await g.store!.decisions(id)).toHaveLength(0);
    const admin = await floor(id, 'open', undefined, { token: await g.sign('root', 'admin') });
    expect([admin.status, lotOf(admin).status]).toEqual([200, 'open']);
  });

  it('runs a lot from open to hammer, each answer with the action and the lot as decided', async () => {
    const id = await liveLot();
    const opened = await floor(id, 'open');
    expect(opened.status).toBe(200);
    expect(opened.body.action).toMatchObject({ name: 'open', previousStatus: 'scheduled', undone: null });
    expect(lotOf(opened)).toMatchObject({ status: 'open', price: '0.00', asking: '1000.00', leader: null });
    const internet = await g.call('POST', `/v1/auctions/${id}/bids`, {
      token: alice,
      body: { amount: '1000.00' },
    });
    expect(internet.status).toBe(201);
    const paddle = await floor(id, 'floor-bid', { paddle: '112', amount: '1100.00' });
    expect(lotOf(paddle)).toMatchObject({
      price: '1100.00',
      asking: '1200.00',
      leader: { kind: 'floor', display: 'Paddle 112', paddle: '112', bidderId: null },
    });
    expect(lotOf(await floor(id, 'fair-warning'))).toMatchObject({ status: 'fair_warning' });
    expect(lotOf(await floor(id, 'resume'))).toMatchObject({ status: 'open' });
    await floor(id, 'fair-warning');
    const sold = await floor(id, 'hammer');
    expect(sold.body.action).toMatchObject({ name: 'hammer', previousStatus: 'fair_warning' });
    expect(lotOf(sold)).toMatchObject({ status: 'sold', price: '1100.00', undoAvailable: true });
    expect(await g.store!.decisions(id)).toHaveLength(7);
  });

  it('holds with a message the console shows, and resumes from hold', async () => {
    const id = await liveLot();
    await floor(id, 'open');
    const held = await floor(id, 'hold', { message: 'A telephone line is being connected' });
    expect(lotOf(held)).toMatchObject({ status: 'on_hold', message: 'A telephone line is being connected' });
    const bidWhileHeld = await floor(id, 'floor-bid', { paddle: '7', amount: '1000.00' });
    expect([bidWhileHeld.status, bidWhileHeld.body.error?.code]).toEqual([409, 'ON_HOLD']);
    expect(bidWhileHeld.body.error?.message).toContain('resume-from-hold');
    expect(lotOf(await floor(id, 'resume-from-hold'))).toMatchObject({ status: 'open', message: null });
    const notHeld = await floor(id, 'resume-from-hold');
    expect([notHeld.status, notHeld.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
    expect(notHeld.body.error?.message).toBe('the lot is not on hold');
  });

  it('explains refused floor bids with the amounts to call, and the lot as it stands', async () => {
    const id = await liveLot();
    await floor(id, 'open');
    const low = await floor(id, 'floor-bid', { paddle: '3', amount: '900.00' });
    expect([low.status, low.body.error?.code]).toEqual([409, 'TOO_LOW']);
    expect(low.body.error?.message).toContain('take it at 1000.00 EUR');
    expect(low.body.error?.details?.action).toMatchObject({ name: 'floor_bid' });
    expect(errorLot(low)).toMatchObject({ auctionId: id, status: 'open', asking: '1000.00' });
    await floor(id, 'floor-bid', { paddle: '3', amount: '1000.00' });
    const same = await floor(id, 'floor-bid', { paddle: '3', amount: '1100.00' });
    expect([same.status, same.body.error?.code]).toEqual([409, 'ALREADY_LEADING']);
    expect(same.body.error?.message).toContain('call 1100.00 EUR');
    const overrule = await floor(id, 'overrule', { paddle: '9' });
    expect([overrule.status, overrule.body.error?.code]).toEqual([409, 'NOTHING_TO_OVERRULE']);
    expect(overrule.body.error?.message).toContain('only a standing internet bid');
  });

  it('rejects only the standing bid, named by its seq', async () => {
    const id = await liveLot();
    await floor(id, 'open');
    const standing = lotOf(await floor(id, 'floor-bid', { paddle: '3', amount: '1000.00' })).standingSeq;
    const stale = await floor(id, 'reject', { seq: standing + 5 });
    expect([stale.status, stale.body.error?.code]).toEqual([409, 'NOT_LATEST_BID']);
    expect(stale.body.error?.message).toContain(`seq ${standing}`);
    const rejected = await floor(id, 'reject', { seq: standing });
    expect(lotOf(rejected)).toMatchObject({ leader: null, price: '0.00', standingSeq: 0 });
    const again = await floor(id, 'reject', { seq: standing });
    expect(again.body.error?.code).toBe('NOTHING_TO_REJECT');
  });

  it.each([
    ['an empty body on a button with arguments', 'asking', undefined, 'amount'],
    ['a paddle with a space', 'floor-bid', { paddle: 'x y', amount: '1000.00' }, 'paddle'],
    ['a fractional seq', 'reject', { seq: 1.5 }, 'seq'],
    ['an over-long hold message', 'hold', { message: 'x'.repeat(201) }, 'message'],
  ] as const)('refuses %s with 400 VALIDATION_FAILED naming the field', async (_l, path, body, field) => {
    const id = await liveLot();
    await floor(id, 'open');
    const res = await floor(id, path, body);
    expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(res.body.error?.message).toContain(field);
    expect(await g.store!.decisions(id)).toHaveLength(1);
  });

  it('takes an empty body with any content type on a button without arguments', async () => {
    const id = await liveLot();
    const res = await floor(id, 'open', undefined, { headers: { 'Content-Type': 'text/plain' } });
    expect([res.status, lotOf(res).status]).toEqual([200, 'open']);
  });

  it('answers a replayed button once and refuses the key for another action', async () => {
    const id = await liveLot();
    await floor(id, 'open');
    const key = randomUUID();
    const first = await floor(id, 'asking', { amount: '1500.00' }, { key });
    const again = await floor(id, 'asking', { amount: '1500.00' }, { key });
    expect([again.status, again.body]).toEqual([200, first.body]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const reused = await floor(id, 'hammer', undefined, { key });
    expect([reused.status, reused.body.error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await g.store!.decisions(id)).toHaveLength(2);
  });

  it('serves the console state with the hub to subscribe from it; a timed lot has no floor', async () => {
    const id = await liveLot();
    await floor(id, 'open');
    await floor(id, 'floor-bid', { paddle: '21', amount: '1000.00' });
    const res = await g.call('GET', `/v1/auctions/${id}/floor`, { token: clerk });
    expect(res.status).toBe(200);
    expect(lotOf(res)).toMatchObject({ status: 'open', price: '1000.00', leader: { paddle: '21' } });
    const hub = res.body.hub as { url: string; topics: string[]; lastEventId: string };
    expect(hub).toMatchObject({
      url: g.hubUrl,
      topics: [
        `https://gavel.local/auctions/${id}`,
        'https://gavel.local/sales/sale-1',
        'https://gavel.local/staff/sales/sale-1',
      ],
    });
    expect(res.headers.get('link')).toBe(`<${g.hubUrl}>; rel="mercure"; last-event-id="${hub.lastEventId}"`);
    const timed = lotId();
    await g.store!.configure(timedSetup(timed, Date.now()));
    const notLive = await g.call('GET', `/v1/auctions/${timed}/floor`, { token: clerk });
    expect([notLive.status, notLive.body.error?.code]).toEqual([409, 'NOT_LIVE']);
    const unknown = await g.call('GET', '/v1/auctions/no-such-lot/floor', { token: clerk });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'UNKNOWN_AUCTION']);
  });

  it('moves to the next lot of the same sale once this one is finished', async () => {
    const saleId = `sale-${randomUUID().slice(0, 8)}`;
    const a = await liveLot({ saleId });
    const b = await liveLot({ saleId });
    await floor(a, 'open');
    const same = await floor(a, 'next', { nextAuctionId: a });
    expect([same.status, same.body.error?.code]).toEqual([400, 'SAME_LOT']);
    const missing = await floor(a, 'next', {});
    expect([missing.status, missing.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(missing.body.error?.message).toContain('nextAuctionId');
    const busy = await floor(a, 'next', { nextAuctionId: b });
    expect([busy.status, busy.body.error?.code]).toEqual([409, 'LOT_IN_PROGRESS']);
    expect(errorLot(busy)).toMatchObject({ auctionId: a, status: 'open' });
    const timed = lotId();
    await g.store!.configure(timedSetup(timed, Date.now(), { saleId }));
    const notLive = await floor(a, 'next', { nextAuctionId: timed });
    expect([notLive.status, notLive.body.error?.code]).toEqual([409, 'NOT_LIVE']);
    await floor(a, 'pass');
    const next = await floor(a, 'next', { nextAuctionId: b });
    expect(next.status).toBe(200);
    expect(next.body.action).toMatchObject({ name: 'open' });
    expect(lotOf(next)).toMatchObject({ auctionId: b, status: 'open' });
    expect(next.body.previous).toMatchObject({
      action: { name: 'superseded' },
      lot: { auctionId: a, status: 'passed', undoAvailable: false },
    });
  });
});
