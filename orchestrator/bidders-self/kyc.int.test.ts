import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BidderOverview, KycState } from '../../common/contracts/bidder-self.ts';
import { freePort } from '../../test/support/net.ts';
import { startTestBackOffice, until, type TestBackOffice } from '../../test/support/orchestrator.ts';
import { kycConfigFromEnv } from '../kyc/config.ts';
import { FakeKycProvider } from '../kyc/fake-provider.ts';

/**
 * The KYC hand-off from the bidder's side, over the back office's HTTP API on PostgreSQL: a bidder
 * whose limit is above the sale's KYC-free limit is told a check is needed, starts it, is given the
 * vendor's (a local fake's) URL — a second start resumes the same check — and once the vendor's
 * signed result arrives, is verified and may bid up to the full limit.
 */
const SECRET = 'bidders-self-kyc-webhook-secret-0123456789';
const SERVICE_TOKEN = 'bidders-self-kyc-service-token-0123';
const SALE = 'self-kyc-sale';
const ID = 'acc_self_kyc_1';
let fake: FakeKycProvider;
let t: TestBackOffice;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${t.orch.url!}/bidders-self/v1/bidders/${ID}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${SERVICE_TOKEN}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  fake = await FakeKycProvider.start({
    apiKey: 'kyc-api-key',
    webhookSecret: SECRET,
    decide: () => 'manual',
  });
  const port = await freePort();
  t = await startTestBackOffice('self_kyc', {
    port,
    accounts: { serviceToken: SERVICE_TOKEN },
    kyc: kycConfigFromEnv({
      KYC_PROVIDER_URL: fake.url,
      KYC_API_KEY: 'kyc-api-key',
      KYC_WEBHOOK_SECRET: SECRET,
      KYC_PUBLIC_URL: `http://127.0.0.1:${port}/kyc`,
      KYC_PROVIDER_NAME: 'fakevendor',
    }),
  });
  const now = Date.now();
  await t.ok('POST', '/sales', {
    id: SALE,
    mode: 'timed',
    currency: 'GBP',
    title: 'KYC sale',
    startsAt: new Date(now - 1000).toISOString(),
    endsAt: new Date(now + 3_600_000).toISOString(),
    kycFreeLimit: '100.00',
  });
  await t.ok('POST', `/sales/${SALE}/lots`, {
    id: 'self-kyc-lot',
    lotNumber: 1,
    title: 'Lot',
    opening: '10.00',
    increments: [{ from: '0', step: '1.00' }],
  });
  await t.ok('POST', `/sales/${SALE}/publish`);
  await t.orch.db.query(`INSERT INTO accounts (id, kind, email, name) VALUES ($1, 'bidder', $2, 'Kay')`, [
    ID,
    'kay@example.test',
  ]);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await fake?.stop();
});

describe('KYC hand-off from the bidder’s side', () => {
  it('asks for a check above the KYC-free limit, hands over the vendor’s URL, and lifts the cap once verified', async () => {
    await call('PUT', '/profile', { name: 'Kay', phone: '+447700900777', country: 'GB', channels: [] });
    await call('POST', `/sales/${SALE}/registration`, { termsVersion: 0, accept: false, limit: '500.00' });
    await t.ok('PATCH', `/sales/${SALE}/registrations/${ID}`, { status: 'approved' });
    const before = await call<BidderOverview>('GET', '');
    expect(before.kyc).toMatchObject({ status: 'pending', required: true, available: true, check: null });
    // Capped at the KYC-free limit: 100.00 is fine, 200.00 is over the limit.
    expect((await t.bid('self-kyc-lot', ID, 20_000)).outcome).toBe('rejected');

    const started = await call<KycState>('POST', '/kyc');
    expect(started.check).toMatchObject({ status: 'requested' });
    expect(started.check?.verificationUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/verify\//);
    // Asking again resumes the check under way: one check at the vendor.
    const again = await call<KycState>('POST', '/kyc');
    expect(again.check?.id).toBe(started.check?.id);
    expect(fake.checks()).toHaveLength(1);

    await fake.complete(fake.checks()[0]!.providerRef, 'verified');
    await until('the verified result', async () =>
      (await call<BidderOverview>('GET', '')).kyc.status === 'verified' ? true : undefined,
    );
    expect((await call<BidderOverview>('GET', '')).kyc).toMatchObject({
      status: 'verified',
      required: false,
    });
    expect((await t.bid('self-kyc-lot', ID, 20_000)).outcome).toBe('accepted');
  });
});
