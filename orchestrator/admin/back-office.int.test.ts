import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { BidderMasks } from '../../bidding/back-office.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import type { RunningHub } from '../../hub/index.ts';
import { EngineSync } from '../lifecycle/engine-sync.ts';
import { Lifecycle } from '../lifecycle/lifecycle.ts';
import { migrate } from '../ledger/migrate.ts';
import { OutboxDispatcher, type Notification, type NotificationChannel } from '../notify/outbox.ts';
import { PUBLISHER_KEY, startTestHub, subscribeUrl, subscriberToken } from '../../test/support/hub.ts';
import {
  iso,
  LATER,
  startSaleNow,
  startTestBackOffice,
  until,
  type TestBackOffice,
} from '../../test/support/orchestrator.ts';
import {
  BACK_OFFICE_EVENTS,
  backOfficeEventSchemas,
  type BackOfficeEventType,
} from '../../common/contracts/index.ts';
import { adminBuilders, INCREMENTS } from '../../test/support/builders.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { connectSse } from '../../test/support/sse-client.ts';
import { startTestGavel } from '../../test/support/gavel.ts';

const topics = makeTopics();
let hub: RunningHub;
let t: TestBackOffice;
let orch: TestBackOffice['orch'];
let engine: TestBackOffice['engine'];
let tokens: TestBackOffice['tokens'];
let logger: TestBackOffice['logger'];
let pg: TestBackOffice['pg'];

beforeAll(async () => {
  hub = await startTestHub();
  t = await startTestBackOffice('backoffice', {
    hubPublishUrl: `${hub.url}/.well-known/mercure`,
    publisherKey: PUBLISHER_KEY,
  });
  ({ orch, engine, tokens, logger, pg } = t);
}, 30_000);

afterAll(async () => {
  await t.close();
  await hub.close();
});

const api = (method: string, path: string, body?: unknown, token?: string | null) =>
  t.api(method, path, body, token);
const ok = (method: string, path: string, body?: unknown) => t.ok(method, path, body);
const bid = (lotId: string, bidderId: string, amount: number) => t.bid(lotId, bidderId, amount);

/** The sale's results once `lots` of its lots are finalised. */
async function finalResults(saleId: string, lots: number): Promise<Record<string, unknown>[]> {
  return until(`${lots} lot(s) of ${saleId} finalised`, async () => {
    const r = (await ok('GET', `/sales/${saleId}/results`)).results as Record<string, unknown>[];
    return r.length === lots ? r : undefined;
  });
}

const build = adminBuilders((method, path, body) => ok(method, path, body));
const bidders = (...ids: string[]): Promise<void> => build.bidders(...ids);

