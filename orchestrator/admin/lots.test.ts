import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessAdmin, type InProcessAdmin } from './test-kit.ts';

let a: InProcessAdmin;
beforeAll(async () => {
  a = await inProcessAdmin();
  await a.build.bidders('bidder-carl');
}, 120_000);
afterAll(() => a?.close());

/** POST a lot with a minimal valid body, `fields` on top. */
const postLot = (saleId: string, fields: Record<string, unknown>) =>
  a.api('POST', `/sales/${saleId}/lots`, {
    title: 't',
    opening: '1.00',
    increments: [{ from: '0', step: '1.00' }],
    ...fields,
  });
const iso = (ms: number): string => new Date(ms).toISOString();

describe('admin API in process: lots', () => {
  it('adds a lot with the reserve visible to the house, and refuses clashes', async () => {
    await a.build.sale({ id: 's-lots' });
    const created = await a.build.lot('s-lots', {
      id: 'l-1',
      title: 'Clock',
      reserve: '500.00',
      consignorId: 'bidder-carl',
    });
    expect(created.lot).toMatchObject({
      id: 'l-1',
      saleId: 's-lots',
      lotNumber: 1,
      reserve: '500.00',
      opening: '100.00',
      consignorId: 'bidder-carl',
      softCloseSeconds: 120,
    });
    const taken = await postLot('s-lots', { id: 'l-2', lotNumber: 1 });
    expect([taken.status, taken.body.error?.code]).toEqual([409, 'LOT_NUMBER_TAKEN']);
    const again = await postLot('s-lots', { id: 'l-1', lotNumber: 5 });
    expect(again.body.error?.code).toBe('ALREADY_EXISTS');
    const noSale = await postLot('nope', { id: 'l-x', lotNumber: 1 });
    expect([noSale.status, noSale.body.error?.code]).toEqual([404, 'UNKNOWN_SALE']);
  });

  it('names the field of a bad lot', async () => {
    await a.build.sale({ id: 's-badlot' });
    const cases: [Record<string, unknown>, string, string | undefined][] = [
      [{ consignorId: 'nobody' }, 'UNKNOWN_CONSIGNOR', 'consignorId'],
      [{ estimateLow: '200.00', estimateHigh: '100.00' }, 'BAD_ESTIMATE', 'estimateHigh'],
      [{ opening: '0' }, 'BAD_AMOUNT', 'opening'],
      [{ increments: [{ from: '10.00', step: '1.00' }] }, 'BAD_INCREMENTS', 'increments'],
      [{ reserve: '1.001' }, 'BAD_SCALE', undefined],
    ];
    for (const [fields, code, field] of cases) {
      const r = await postLot('s-badlot', { id: 'l-bad', lotNumber: 1, ...fields });
      expect([r.status, r.body.error?.code], JSON.stringify(fields)).toEqual([400, code]);
      if (field !== undefined) expect(r.body.error?.details, code).toMatchObject({ field });
    }
    const missing = await a.api('POST', '/sales/s-badlot/lots', {
      id: 'l-bad',
      lotNumber: 1,
      opening: '1.00',
      increments: [{ from: '0', step: '1.00' }],
    });
    expect(missing.body.error?.message).toMatch(/^title: /);
  });

  it('takes only absolute https: image URLs, naming the field', async () => {
    await a.build.sale({ id: 's-img' });
    const refused = [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:image/svg+xml,<svg onload="alert(1)"/>',
      'vbscript:msgbox(1)',
      'http://images.example/1.jpg',
      '//images.example/1.jpg',
      '/images/1.jpg',
      'images.example/1.jpg',
      'https:images.example/1.jpg',
      'https:///1.jpg',
      'https://user:secret@images.example/1.jpg',
      ' https://images.example/1.jpg',
    ];
    for (const imageUrl of refused) {
      const r = await postLot('s-img', { id: 'l-img', lotNumber: 1, imageUrl });
      expect([r.status, r.body.error?.code], imageUrl).toEqual([400, 'VALIDATION_FAILED']);
      expect(r.body.error?.message, imageUrl).toMatch(/^imageUrl: .*https:/);
    }
    expect((await a.api('GET', '/lots/l-img')).status).toBe(404);
    const ok = await postLot('s-img', {
      id: 'l-img',
      lotNumber: 1,
      imageUrl: 'https://images.example/1.jpg?w=640',
    });
    expect(ok.status).toBe(201);
    expect(ok.body.lot).toMatchObject({ imageUrl: 'https://images.example/1.jpg?w=640' });
    const patched = await a.api('PATCH', '/lots/l-img', { imageUrl: 'javascript:alert(1)' });
    expect([patched.status, patched.body.error?.message]).toEqual([
      400,
      expect.stringMatching(/^imageUrl: /),
    ]);
    expect((await a.ok('PATCH', '/lots/l-img', { imageUrl: null })).lot).toMatchObject({ imageUrl: null });
  });

  it('edits a lot before the sale opens; while open only its words, image and a later end', async () => {
    const ends = Date.now() + 7_200_000;
    await a.build.setUp({
      sale: { id: 's-lotedit', endsAt: iso(ends) },
      lots: [{ id: 'l-edit', title: 'Old' }],
      publish: true,
    });
    const edited = await a.ok('PATCH', '/lots/l-edit', {
      title: 'New',
      reserve: '50.00',
      softCloseSeconds: 30,
    });
    expect(edited.lot).toMatchObject({ title: 'New', reserve: '50.00', softCloseSeconds: 30 });
    await a.db.query(`UPDATE sales SET status = 'open' WHERE id = 's-lotedit'`);
    const refused = await a.api('PATCH', '/lots/l-edit', { reserve: '10.00', description: 'ok' });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'SALE_ACTIVE']);
    expect(refused.body.error?.details).toEqual({ refused: ['reserve'] });
    const earlier = await a.api('PATCH', '/lots/l-edit', { endsAt: iso(ends - 60_000) });
    expect(earlier.body.error?.code).toBe('END_NOT_LATER');
    const ok = await a.ok('PATCH', '/lots/l-edit', { description: 'Gilt', endsAt: iso(ends + 60_000) });
    expect(ok.lot).toMatchObject({ description: 'Gilt', endsAt: iso(ends + 60_000) });
  });

  it('withdraws a lot once: it is finished and locked', async () => {
    await a.build.setUp({ sale: { id: 's-wd' }, lots: [{ id: 'l-wd' }], publish: true });
    const withdrawn = await a.ok('DELETE', '/lots/l-wd');
    expect(withdrawn.lot).toMatchObject({ status: 'withdrawn', finalised: true });
    expect((await a.engine.snapshot('l-wd'))?.status).toBe('withdrawn');
    expect((await a.api('DELETE', '/lots/l-wd')).body.error?.code).toBe('LOT_LOCKED');
    const edit = await a.api('PATCH', '/lots/l-wd', { title: 'x' });
    expect([edit.status, edit.body.error?.code]).toEqual([409, 'LOT_LOCKED']);
    const read = await a.ok('GET', '/lots/l-wd');
    expect(read.result).toMatchObject({ outcome: 'withdrawn' });
  });

  it('checks a bid cancellation request before anything else', async () => {
    const seq = await a.api('POST', '/lots/l-1/bids/zero/cancel', { reason: 'fraud' });
    expect([seq.status, seq.body.error?.code]).toEqual([400, 'BAD_SEQ']);
    const short = await a.api('POST', '/lots/l-1/bids/3/cancel', { reason: 'no' });
    expect([short.status, short.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const hidden = await a.api('POST', '/lots/l-1/bids/3/cancel', { reason: 'fraud\u200b' });
    expect(hidden.body.error?.message).toContain('U+200B');
    const none = await a.api('POST', '/lots/l-1/bids/3/cancel', { reason: 'chargeback' });
    expect([none.status, none.body.error?.code]).toEqual([501, 'NOT_AVAILABLE']);
  });

  it('takes a seq of decimal digits only, within the safe-integer range, naming the parameter', async () => {
    const refused = [
      '0x3E8',
      '1e3',
      '%2012',
      '+5',
      '-1',
      '0',
      '1.0',
      '12%20',
      '0b11',
      '9007199254740992',
      '١٢',
    ];
    for (const seq of refused) {
      const r = await a.api('POST', `/lots/l-1/bids/${seq}/cancel`, { reason: 'chargeback' });
      expect([r.status, r.body.error?.code], seq).toEqual([400, 'BAD_SEQ']);
      expect(r.body.error?.message, seq).toMatch(/^seq: must be decimal digits only/);
      expect(r.body.error?.details, seq).toEqual({ field: 'seq' });
    }
    // Past the check (the kit has no canceller): 501, not 400.
    for (const seq of ['1000', '9007199254740991', '007']) {
      const r = await a.api('POST', `/lots/l-1/bids/${seq}/cancel`, { reason: 'chargeback' });
      expect([r.status, r.body.error?.code], seq).toEqual([501, 'NOT_AVAILABLE']);
    }
  });
});
