import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kycConfigFromEnv } from './config.ts';
import { FakeKycProvider } from './fake-provider.ts';
import { freePort } from '../../test/support/net.ts';
import { startTestBackOffice, type TestBackOffice } from '../../test/support/orchestrator.ts';

/**
 * KYC end to end through the orchestrator process: the admin starts a check, the vendor (a local
 * fake on loopback) answers with a signed webhook, and the engine's limit for that bidder changes
 * before the vendor gets its 200 — so the next bid already sees it.
 */
const SECRET = 'kyc-flow-webhook-secret-0123456789abcdef';
let fake: FakeKycProvider;
let t: TestBackOffice;

beforeAll(async () => {
  fake = await FakeKycProvider.start({
    apiKey: 'kyc-api-key',
    webhookSecret: SECRET,
    decide: () => 'manual',
  });
  const port = await freePort();
  t = await startTestBackOffice('kycflow', {
    port,
    kyc: kycConfigFromEnv({
      KYC_PROVIDER_URL: fake.url,
      KYC_API_KEY: 'kyc-api-key',
      KYC_WEBHOOK_SECRET: SECRET,
      KYC_PUBLIC_URL: `http://127.0.0.1:${port}/kyc`,
      KYC_PROVIDER_NAME: 'fakevendor',
    }),
  });
}, 30_000);

afterAll(async () => {
  await t.close();
  await fake.stop();
});

const ok = (method: string, path: string, body?: unknown) => t.ok(method, path, body);
const engineSnapshot = (id: string) => t.engine.snapshot(id);

const bid = (amount: number) => t.bid('kyc-lot', 'kyc-bidder', amount);

describe('KYC through the orchestrator', () => {
  it('a verified result lifts the KYC cap before the vendor is answered; a later rejection puts it back', async () => {
    const now = Date.now();
    await ok('POST', '/bidders', { id: 'kyc-bidder', name: 'Kay', email: 'kay@example.test', country: 'GB' });
    await ok('POST', '/sales', {
      id: 'kyc-sale',
      mode: 'timed',
      currency: 'GBP',
      title: 'KYC',
      startsAt: new Date(now - 1000).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      kycFreeLimit: '100.00',
    });
    await ok('POST', '/sales/kyc-sale/lots', {
      id: 'kyc-lot',
      lotNumber: 1,
      title: 'L',
      opening: '10.00',
      increments: [{ from: '0', step: '1.00' }],
    });
    await ok('POST', '/sales/kyc-sale/publish');
    await ok('POST', '/sales/kyc-sale/registrations', {
      bidderId: 'kyc-bidder',
      limit: '5000.00',
      approve: true,
    });
    for (let i = 0; (await engineSnapshot('kyc-lot'))?.status !== 'open'; i++) {
      if (i > 400) throw new Error('lot never opened');
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await bid(20_000)).reason).toBe('OVER_LIMIT'); // capped at 100.00 until verified

    const started = (await ok('POST', '/bidders/kyc-bidder/kyc')).check as {
      id: string;
      providerRef: string;
      status: string;
    };
    expect(started.status).toBe('requested');
    const received = fake.requests.find((r) => r.path === '/v1/checks')!;
    expect(received.headers.authorization).toBe('Bearer kyc-api-key');
    expect(received.headers['idempotency-key']).toBe(started.id);

    const delivered = await fake.complete(started.providerRef, 'verified');
    expect(delivered).toMatchObject({ delivered: true, lastStatus: 200 });
    expect((await bid(20_000)).outcome).toBe('accepted'); // the very next bid
    const checks = (await ok('GET', '/bidders/kyc-bidder/kyc')).checks as { status: string }[];
    expect(checks.map((c) => c.status)).toEqual(['verified']);

    await fake.complete(started.providerRef, 'rejected', {
      reason: 'document expired',
      completedAt: new Date(Date.now() + 1000),
    });
    expect((await bid(30_000)).reason).toBe('OVER_LIMIT');
    const audit = (await ok('GET', '/audit?entityType=bidder&entityId=kyc-bidder')).entries as {
      actor: string;
    }[];
    expect(audit.some((e) => e.actor === 'kyc:fakevendor')).toBe(true);
  });
});
