import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBidderDirectory } from '../../common/directory.ts';
import { startTestBackOffice, type TestBackOffice } from '../../test/support/orchestrator.ts';

/**
 * The back office publishes who each phone number belongs to (for bids by SMS and WhatsApp) on the
 * engine's Redis: on creating and editing a bidder, and again on every reconcile.
 */
describe('bidder directory', () => {
  let t: TestBackOffice;
  let directory: RedisBidderDirectory;
  beforeAll(async () => {
    t = await startTestBackOffice('directory');
    directory = new RedisBidderDirectory(t.ns.connect(), t.ns.prefix);
  }, 30_000);
  afterAll(async () => {
    await t.close();
  });

  it('follows a bidder’s number as the admin API sets and changes it', async () => {
    await t.ok('POST', '/bidders', { id: 'dir-ann', name: 'Ann', phone: '+447700900301' });
    await t.ok('POST', '/bidders', { id: 'dir-ben', name: 'Ben' });
    expect(await directory.bidderByPhone('+447700900301')).toBe('dir-ann');

    await t.ok('PATCH', '/bidders/dir-ann', { phone: '+447700900302' });
    expect(await directory.bidderByPhone('+447700900302')).toBe('dir-ann');
    expect(await directory.bidderByPhone('+447700900301')).toBeUndefined();

    // The freed number can go to someone else.
    await t.ok('PATCH', '/bidders/dir-ben', { phone: '+447700900301' });
    expect(await directory.bidderByPhone('+447700900301')).toBe('dir-ben');
    expect(await directory.bidderByPhone('+447700900302')).toBe('dir-ann');
  });

  it('is rebuilt by the reconcile after Redis lost it', async () => {
    await t.ok('POST', '/bidders', { id: 'dir-cat', name: 'Cat', phone: '+447700900303' });
    const redis = t.ns.connect();
    await redis.del(`${t.ns.prefix}:{directory}:by-phone`, `${t.ns.prefix}:{directory}:phone-of`);
    expect(await directory.bidderByPhone('+447700900303')).toBeUndefined();
    await t.orch.backOffice!.sync.reconcile();
    expect(await directory.bidderByPhone('+447700900303')).toBe('dir-cat');
    expect(await directory.bidderByPhone('+447700900301')).toBe('dir-ben');
  });
});