describe('admin API', () => {
  it('refuses callers without an admin token', async () => {
    expect((await api('GET', '/sales', undefined, null)).status).toBe(401);
    const bidder = await tokens.sign({ id: 'b', role: 'bidder', name: undefined });
    const refused = await api('GET', '/sales', undefined, bidder);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('FORBIDDEN');
  });

  it('names the problem in bad input', async () => {
    const base = {
      id: 'bad-sale',
      mode: 'timed',
      currency: 'EUR',
      title: 'x',
      startsAt: iso(Date.now()),
      endsAt: iso(Date.now() + 1000),
    };
    const cases: [unknown, string][] = [
      [{ ...base, currency: 'EURO' }, 'VALIDATION_FAILED'],
      [{ ...base, kycFreeLimit: '10.001' }, 'BAD_SCALE'],
      [{ ...base, cddThreshold: '1e5' }, 'BAD_AMOUNT'],
      [{ ...base, colour: 'red' }, 'VALIDATION_FAILED'],
      [{ ...base, endsAt: iso(Date.now() - 1000) }, 'BAD_TIMES'],
      [{ ...base, premiumBands: [{ upTo: '100.00', rateBp: 2500 }] }, 'BAD_PREMIUM_BANDS'],
      [{ ...base, startsAt: 'tomorrow' }, 'VALIDATION_FAILED'],
      ['{not json', 'BAD_JSON'],
    ];
    for (const [body, code] of cases) {
      const a = await api('POST', '/sales', body);
      expect(a.status, JSON.stringify(body)).toBe(400);
      expect(a.body.error?.code, JSON.stringify(a.body)).toBe(code);
    }
    expect((await api('GET', '/sales/nope')).body.error?.code).toBe('UNKNOWN_SALE');
  });

  it('runs a sale: eligibility computed here, enforced by the engine from the very next bid, every change audited', async () => {
    await bidders('bidder-alice', 'bidder-bob', 'bidder-carl');
    const now = Date.now();
    await build.setUp({
      sale: {
        id: 'sale-a',
        title: 'Autumn',
        startsAt: iso(now + 600_000),
        endsAt: iso(now + 3_600_000),
        kycFreeLimit: '50000.00',
      },
      lots: [{ id: 'lot-a1', title: 'Carl’s clock', reserve: '1000.00', consignorId: 'bidder-carl' }],
    });
    const taken = await api('POST', '/sales/sale-a/lots', {
      id: 'lot-a2',
      lotNumber: 1,
      title: 'x',
      opening: '1.00',
      increments: INCREMENTS,
    });
    expect(taken.body.error?.code).toBe('LOT_NUMBER_TAKEN');
    expect(await engine.snapshot('lot-a1')).toBeUndefined(); // a draft is not in the engine
    expect((await ok('POST', '/sales/sale-a/publish')).sale).toMatchObject({ status: 'scheduled' });
    expect((await engine.snapshot('lot-a1'))?.status).toBe('scheduled');

    // Paddles from the online range; CDD refuses a limit reaching EUR 10,000 until due diligence is recorded.
    const alice = await ok('POST', '/sales/sale-a/registrations', {
      bidderId: 'bidder-alice',
      limit: '5000.00',
      approve: true,
    });
    expect(alice.paddle).toBe('1000');
    const floor = await ok('POST', '/sales/sale-a/registrations', {
      bidderId: 'bidder-carl',
      channel: 'floor',
      limit: '2000.00',
      approve: true,
    });
    expect(floor.paddle).toBe('1');
    const refused = await api('POST', '/sales/sale-a/registrations', {
      bidderId: 'bidder-bob',
      limit: '10000.00',
      approve: true,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error?.code).toBe('CDD_REQUIRED');
    await ok('POST', '/sales/sale-a/registrations', {
      bidderId: 'bidder-bob',
      limit: '9999.99',
      approve: true,
    });
    expect(
      (await api('PATCH', '/sales/sale-a/registrations/bidder-bob', { limit: '20000.00' })).body.error?.code,
    ).toBe('CDD_REQUIRED');
    await ok('POST', '/bidders/bidder-bob/cdd');
    await ok('PATCH', '/sales/sale-a/registrations/bidder-bob', { limit: '20000.00' });

    // Terms: once published, nobody may bid until they accept this version.
    expect((await ok('POST', '/sales/sale-a/terms', { body: 'Conditions of sale v1' })).version).toBe(1);
    const regs = (await ok('GET', '/sales/sale-a/registrations')).registrations as {
      bidderId: string;
      eligibility: { reasons: string[] };
    }[];
    expect(regs.find((r) => r.bidderId === 'bidder-alice')?.eligibility.reasons).toEqual([
      'TERMS_NOT_ACCEPTED',
    ]);
    expect(
      (await api('POST', '/sales/sale-a/registrations/bidder-alice/terms', { version: 2 })).body.error?.code,
    ).toBe('TERMS_VERSION');
    for (const b of ['bidder-alice', 'bidder-bob', 'bidder-carl'])
      await ok('POST', `/sales/sale-a/registrations/${b}/terms`, { version: 1 });

    // Opens at its start (moved to now): the lifecycle does it.
    await ok('PATCH', '/sales/sale-a', { startsAt: iso(Date.now() - 1000) });
    await until(
      'sale-a open',
      async () =>
        ((await ok('GET', '/sales/sale-a')).sale as { status: string }).status === 'open' || undefined,
    );
    expect((await engine.snapshot('lot-a1'))?.status).toBe('open');

    expect((await bid('lot-a1', 'bidder-alice', 10_000)).outcome).toBe('accepted');
    expect((await bid('lot-a1', 'bidder-carl', 20_000)).reason).toBe('NOT_ELIGIBLE'); // his own lot
    expect((await bid('lot-a1', 'bidder-alice', 600_000)).reason).toBe('OVER_LIMIT');

    // Blocking takes effect on the very next bid; unblocking restores it.
    await ok('POST', '/bidders/bidder-alice/block', { reason: 'chargeback' });
    expect((await bid('lot-a1', 'bidder-alice', 20_000)).reason).toBe('NOT_ELIGIBLE');
    await ok('POST', '/bidders/bidder-alice/unblock');
    expect((await bid('lot-a1', 'bidder-bob', 20_000)).outcome).toBe('accepted');
    expect((await bid('lot-a1', 'bidder-alice', 30_000)).outcome).toBe('accepted');
    await ok('PATCH', '/sales/sale-a/registrations/bidder-alice', { status: 'revoked' });
    expect((await bid('lot-a1', 'bidder-alice', 40_000)).reason).toBe('NOT_ELIGIBLE');

    // While open: only a later end and the title may change.
    expect((await api('PATCH', '/sales/sale-a', { taxRateBp: 500 })).body.error?.code).toBe('SALE_ACTIVE');
    expect((await api('PATCH', '/sales/sale-a', { endsAt: iso(now + 60_000) })).body.error?.code).toBe(
      'END_NOT_LATER',
    );
    await ok('PATCH', '/sales/sale-a', { endsAt: iso(now + 7_200_000) });
    expect((await engine.snapshot('lot-a1'))?.endsAt).toBe(now + 7_200_000);

    const log = (await ok('GET', '/audit?entityType=bidder&entityId=bidder-alice')).entries as {
      action: string;
      actor: string;
      correlationId: string;
    }[];
    expect(log.map((e) => e.action)).toEqual(['bidder.unblock', 'bidder.block', 'bidder.create']);
    expect(log.every((e) => e.actor === 'admin:ops' && e.correlationId.length > 0)).toBe(true);
    const saleLog = (await ok('GET', '/audit?entityType=sale&entityId=sale-a')).entries as {
      action: string;
    }[];
    expect(saleLog.map((e) => e.action)).toContain('sale.terms_publish');
  });

  it('caps a bidder without verified KYC at the sale’s KYC-free limit', async () => {
    const now = Date.now();
    await build.setUp({
      bidders: ['bidder-dora'],
      sale: { id: 'sale-k', startsAt: iso(now - 1000), endsAt: iso(now + 3_600_000), kycFreeLimit: '500.00' },
      lots: [{ id: 'lot-k1' }],
      publish: true,
      register: ['bidder-dora'],
      registration: { limit: '5000.00' },
    });
    await until('sale-k open', async () =>
      (await engine.snapshot('lot-k1'))?.status === 'open' ? true : undefined,
    );
    expect((await bid('lot-k1', 'bidder-dora', 60_000)).reason).toBe('OVER_LIMIT');
    expect((await bid('lot-k1', 'bidder-dora', 50_000)).outcome).toBe('accepted');
  });
});

describe('admin API: lots', () => {
  it('edits a lot before the sale opens, and only its description and a later end while open', async () => {
    const now = Date.now();
    await build.setUp({
      sale: { id: 'sale-e', startsAt: iso(now + 600_000), endsAt: iso(now + 3_600_000) },
      lots: [{ id: 'lot-e1', title: 'Old', opening: '10.00' }],
    });
    const edited = await ok('PATCH', '/lots/lot-e1', {
      title: 'New',
      reserve: '50.00',
      premiumBands: [{ upTo: null, rateBp: 2000 }],
      softCloseSeconds: 30,
    });
    expect(edited.lot).toMatchObject({ title: 'New', reserve: '50.00', softCloseSeconds: 30 });
    expect((await api('PATCH', '/lots/lot-e1', { reserve: '50.001' })).body.error?.code).toBe('BAD_SCALE');
    await ok('PATCH', '/sales/sale-e', { startsAt: iso(Date.now() - 1000) });
    await ok('POST', '/sales/sale-e/publish');
    await until(
      'sale-e open',
      async () =>
        ((await ok('GET', '/sales/sale-e')).sale as { status: string }).status === 'open' || undefined,
    );
    const refused = await api('PATCH', '/lots/lot-e1', { reserve: '10.00' });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'SALE_ACTIVE']);
    await ok('PATCH', '/lots/lot-e1', { description: 'Provenance added', endsAt: iso(now + 7_200_000) });
    expect((await engine.snapshot('lot-e1'))?.endsAt).toBe(now + 7_200_000);
    const log = (await ok('GET', '/audit?entityType=lot&entityId=lot-e1')).entries as { action: string }[];
    expect(log.map((e) => e.action)).toEqual(['lot.update', 'lot.update', 'lot.create']);
  });
});

