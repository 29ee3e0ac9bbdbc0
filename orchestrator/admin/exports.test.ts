import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { toCsv } from './exports.ts';
import { inProcessAdmin, type InProcessAdmin } from './test-kit.ts';

let a: InProcessAdmin;
beforeAll(async () => {
  a = await inProcessAdmin();
  await a.ok('POST', '/bidders', {
    id: 'b-ann',
    name: 'Ann Lee',
    email: 'ann@example.com',
    phone: '+447700900555',
  });
  await a.ok('POST', '/bidders', { id: 'b-ben', name: 'Ben 100%_off' });
  await a.build.sale({ id: 's-x' });
  await a.build.lot('s-x', { id: 'l-x1' });
}, 120_000);
afterAll(() => a?.close());

/** A decision as the ledger writer would record it. */
async function bid(
  seq: number,
  outcome: 'accepted' | 'rejected',
  amount: number,
  extra: { reason?: string } = {},
) {
  await a.db.query(
    `INSERT INTO bids (auction_id, seq, bidder_id, amount_minor, currency, outcome, reason, kind, source, price_minor,
                       leader_id, price_changed, ends_at, extended, decided_at, idempotency_key, correlation_id, stream_id)
     VALUES ('l-x1', $1, 'b-ann', $2, 'EUR', $3, $4, $5, 'api', $6, $7, $8, now() + interval '1 hour', $9, now(), $10, $11, $12)`,
    [
      seq,
      amount,
      outcome,
      outcome === 'rejected' ? (extra.reason ?? 'TOO_LOW') : null,
      outcome === 'accepted' ? 'bid' : null,
      outcome === 'accepted' ? amount : 0,
      outcome === 'accepted' ? 'b-ann' : null,
      outcome === 'accepted',
      seq === 3,
      `key-${seq}`,
      `corr-${seq}`,
      `${seq}-0`,
    ],
  );
}

describe('admin API: bidder search', () => {
  it('finds by a part of name, email, phone or id, in any case, LIKE wildcards taken literally', async () => {
    const ids = async (q: string) =>
      ((await a.ok('GET', `/bidders?q=${encodeURIComponent(q)}`)).bidders as { id: string }[]).map(
        (b) => b.id,
      );
    expect(await ids('ANN')).toEqual(['b-ann']);
    expect(await ids('example.com')).toEqual(['b-ann']);
    expect(await ids('900555')).toEqual(['b-ann']);
    expect(await ids('%_')).toEqual(['b-ben']);
    expect(await ids('nobody')).toEqual([]);
    expect((await ids('')).sort()).toEqual(['b-ann', 'b-ben']);
    const bad = await a.api('GET', '/bidders?limit=0x10');
    expect([bad.status, bad.body.error?.details]).toEqual([400, { field: 'limit' }]);
  });
});

describe('admin API: manual identity verification', () => {
  it('marks the bidder verified with a reason, as a manual check, audited with the actor', async () => {
    const short = await a.api('POST', '/bidders/b-ben/kyc/manual', { reason: 'ok' });
    expect(short.status).toBe(400);
    expect(short.body.error?.message).toMatch(/reason/);
    const missing = await a.api('POST', '/bidders/nobody/kyc/manual', { reason: 'passport seen' });
    expect(missing.body.error?.code).toBe('UNKNOWN_BIDDER');
    const before = (await a.ok('GET', '/bidders/b-ben')).bidder as { kycStatus: string };
    expect(before.kycStatus).toBe('pending');

    const done = await a.api('POST', '/bidders/b-ben/kyc/manual', {
      reason: 'passport seen at the front desk',
    });
    expect(done.status).toBe(201);
    expect(((await a.ok('GET', '/bidders/b-ben')).bidder as { kycStatus: string }).kycStatus).toBe(
      'verified',
    );
    // Listed without a KYC vendor configured.
    const checks = (await a.ok('GET', '/bidders/b-ben/kyc')).checks as Record<string, unknown>[];
    expect(checks).toEqual([
      expect.objectContaining({
        provider: 'manual',
        status: 'verified',
        reason: 'passport seen at the front desk',
      }),
    ]);
    const audit = (await a.ok('GET', '/audit?entityType=bidder&entityId=b-ben&actor=admin:ada')).entries as {
      action: string;
      details: { reason: string };
    }[];
    expect(audit[0]).toMatchObject({
      action: 'bidder.kyc_manual_verify',
      details: { reason: 'passport seen at the front desk' },
    });
  });
});

describe('admin API: exports', () => {
  it('the ledger CSV holds every decision, accepted and refused, and matches the lot’s bids', async () => {
    await bid(1, 'rejected', 500, { reason: 'TOO_LOW' });
    await bid(2, 'accepted', 10_000);
    await bid(3, 'accepted', 20_000);
    const res = await a.raw('/sales/s-x/ledger.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="s-x-ledger.csv"');
    const rows = parse<Record<string, string>>(await res.text(), { columns: true });
    expect(
      rows.map((r) => [r.seq, r.outcome, r.reason, r.amount, r.channel, r.correlation_id, r.extended]),
    ).toEqual([
      ['1', 'rejected', 'TOO_LOW', '5.00', 'api', 'corr-1', 'false'],
      ['2', 'accepted', '', '100.00', 'api', 'corr-2', 'false'],
      ['3', 'accepted', '', '200.00', 'api', 'corr-3', 'true'],
    ]);
    const json = (await a.ok('GET', '/lots/l-x1/bids')).entries as {
      seq: number;
      amount: string;
      outcome: string;
    }[];
    expect(json.map((e) => [String(e.seq), e.outcome, e.amount])).toEqual(
      rows.map((r) => [r.seq, r.outcome, r.amount]),
    );
    for (const r of rows) expect(Date.parse(r.decided_at!)).not.toBeNaN();
  });

  it('cells a spreadsheet would run as formulas are defused; the audit log filters by time range', async () => {
    const csv = toCsv(
      ['a', 'b'],
      [
        { a: '=HYPERLINK("x")', b: 'plain, "quoted"\nline' },
        { a: '-1+2', b: '@x' },
      ],
    );
    expect(parse(csv, { columns: true })).toEqual([
      { a: `'=HYPERLINK("x")`, b: 'plain, "quoted"\nline' },
      { a: "'-1+2", b: "'@x" },
    ]);
    const res = await a.raw('/audit.csv?entityType=bidder&entityId=b-ben');
    const rows = parse<Record<string, string>>(await res.text(), { columns: true });
    expect(rows.map((r) => r.action)).toContain('bidder.kyc_manual_verify');
    const future = await a.ok('GET', `/audit?from=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.entries).toEqual([]);
    const backwards = await a.api('GET', '/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect([backwards.status, backwards.body.error?.details]).toEqual([400, { field: 'to' }]);
    const results = await a.raw('/sales/s-x/results.csv');
    expect((await results.text()).split('\r\n')[0]).toBe(
      'lot_id,lot_number,outcome,hammer,buyer,premium,tax,total,currency',
    );
  });
});
