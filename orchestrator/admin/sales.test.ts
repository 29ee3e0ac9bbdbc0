import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessAdmin, type InProcessAdmin } from './test-kit.ts';

let a: InProcessAdmin;
beforeAll(async () => {
  a = await inProcessAdmin();
}, 120_000);
afterAll(() => a?.close());

const iso = (ms: number): string => new Date(ms).toISOString();
/** POST /sales with a minimal valid body, `fields` on top. */
const postSale = (fields: Record<string, unknown>) =>
  a.api('POST', '/sales', {
    mode: 'timed',
    currency: 'EUR',
    title: 't',
    startsAt: iso(Date.now()),
    ...fields,
  });
const setStatus = (saleId: string, status: string) =>
  a.db.query('UPDATE sales SET status = $2 WHERE id = $1', [saleId, status]);

describe('admin API in process: access and validation', () => {
  it('refuses a caller without a token (401) and a bidder (403)', async () => {
    expect((await a.api('GET', '/sales', undefined, null)).status).toBe(401);
    const bidder = await a.tokens.sign({ id: 'b', role: 'bidder', name: undefined });
    const refused = await a.api('GET', '/sales', undefined, bidder);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('FORBIDDEN');
  });

  it('names the field at fault in a 400', async () => {
    const bad = await postSale({ id: 's-bad', currency: 'EURO' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error?.message).toMatch(/^currency: /);
    const unknown = await postSale({ id: 's-bad', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toContain('colour');
    const json = await a.api('POST', '/sales', '{not json');
    expect([json.status, json.body.error?.code]).toEqual([400, 'BAD_JSON']);
    const times = await postSale({ id: 's-bad', endsAt: iso(Date.now() - 1) });
    expect([times.status, times.body.error?.code]).toEqual([400, 'BAD_TIMES']);
    expect((await a.api('GET', '/sales/s-bad')).body.error?.code).toBe('UNKNOWN_SALE');
    expect((await a.api('GET', '/nowhere')).status).toBe(404);
  });

  it('refuses a currency outside the active ISO 4217 list, naming the field', async () => {
    for (const currency of ['ZZZ', 'XAU', 'XTS', 'HRK', 'eur']) {
      const r = await postSale({ id: 's-cur', currency });
      expect([r.status, r.body.error?.code], currency).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.body.error?.message, currency).toMatch(/^currency: .*ISO 4217/);
    }
    expect((await a.api('GET', '/sales/s-cur')).status).toBe(404);
    const kwd = await postSale({ id: 's-cur', currency: 'KWD', cddThreshold: '1.005' });
    expect(kwd.status).toBe(201);
    expect(kwd.body.sale).toMatchObject({ currency: 'KWD', cddThreshold: '1.005' });
  });

  it('takes IANA time zones (canonical or alias) and refuses anything else, naming the field', async () => {
    for (const timezone of [
      'Mars/Olympus',
      'CET+1',
      '+01:00',
      'europe/paris',
      'Paris',
      '',
      'Europe/Paris ',
    ]) {
      const r = await postSale({ id: 's-tz', timezone });
      expect([r.status, r.body.error?.code], timezone).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.body.error?.message, timezone).toMatch(/^timezone: .*IANA/);
    }
    expect((await a.api('GET', '/sales/s-tz')).status).toBe(404);
    const created = await postSale({ id: 's-tz', timezone: 'Asia/Kolkata' });
    expect(created.status).toBe(201);
    expect(created.body.sale).toMatchObject({ timezone: 'Asia/Kolkata' });
    for (const timezone of [
      'UTC',
      'Europe/Paris',
      'America/Argentina/Buenos_Aires',
      'Etc/GMT+5',
      'Europe/Kyiv',
    ])
      expect((await a.api('PATCH', '/sales/s-tz', { timezone })).status, timezone).toBe(200);
    const bad = await a.api('PATCH', '/sales/s-tz', { timezone: 'Nowhere/Land' });
    expect([bad.status, bad.body.error?.message]).toEqual([400, expect.stringMatching(/^timezone: /)]);
    expect((await a.ok('GET', '/sales/s-tz')).sale).toMatchObject({ timezone: 'Europe/Kyiv' });
  });

  it('takes an audit limit of decimal digits only, from 1 to 500, naming the parameter', async () => {
    for (const limit of ['0x10', '1e2', '%2010', '+5', '-1', '0', '501', '2.5', '', 'ten']) {
      const r = await a.api('GET', `/audit?limit=${limit}`);
      expect([r.status, r.body.error?.code], limit).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.body.error?.message, limit).toMatch(/^limit: must be decimal digits only, from 1 to 500/);
    }
    await a.build.sale({ id: 's-audit-1' });
    await a.build.sale({ id: 's-audit-2' });
    const two = (await a.ok('GET', '/audit?entityType=sale&limit=2')).entries as unknown[];
    expect(two).toHaveLength(2);
    expect(((await a.ok('GET', '/audit?limit=500')).entries as unknown[]).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses paddle ranges that overlap or run backwards with 400 BAD_PADDLES, naming them', async () => {
    // Online 5–5 lies inside the default floor range 1–999: the database's constraint would refuse it (503).
    const overlap = await postSale({ id: 's-paddles', onlinePaddles: { from: 5, to: 5 } });
    expect([overlap.status, overlap.body.error?.code]).toEqual([400, 'BAD_PADDLES']);
    expect(overlap.body.error?.message).toContain('floorPaddles 1–999 and onlinePaddles 5–5 overlap');
    const backwards = await postSale({ id: 's-paddles', floorPaddles: { from: 9, to: 2 } });
    expect([backwards.status, backwards.body.error?.code]).toEqual([400, 'BAD_PADDLES']);
    expect((await a.api('GET', '/sales/s-paddles')).status).toBe(404);
    // An edit is checked against the ranges the sale keeps: moving the floor range onto the online one.
    await a.build.sale({ id: 's-paddles' });
    const moved = await a.api('PATCH', '/sales/s-paddles', { floorPaddles: { from: 900, to: 1000 } });
    expect([moved.status, moved.body.error?.code]).toEqual([400, 'BAD_PADDLES']);
    const apart = await a.api('PATCH', '/sales/s-paddles', {
      floorPaddles: { from: 1, to: 99 },
      onlinePaddles: { from: 100, to: 199 },
    });
    expect(apart.status).toBe(200);
    expect(apart.body.sale).toMatchObject({
      floorPaddles: { from: 1, to: 99 },
      onlinePaddles: { from: 100, to: 199 },
    });
  });

  it('refuses a title people would not see as written', async () => {
    const r = await postSale({ id: 's-bidi', title: 'Spring \u202E sale' });
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toContain('U+202E');
    const blank = await postSale({ id: 's-bidi', title: '   ' });
    expect(blank.body.error?.message).toContain('title must not be empty');
  });
});

describe('admin API in process: sales', () => {
  it('creates a sale with defaults, lists it, and refuses the same id twice', async () => {
    const created = await a.build.sale({ id: 's-new', title: 'Spring' });
    expect(created.sale).toMatchObject({
      id: 's-new',
      status: 'draft',
      currency: 'EUR',
      cddThreshold: '10000.00',
      premiumBands: [{ upTo: null, rateBp: 2500 }],
      floorPaddles: { from: 1, to: 999 },
    });
    const again = await postSale({ id: 's-new', title: 'x' });
    expect([again.status, again.body.error?.code]).toEqual([409, 'ALREADY_EXISTS']);
    const list = (await a.ok('GET', '/sales')).sales as { id: string }[];
    expect(list.map((s) => s.id)).toContain('s-new');
    const audit = (await a.ok('GET', '/audit?entityType=sale&entityId=s-new')).entries as {
      action: string;
      actor: string;
    }[];
    expect(audit.map((e) => [e.action, e.actor])).toEqual([['sale.create', 'admin:ada']]);
  });

  it('lists the sales in the statuses ?status= names, and refuses a status that does not exist', async () => {
    const starts = Date.now() + 3_600_000;
    for (const [id, status] of [
      ['s-f-draft', 'draft'],
      ['s-f-sched', 'scheduled'],
      ['s-f-open', 'open'],
      ['s-f-closed', 'closed'],
      ['s-f-cancel', 'cancelled'],
    ] as const) {
      await a.build.sale({ id, startsAt: iso(starts) });
      await setStatus(id, status);
    }
    const ids = async (query: string): Promise<string[]> =>
      ((await a.ok('GET', `/sales${query}`)).sales as { id: string; status: string }[])
        .filter((s) => s.id.startsWith('s-f-'))
        .map((s) => `${s.id}:${s.status}`)
        .sort();
    expect(await ids('?status=open')).toEqual(['s-f-open:open']);
    expect(await ids('?status=scheduled&status=open')).toEqual(['s-f-open:open', 's-f-sched:scheduled']);
    expect(await ids('?status=closed,cancelled,closed')).toEqual([
      's-f-cancel:cancelled',
      's-f-closed:closed',
    ]);
    expect(await ids('')).toHaveLength(5);
    const everySale = (await a.ok('GET', '/sales')).sales as { status: string }[];
    expect(((await a.ok('GET', '/sales?status=draft')).sales as { status: string }[]).length).toBe(
      everySale.filter((s) => s.status === 'draft').length,
    );
    for (const [query, value] of [
      ['?status=opened', 'opened'],
      ['?status=open&status=live', 'live'],
      ['?status=open,', ''],
      ['?status=', ''],
      ['?status=OPEN', 'OPEN'],
    ]) {
      const r = await a.api('GET', `/sales${query}`);
      expect([r.status, r.body.error?.code], query).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.body.error?.message, query).toMatch(new RegExp(`^status: "${value}" is not a sale status`));
      expect(r.body.error?.details, query).toEqual({ field: 'status', value });
    }
  });

  it('edits anything of a draft, refuses an end before the start', async () => {
    await a.build.sale({ id: 's-edit' });
    const edited = await a.ok('PATCH', '/sales/s-edit', {
      title: 'Renamed',
      taxRateBp: 2000,
      cddThreshold: '5000.00',
    });
    expect(edited.sale).toMatchObject({ title: 'Renamed', taxRateBp: 2000, cddThreshold: '5000.00' });
    const bad = await a.api('PATCH', '/sales/s-edit', { endsAt: iso(Date.now()) });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'BAD_TIMES']);
    const zero = await a.api('PATCH', '/sales/s-edit', { cddThreshold: '0' });
    expect(zero.body.error?.code).toBe('BAD_AMOUNT');
  });

  it('publishes only a draft with lots, and a timed one with an end', async () => {
    await a.build.sale({ id: 's-pub' });
    expect((await a.api('POST', '/sales/s-pub/publish')).body.error?.code).toBe('NO_LOTS');
    await a.build.lot('s-pub', { id: 'l-pub' });
    const published = await a.ok('POST', '/sales/s-pub/publish');
    expect(published.sale).toMatchObject({ status: 'scheduled' });
    expect((await a.engine.snapshot('l-pub'))?.status).toBe('scheduled');
    const twice = await a.api('POST', '/sales/s-pub/publish');
    expect([twice.status, twice.body.error?.code]).toEqual([409, 'NOT_DRAFT']);
  });

  it('lets an open sale change only its title and a later end', async () => {
    const ends = Date.now() + 7_200_000;
    await a.build.setUp({
      sale: { id: 's-open', endsAt: iso(ends) },
      lots: [{ id: 'l-open' }],
      publish: true,
    });
    await setStatus('s-open', 'open');
    const refused = await a.api('PATCH', '/sales/s-open', { title: 'ok', taxRateBp: 100 });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'SALE_ACTIVE']);
    expect(refused.body.error?.details).toEqual({ refused: ['taxRateBp'] });
    const earlier = await a.api('PATCH', '/sales/s-open', { endsAt: iso(ends - 60_000) });
    expect(earlier.body.error?.code).toBe('END_NOT_LATER');
    const later = await a.ok('PATCH', '/sales/s-open', { title: 'Open now', endsAt: iso(ends + 60_000) });
    expect(later.sale).toMatchObject({ title: 'Open now', endsAt: iso(ends + 60_000) });
    const lot = await a.api('POST', '/sales/s-open/lots', {
      id: 'l-late',
      lotNumber: 9,
      title: 't',
      opening: '1.00',
      increments: [{ from: '0', step: '1.00' }],
    });
    expect(lot.body.error?.code).toBe('SALE_ACTIVE');
  });

  it('locks a closed sale: no edit, no terms, no registration, no cancel', async () => {
    await a.build.setUp({
      bidders: ['bidder-closed'],
      sale: { id: 's-closed' },
      lots: [{ id: 'l-closed' }],
      publish: true,
    });
    await setStatus('s-closed', 'closed');
    for (const [method, path, body] of [
      ['PATCH', '/sales/s-closed', { title: 'x' }],
      ['POST', '/sales/s-closed/terms', { body: 'Terms' }],
      ['POST', '/sales/s-closed/registrations', { bidderId: 'bidder-closed' }],
      ['DELETE', '/sales/s-closed', undefined],
    ] as const) {
      const r = await a.api(method, path, body);
      expect([r.status, r.body.error?.code], `${method} ${path}`).toEqual([409, 'SALE_LOCKED']);
    }
  });

  it('cancels a sale and its lots once; a second cancel changes nothing', async () => {
    await a.build.setUp({ sale: { id: 's-cancel' }, lots: [{ id: 'l-cancel' }], publish: true });
    const cancelled = await a.ok('DELETE', '/sales/s-cancel');
    expect(cancelled.sale).toMatchObject({ status: 'cancelled' });
    expect((await a.engine.snapshot('l-cancel'))?.status).toBe('cancelled');
    expect((await a.ok('GET', '/sales/s-cancel')).lots).toMatchObject([
      { id: 'l-cancel', status: 'cancelled' },
    ]);
    expect((await a.ok('DELETE', '/sales/s-cancel')).sale).toMatchObject({ status: 'cancelled' });
    const audit = (await a.ok('GET', '/audit?entityId=s-cancel')).entries as { action: string }[];
    expect(audit.filter((e) => e.action === 'sale.cancel')).toHaveLength(1);
  });

  it('publishes terms as new versions', async () => {
    await a.build.sale({ id: 's-terms' });
    expect(await a.ok('POST', '/sales/s-terms/terms', { body: 'v1' })).toEqual({
      saleId: 's-terms',
      version: 1,
    });
    expect(await a.ok('POST', '/sales/s-terms/terms', { body: 'v2' })).toEqual({
      saleId: 's-terms',
      version: 2,
    });
    expect((await a.ok('GET', '/sales/s-terms')).sale).toMatchObject({ termsVersion: 2 });
  });
});