describe('lifecycle', () => {
  it('closes a timed lot only after its soft-close extended end, then finalises it once from the ledger', async () => {
    await build.setUp({
      bidders: ['bidder-erin', 'bidder-finn'],
      sale: {
        id: 'sale-s',
        title: 'Soft close',
        ...LATER,
        kycFreeLimit: '1000000.00',
        // 25 % up to 1,000.00, 20 % above; tax 20 % on the premium.
        premiumBands: [
          { upTo: '1000.00', rateBp: 2500 },
          { upTo: null, rateBp: 2000 },
        ],
        taxRateBp: 2000,
        closingSoonSeconds: 3,
      },
      lots: [
        { id: 'lot-s1', title: 'Vase', reserve: '500.00', softCloseSeconds: 3, graceMs: 0 },
        { id: 'lot-s2', title: 'Chair', reserve: '5000.00', softCloseSeconds: 3, graceMs: 0 },
      ],
      publish: true,
      register: ['bidder-erin', 'bidder-finn'],
      registration: { limit: '9000.00' },
    });
    const finn = await connectSse(subscribeUrl(hub.url, [topics.bidder('bidder-finn')]), {
      headers: { Authorization: `Bearer ${await subscriberToken([topics.bidder('bidder-finn')])}` },
    });
    const erin = await connectSse(subscribeUrl(hub.url, [topics.bidder('bidder-erin')]), {
      headers: { Authorization: `Bearer ${await subscriberToken([topics.bidder('bidder-erin')])}` },
    });
    // The clock starts once everything is set up (a loaded machine takes seconds for that).
    await startSaleNow(t, 'sale-s', 4_000);
    await until('lot-s1 open', async () =>
      (await engine.snapshot('lot-s1'))?.status === 'open' ? true : undefined,
    );

    const first = await bid('lot-s1', 'bidder-erin', 50_000);
    expect(first.outcome).toBe('accepted');
    expect((await bid('lot-s2', 'bidder-erin', 100_000)).outcome).toBe('accepted');
    // Inside the last 3 s of the lot's end as the engine has it (which that bid may have moved
    // already, on a slow machine): the end moves by 3 s.
    await new Promise((r) => setTimeout(r, Math.max(0, first.endsAt - 2_500 - Date.now())));
    const late = await bid('lot-s1', 'bidder-finn', 120_000);
    expect(late).toMatchObject({ outcome: 'accepted', extended: true });
    const extendedEnd = late.endsAt;
    expect(extendedEnd).toBe(first.endsAt + 3_000);

    // Watch the lot: it must not be closed before the extended end.
    const closedAt = await until(
      'lot-s1 closed',
      async () => {
        const lot = (await ok('GET', '/lots/lot-s1')).lot as { status: string };
        return lot.status === 'open' ? undefined : Date.now();
      },
      15_000,
    );
    expect(closedAt).toBeGreaterThan(extendedEnd);
    expect((await bid('lot-s1', 'bidder-erin', 200_000)).reason).toBe('CLOSED');

    const results = await finalResults('sale-s', 2);
    expect(results).toEqual([
      // 1,200.00 hammer: 25 % of 1,000 + 20 % of 200 = 290.00 premium; tax 20 % of it = 58.00.
      {
        lotId: 'lot-s1',
        lotNumber: 1,
        outcome: 'sold',
        hammer: '1200.00',
        buyer: 'bidder-finn',
        premium: '290.00',
        tax: '58.00',
        total: '1548.00',
      },
      // Reserve 5,000.00 not met.
      {
        lotId: 'lot-s2',
        lotNumber: 2,
        outcome: 'unsold',
        hammer: null,
        buyer: null,
        premium: null,
        tax: null,
        total: null,
      },
    ]);
    await until(
      'sale-s closed',
      async () =>
        ((await ok('GET', '/sales/sale-s')).sale as { status: string }).status === 'closed' || undefined,
    );

    // Notifications through the outbox: the winner, the underbidder, the extension.
    const won = await finn.waitFor(1, 5_000);
    const finnTypes = () => finn.events.map((e) => e.event);
    await until('finn notified', () => (finnTypes().includes('lot.won') ? true : undefined));
    const wonEvent = finn.events.find((e) => e.event === 'lot.won')!;
    expect(JSON.parse(wonEvent.data)).toMatchObject({
      lotId: 'lot-s1',
      currency: 'EUR',
      hammer: '1200.00',
      premium: '290.00',
      tax: '58.00',
      total: '1548.00',
    });
    expect(won.length).toBeGreaterThan(0);
    await until('erin notified', () =>
      erin.events.filter((e) => e.event === 'lot.lost').length === 2 ? true : undefined,
    );
    expect(erin.events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['lot.closing_soon', 'lot.extended']),
    );
    const lost = erin.events
      .filter((e) => e.event === 'lot.lost')
      .map((e) => JSON.parse(e.data) as { lotId: string; outcome: string });
    expect(lost.map((l) => [l.lotId, l.outcome]).sort()).toEqual([
      ['lot-s1', 'sold'],
      ['lot-s2', 'unsold'],
    ]);
    finn.close();
    erin.close();

    // A second scheduler on the same database changes nothing: one winner, one of each event.
    const second = new Lifecycle({
      db: pg.open(2),
      engine,
      sync: new EngineSync(orch.db, engine, logger),
      topics,
      logger,
      masks: new BidderMasks(randomBytes(32).toString('hex')),
    });
    await second.tick();
    await second.tick();
    const winners = await orch.db.query('SELECT lot_id FROM winners WHERE sale_id = $1', ['sale-s']);
    expect(winners).toHaveLength(1);
    const events = await orch.db.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM outbox_events WHERE payload->>'saleId' = 'sale-s' GROUP BY type ORDER BY type`,
    );
    // The result's notifications carry the winning bid's correlation id, from its ledger row.
    const [winning] = await orch.db.query<{ correlation_id: string }>(
      `SELECT correlation_id FROM bids WHERE auction_id = 'lot-s1' AND bidder_id = 'bidder-finn' AND outcome = 'accepted'`,
    );
    const [wonRow] = await orch.db.query<{ correlation_id: string }>(
      `SELECT correlation_id FROM outbox_events WHERE type = 'lot.won' AND payload->>'lotId' = 'lot-s1'`,
    );
    expect(winning?.correlation_id).toMatch(/^req-/);
    expect(wonRow?.correlation_id).toBe(winning?.correlation_id);
    expect(Object.fromEntries(events.map((e) => [e.type, e.n]))).toMatchObject({
      'lot.won': 1,
      'lot.lost': 2,
      'lot.result': 2,
    });
    // Each event's payload is its contract's (common/contracts/events.ts).
    const payloads = await orch.db.query<{ type: string; payload: unknown }>(
      `SELECT type, payload FROM outbox_events WHERE payload->>'saleId' = 'sale-s' ORDER BY id`,
    );
    const checked = payloads.filter((p) => (BACK_OFFICE_EVENTS as readonly string[]).includes(p.type));
    expect(new Set(checked.map((p) => p.type))).toEqual(
      new Set([
        'sale.opened',
        'lot.closing_soon',
        'lot.extended',
        'lot.won',
        'lot.lost',
        'lot.result',
        'sale.closed',
      ]),
    );
    for (const p of checked) {
      const payload = typeof p.payload === 'string' ? (JSON.parse(p.payload) as unknown) : p.payload;
      const schema = backOfficeEventSchemas[p.type as BackOfficeEventType];
      expect([p.type, schema.safeParse(payload).success]).toEqual([p.type, true]);
    }
  }, 30_000);
});

describe('lifecycle: live lots, ties, restarts', () => {
  it('records a live lot closed by the hammer once its undo window closes: the floor buyer through their paddle', async () => {
    await build.setUp({
      bidders: ['bidder-gus', 'bidder-hal'],
      sale: {
        id: 'sale-l',
        mode: 'live',
        title: 'Evening',
        startsAt: iso(Date.now() - 1000),
        kycFreeLimit: '9000.00',
      },
      lots: [{ id: 'lot-l1', title: 'Bronze', reserve: '100.00' }],
      publish: true,
      register: ['bidder-gus'],
      registration: { limit: '9000.00' },
    });
    const hal = (await build.register('sale-l', ['bidder-hal'], { channel: 'floor', limit: '9000.00' }))[0]!;
    expect(hal.paddle).toBe('1');
    await until(
      'sale-l open',
      async () =>
        ((await ok('GET', '/sales/sale-l')).sale as { status: string }).status === 'open' || undefined,
    );
    expect((await engine.snapshot('lot-l1'))?.status).toBe('scheduled'); // live lots wait for the auctioneer

    const floor = (action: Parameters<typeof engine.floorAction>[0]) => engine.floorAction(action);
    expect((await floor({ auctionId: 'lot-l1', action: 'open', idempotencyKey: 'l-open' })).outcome).toBe(
      'accepted',
    );
    expect((await bid('lot-l1', 'bidder-gus', 10_000)).outcome).toBe('accepted');
    expect(
      (
        await floor({
          auctionId: 'lot-l1',
          action: 'floor_bid',
          paddle: '1',
          amount: 11_000,
          idempotencyKey: 'l-fb',
        })
      ).outcome,
    ).toBe('accepted');
    expect((await floor({ auctionId: 'lot-l1', action: 'hammer', idempotencyKey: 'l-hammer' })).status).toBe(
      'sold',
    );
    // The auctioneer may still undo: nothing final yet, after lifecycle passes begun since the hammer.
    const lifecycle = orch.backOffice!.lifecycle;
    const begun = lifecycle.passes.started;
    await until('two lifecycle passes after the hammer', () =>
      lifecycle.passes.completed >= begun + 2 ? true : undefined,
    );
    expect(((await ok('GET', '/lots/lot-l1')).lot as { finalised: boolean }).finalised).toBe(false);
    await floor({ auctionId: 'lot-l1', action: 'superseded', idempotencyKey: 'l-next' }); // the next lot opened

    const results = await finalResults('sale-l', 1);
    expect(results).toEqual([
      {
        lotId: 'lot-l1',
        lotNumber: 1,
        outcome: 'sold',
        hammer: '110.00',
        buyer: 'bidder-hal',
        premium: '27.50',
        tax: '0.00',
        total: '137.50',
      },
    ]);
    const [winner] = await orch.db.query<{ paddle: string; bidder_id: string }>(
      'SELECT paddle, bidder_id FROM winners WHERE lot_id = $1',
      ['lot-l1'],
    );
    expect(winner).toEqual({ paddle: '1', bidder_id: 'bidder-hal' });
    await until(
      'sale-l closed',
      async () =>
        ((await ok('GET', '/sales/sale-l')).sale as { status: string }).status === 'closed' || undefined,
    );
  });

  it('the periodic reconcile leaves a lot on the block alone: status and the auctioneer’s asking price stay', async () => {
    await build.setUp({
      sale: { id: 'sale-r2', mode: 'live', title: 'R', startsAt: iso(Date.now() - 1000) },
      lots: [{ id: 'lot-r2', title: 'R' }],
      publish: true,
    });
    await until(
      'sale-r2 open',
      async () =>
        ((await ok('GET', '/sales/sale-r2')).sale as { status: string }).status === 'open' || undefined,
    );
    await engine.floorAction({ auctionId: 'lot-r2', action: 'open', idempotencyKey: 'r2-open' });
    await engine.floorAction({
      auctionId: 'lot-r2',
      action: 'set_asking',
      amount: 25_000,
      idempotencyKey: 'r2-ask',
    });
    await orch.backOffice!.sync.reconcile();
    expect(await engine.snapshot('lot-r2')).toMatchObject({ status: 'open', asking: 25_000 });
    // An admin's edit of the sale does not reset it either.
    await ok('PATCH', '/sales/sale-r2', { title: 'R (renamed)' });
    expect(await engine.snapshot('lot-r2')).toMatchObject({ status: 'open', asking: 25_000 });
  });

  it('of two equal bids the first decided wins, and a scheduler that was down at the end still closes the lot once', async () => {
    await build.setUp({
      bidders: ['bidder-ivy', 'bidder-jon'],
      sale: { id: 'sale-t', title: 'Tie', ...LATER, kycFreeLimit: '9000.00' },
      lots: [{ id: 'lot-t1', title: 'Tie', softCloseSeconds: 0, graceMs: 0 }],
      publish: true,
      register: ['bidder-ivy', 'bidder-jon'],
      registration: { limit: '9000.00' },
    });
    // The clock starts once everything is set up (a loaded machine takes seconds for that).
    const end = await startSaleNow(t, 'sale-t', 3_000);
    await until('lot-t1 open', async () =>
      (await engine.snapshot('lot-t1'))?.status === 'open' ? true : undefined,
    );
    // The scheduler goes down before the end (the bids go to the engine, which decides by its
    // clock) and comes back well after it.
    const lifecycle = orch.backOffice!.lifecycle;
    await lifecycle.stop();
    let first: Awaited<ReturnType<typeof bid>>;
    try {
      const both = await Promise.all([
        bid('lot-t1', 'bidder-ivy', 20_000),
        bid('lot-t1', 'bidder-jon', 20_000),
      ]);
      const accepted = both.filter((d) => d.outcome === 'accepted');
      expect(accepted).toHaveLength(1);
      first = both.reduce((a, b) => (a.seq < b.seq ? a : b));
      expect(accepted[0]).toBe(first);
      expect(both.find((d) => d !== first)?.reason).toBe('OUTBID');
      await new Promise((r) => setTimeout(r, Math.max(0, end + 1_500 - Date.now())));
      expect(((await ok('GET', '/lots/lot-t1')).lot as { status: string }).status).toBe('open');
    } finally {
      lifecycle.start();
    }
    const results = await finalResults('sale-t', 1);
    expect(results[0]).toMatchObject({ buyer: first.bidderId, hammer: '200.00' });
  });
});

describe('catalogue', () => {
  it('serves published sales to the gateway without the reserve, over HTTP', async () => {
    await build.setUp({
      sale: { id: 'sale-cat', mode: 'live', title: 'Catalogue', startsAt: iso(Date.now() + 3_600_000) },
      lots: [
        { id: 'lot-cat2', lotNumber: 2, title: 'Second', opening: '10.00', reserve: '999.00' },
        {
          id: 'lot-cat1',
          lotNumber: 1,
          title: 'First',
          opening: '10.00',
          estimateLow: '100.00',
          estimateHigh: '200.00',
          imageUrl: 'https://img.example/1.jpg',
        },
      ],
    });
    const draft = await fetch(`${orch.url!}/catalogue/v1/sales/sale-cat`);
    expect(draft.status).toBe(404); // a draft is not public
    await ok('POST', '/sales/sale-cat/publish');

    const gateway = await startTestGavel({ orchestratorUrl: orch.url!, demo: false });
    try {
      const res = await fetch(`${gateway.url}/v1/sales/sale-cat`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain('999'); // the reserve stays confidential
      expect(JSON.parse(text)).toMatchObject({
        sale: {
          id: 'sale-cat',
          mode: 'live',
          lots: [
            {
              id: 'lot-cat1',
              lotNumber: '1',
              title: 'First',
              estimateLow: '100.00',
              estimateHigh: '200.00',
              imageUrl: 'https://img.example/1.jpg',
            },
            { id: 'lot-cat2', lotNumber: '2', title: 'Second', estimateLow: '', estimateHigh: '' },
          ],
        },
      });
      const list = (await (await fetch(`${gateway.url}/v1/sales`)).json()) as {
        sales: { id: string; lotCount: number }[];
      };
      expect(list.sales.find((s) => s.id === 'sale-cat')?.lotCount).toBe(2);
      expect((await fetch(`${gateway.url}/v1/sales/nope`)).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });
});

describe('outbox', () => {
  it('retries a failed delivery with back-off until a channel accepts it, then never again', async () => {
    // Its own schema: the running orchestrator's dispatcher must not take this event first.
    const own = postgresSchema('outbox');
    await own.create();
    const db = own.open(2);
    try {
      await migrate(db);
      await db.query(
        `INSERT INTO outbox_events (topic, type, payload, dedupe_key) VALUES ('t:retry', 'test.retry', '{"n":1}', 'retry-1')`,
      );
      const seen: Notification[] = [];
      let markerDelivered = false;
      let failures = 2;
      const flaky: NotificationChannel = {
        name: 'flaky',
        deliver(n) {
          if (n.type === 'test.marker') {
            markerDelivered = true;
            return Promise.resolve();
          }
          seen.push(n);
          if (failures-- > 0) return Promise.reject(new Error('provider down'));
          return Promise.resolve();
        },
      };
      const d = new OutboxDispatcher({ db, channels: [flaky], logger, baseBackoffMs: 20, pollMs: 10 });
      d.start();
      try {
        await until('delivered after 2 failures', () => (seen.length >= 3 ? true : undefined));
        // A later event, queued after the success: once it is delivered, passes have run after the
        // success, and a fourth delivery of the first, were it due, would have come before it (id order).
        await db.query(
          `INSERT INTO outbox_events (topic, type, payload, dedupe_key) VALUES ('t:retry', 'test.marker', '{}', 'retry-marker')`,
        );
        await until('the later event delivered', () => (markerDelivered ? true : undefined));
      } finally {
        await d.stop();
      }
      expect(seen).toHaveLength(3);
      expect(seen.map((n) => n.attempts)).toEqual([0, 1, 2]);
      const [row] = await db.query<{ attempts: number; published: boolean; last_error: string | null }>(
        `SELECT attempts, published_at IS NOT NULL AS published, last_error FROM outbox_events WHERE dedupe_key = 'retry-1'`,
      );
      expect(row).toEqual({ attempts: 3, published: true, last_error: null });
      expect(await d.pending()).toBe(0);
    } finally {
      await own.cleanup();
    }
  });
});
