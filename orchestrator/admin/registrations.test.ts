import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessAdmin, type InProcessAdmin } from './test-kit.ts';

let a: InProcessAdmin;
beforeAll(async () => {
  a = await inProcessAdmin();
}, 120_000);
afterAll(() => a?.close());

describe('admin API in process: bidders', () => {
  it('creates, reads and edits a bidder; contact details are unique', async () => {
    const created = await a.ok('POST', '/bidders', {
      id: 'bidder-ann',
      name: 'Ann',
      email: 'ann@example.org',
      phone: '+447700900123',
    });
    expect(created.bidder).toMatchObject({ id: 'bidder-ann' });
    const clash = await a.api('POST', '/bidders', {
      id: 'bidder-ann2',
      name: 'Ann 2',
      email: 'ann@example.org',
    });
    expect([clash.status, clash.body.error?.code]).toEqual([409, 'CONTACT_TAKEN']);
    const twice = await a.api('POST', '/bidders', { id: 'bidder-ann', name: 'Ann' });
    expect(twice.body.error?.code).toBe('ALREADY_EXISTS');
    const phone = await a.api('POST', '/bidders', { id: 'bidder-x', name: 'X', phone: '07700 900123' });
    expect(phone.body.error?.message).toContain('E.164');
    const name = await a.api('POST', '/bidders', { id: 'bidder-x', name: 'Ann\u2066' });
    expect(name.body.error?.message).toContain('U+2066');
    await a.ok('PATCH', '/bidders/bidder-ann', { country: 'GB' });
    expect((await a.ok('GET', '/bidders/bidder-ann')).bidder).toMatchObject({ id: 'bidder-ann' });
    expect((await a.api('GET', '/bidders/nobody')).body.error?.code).toBe('UNKNOWN_BIDDER');
  });

  it('blocks with a reason and unblocks', async () => {
    await a.build.bidders('bidder-bo');
    const blocked = await a.ok('POST', '/bidders/bidder-bo/block', { reason: 'chargeback' });
    expect(blocked.bidder).toMatchObject({ blocked: true });
    const unblocked = await a.ok('POST', '/bidders/bidder-bo/unblock');
    expect(unblocked.bidder).toMatchObject({ blocked: false });
    const audit = (await a.ok('GET', '/audit?entityId=bidder-bo')).entries as { action: string }[];
    expect(audit.map((e) => e.action)).toEqual(['bidder.unblock', 'bidder.block', 'bidder.create']);
  });

  it('answers 501 for KYC when no provider is configured', async () => {
    const r = await a.api('POST', '/bidders/bidder-bo/kyc');
    expect([r.status, r.body.error?.code]).toEqual([501, 'KYC_DISABLED']);
  });
});

describe('admin API in process: registrations', () => {
  it('gives paddles from the channel range and refuses a second registration', async () => {
    await a.build.setUp({
      bidders: ['bidder-on', 'bidder-fl'],
      sale: { id: 's-reg' },
      lots: [{ id: 'l-reg' }],
      publish: true,
    });
    const [online] = await a.build.register('s-reg', ['bidder-on']);
    expect(online).toMatchObject({ paddle: '1000', registration: { status: 'approved' } });
    const [floor] = await a.build.register('s-reg', ['bidder-fl'], { channel: 'floor', approve: false });
    expect(floor).toMatchObject({ paddle: '1', registration: { status: 'pending' } });
    const again = await a.api('POST', '/sales/s-reg/registrations', { bidderId: 'bidder-on' });
    expect([again.status, again.body.error?.code]).toEqual([409, 'ALREADY_REGISTERED']);
    const nobody = await a.api('POST', '/sales/s-reg/registrations', { bidderId: 'bidder-none' });
    expect([nobody.status, nobody.body.error?.code]).toEqual([404, 'UNKNOWN_BIDDER']);
    const list = (await a.ok('GET', '/sales/s-reg/registrations')).registrations as { bidderId: string }[];
    expect(list.map((r) => r.bidderId)).toEqual(['bidder-on', 'bidder-fl']);
  });

  it('refuses a limit at the due-diligence threshold until CDD is recorded', async () => {
    await a.build.setUp({
      bidders: ['bidder-cdd'],
      sale: { id: 's-cdd' },
      lots: [{ id: 'l-cdd' }],
      publish: true,
    });
    const refused = await a.api('POST', '/sales/s-cdd/registrations', {
      bidderId: 'bidder-cdd',
      limit: '10000.00',
    });
    expect([refused.status, refused.body.error?.code]).toEqual([422, 'CDD_REQUIRED']);
    await a.build.register('s-cdd', ['bidder-cdd'], { limit: '5000.00' });
    const patch = await a.api('PATCH', '/sales/s-cdd/registrations/bidder-cdd', { limit: '20000.00' });
    expect(patch.body.error?.code).toBe('CDD_REQUIRED');
    await a.ok('POST', '/bidders/bidder-cdd/cdd');
    const raised = await a.ok('PATCH', '/sales/s-cdd/registrations/bidder-cdd', { limit: '20000.00' });
    expect(raised.registration).toMatchObject({ limit: '20000.00' });
  });

  it('runs out of paddles in a narrow range', async () => {
    await a.build.setUp({
      bidders: ['bidder-p1', 'bidder-p2'],
      sale: { id: 's-pad', onlinePaddles: { from: 1000, to: 1000 } },
      lots: [{ id: 'l-pad' }],
    });
    expect((await a.build.register('s-pad', ['bidder-p1']))[0]).toMatchObject({ paddle: '1000' });
    const out = await a.api('POST', '/sales/s-pad/registrations', { bidderId: 'bidder-p2' });
    expect([out.status, out.body.error?.code]).toEqual([409, 'PADDLES_EXHAUSTED']);
  });

  it('changes status, needs the current terms, and locks once the sale is cancelled', async () => {
    await a.build.setUp({
      bidders: ['bidder-t'],
      sale: { id: 's-t' },
      lots: [{ id: 'l-t' }],
      publish: true,
      register: ['bidder-t'],
    });
    const revoked = await a.ok('PATCH', '/sales/s-t/registrations/bidder-t', { status: 'revoked' });
    expect(revoked.registration).toMatchObject({ status: 'revoked' });
    expect(
      (await a.api('PATCH', '/sales/s-t/registrations/bidder-none', { status: 'approved' })).body.error?.code,
    ).toBe('NOT_REGISTERED');
    await a.ok('POST', '/sales/s-t/terms', { body: 'v1' });
    const stale = await a.api('POST', '/sales/s-t/registrations/bidder-t/terms', { version: 2 });
    expect([stale.status, stale.body.error?.code, stale.body.error?.details]).toEqual([
      409,
      'TERMS_VERSION',
      { current: 1 },
    ]);
    const accepted = await a.ok('POST', '/sales/s-t/registrations/bidder-t/terms', { version: 1 });
    expect(accepted.registration).toMatchObject({ termsVersion: 1 });
    await a.ok('DELETE', '/sales/s-t');
    const locked = await a.api('PATCH', '/sales/s-t/registrations/bidder-t', { status: 'approved' });
    expect([locked.status, locked.body.error?.code]).toEqual([409, 'SALE_LOCKED']);
  });
});