describe('admin API in process: the bid confirmation', () => {
  it('defaults to once per lot from 10,000, takes the house’s setting, refuses a bad one naming the field', async () => {
    const made = await postSale({ id: 's-confirm', currency: 'JPY' });
    expect(made.status).toBe(201);
    expect(made.body.sale).toMatchObject({ confirmBids: 'once_per_lot', confirmBidsFrom: '10000' });
    const set = await a.api('PATCH', '/sales/s-confirm', {
      confirmBids: 'every_bid',
      confirmBidsFrom: '500',
    });
    expect(set.status).toBe(200);
    expect(set.body.sale).toMatchObject({ confirmBids: 'every_bid', confirmBidsFrom: '500' });
    // Yen have no minor unit: "500.5" has a scale the currency does not allow.
    const scale = await a.api('PATCH', '/sales/s-confirm', { confirmBidsFrom: '500.5' });
    expect([scale.status, scale.body.error?.code]).toEqual([400, 'BAD_SCALE']);
    expect(scale.body.error?.message).toMatch(/^confirmBidsFrom /);
    const mode = await a.api('PATCH', '/sales/s-confirm', { confirmBids: 'sometimes' });
    expect([mode.status, mode.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(mode.body.error?.message).toMatch(/^confirmBids: /);
    const word = await postSale({ id: 's-confirm-2', confirmBidsFrom: 'lots' });
    expect([word.status, word.body.error?.code]).toEqual([400, 'BAD_AMOUNT']);
    // The setting may change while the sale is open: it only decides what the bidder's page asks.
    await setStatus('s-confirm', 'open');
    const open = await a.api('PATCH', '/sales/s-confirm', { confirmBids: 'never' });
    expect(open.status).toBe(200);
    expect(open.body.sale).toMatchObject({ confirmBids: 'never' });
    expect((await a.api('GET', '/sales/s-confirm')).body.sale).toMatchObject({ confirmBids: 'never' });
  });
});
