import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.ts';
import { startTestBackOffice, type TestBackOffice } from '../../test/support/orchestrator.ts';
import { RemoteBidderSelf } from './remote.ts';

/**
 * The distributed topology's bidder self-service: the gateway's RemoteBidderSelf reaches the back
 * office's `/bidders-self/v1` over HTTP (service token), on PostgreSQL and the engine's Redis — a
 * bidder account's profile, registration with the terms, the house's approval and the bid it allows.
 */
const SERVICE_TOKEN = 'bidders-self-service-token-for-tests';
const SALE = 'remote-self-sale';
let t: TestBackOffice;
let remote: RemoteBidderSelf;
const ID = 'acc_remote_self_1';

async function refusal(p: Promise<unknown>): Promise<{ code: string; field: unknown }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, field: err.details?.field };
    throw err;
  }
  return { code: 'no error', field: undefined };
}

beforeAll(async () => {
  t = await startTestBackOffice('remote_self', { accounts: { serviceToken: SERVICE_TOKEN } });
  remote = new RemoteBidderSelf(t.orch.url!, SERVICE_TOKEN);
  const now = Date.now();
  await t.ok('POST', '/sales', {
    id: SALE,
    mode: 'timed',
    currency: 'EUR',
    title: 'Remote self sale',
    startsAt: new Date(now - 1000).toISOString(),
    endsAt: new Date(now + 3_600_000).toISOString(),
    kycFreeLimit: '1000.00',
  });
  await t.ok('POST', `/sales/${SALE}/lots`, {
    id: 'remote-self-lot',
    lotNumber: 1,
    title: 'Lot',
    opening: '100.00',
    increments: [{ from: '0', step: '10.00' }],
  });
  await t.ok('POST', `/sales/${SALE}/publish`);
  await t.ok('POST', `/sales/${SALE}/terms`, { body: 'Terms, version one.' });
  // An account from before the account ↔ bidder rule: its bidder record is made on first use.
  await t.orch.db.query(`INSERT INTO accounts (id, kind, email, name) VALUES ($1, 'bidder', $2, $3)`, [
    ID,
    'remote@example.com',
    'Remote Bidder',
  ]);
}, 60_000);
afterAll(() => t?.close());

describe('bidder self-service across processes (RemoteBidderSelf ↔ /bidders-self/v1 on PostgreSQL)', () => {
  it('refuses callers without the service token', async () => {
    const stranger = new RemoteBidderSelf(t.orch.url!, 'not-the-token-0123456789');
    expect((await refusal(stranger.overview(ID))).code).toBe('UNAUTHENTICATED');
  });

  it('carries a refusal with the field it names across the wire', async () => {
    expect(
      await refusal(remote.saveProfile(ID, { name: 'Remote', phone: 'x', country: 'FR', channels: [] })),
    ).toEqual({ code: 'VALIDATION_FAILED', field: 'phone' });
    expect(await refusal(remote.register(ID, SALE, { termsVersion: 1, accept: true }))).toMatchObject({
      code: 'PROFILE_INCOMPLETE',
    });
  });

  it('profiles, registers with the terms, and bids once the house approves', async () => {
    const profile = await remote.saveProfile(ID, {
      name: 'Remote Bidder',
      phone: '+33 6 12 34 56 78',
      country: 'FR',
      channels: ['whatsapp'],
    });
    expect(profile).toMatchObject({ id: ID, phone: '+33612345678', channels: ['email', 'whatsapp'] });
    const offer = await remote.offer(ID, SALE);
    expect(offer.terms?.version).toBe(1);
    const reg = await remote.register(ID, SALE, { termsVersion: 1, accept: true, limit: '800.00' });
    expect(reg).toMatchObject({ status: 'pending', limit: '800.00', termsVersion: 1 });

    // Pending: the engine refuses the bid.
    expect((await t.bid('remote-self-lot', ID, 10_000)).outcome).toBe('rejected');
    await t.ok('PATCH', `/sales/${SALE}/registrations/${ID}`, { status: 'approved' });
    const accepted = await t.bid('remote-self-lot', ID, 10_000);
    expect(accepted.outcome).toBe('accepted');
    const events = await t.orch.db.query<{ type: string }>(
      `SELECT type FROM outbox_events WHERE type LIKE 'registration.%' AND payload->>'bidderId' = $1`,
      [ID],
    );
    expect(events.map((e) => e.type)).toEqual(['registration.approved']);

    const overview = await remote.overview(ID);
    expect(overview.registrations).toEqual([expect.objectContaining({ saleId: SALE, status: 'approved' })]);
    // Under the sale's KYC-free limit: no identity check needed.
    expect(overview.kyc).toMatchObject({ required: false, available: false });
    expect((await refusal(remote.startKyc(ID))).code).toBe('KYC_DISABLED');
  });
});
