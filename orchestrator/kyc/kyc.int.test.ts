import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import { migrate } from '../ledger/migrate.ts';
import { until } from '../../test/support/orchestrator.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { FakeKycProvider, type FakeDecision } from './fake-provider.ts';
import { HttpKycProvider } from './provider.ts';
import { kycRoutes } from './routes.ts';
import type { KycCheck } from './checks.ts';
import { KycService } from './service.ts';
import { KYC_SIGNATURE_HEADER, signKycWebhook, type KycStatus } from './webhook.ts';

const API_KEY = 'test-api-key-0123456789';
const SECRET = 'whsec-'.padEnd(48, 'x');
const PROVIDER = 'fakevendor';
const logger = createLogger('orchestrator', (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent');

const pg = postgresSchema('kyc');
let db: Database;
let fake: FakeKycProvider;
let decision: FakeDecision = 'verified';
let server: Server;
let appUrl = '';
let callbackUrl = '';
let service: KycService;
let changes: [string, KycStatus][] = [];

function serviceFor(baseUrl: string, opts: { apiKey?: string; timeoutMs?: number } = {}): KycService {
  return new KycService({
    db,
    provider: new HttpKycProvider({
      baseUrl,
      apiKey: opts.apiKey ?? API_KEY,
      name: PROVIDER,
      timeoutMs: opts.timeoutMs ?? 2_000,
      logger,
    }),
    webhookSecret: SECRET,
    callbackUrl,
    logger,
    // Slow on purpose: the webhook must not be answered before the orchestrator has taken the change.
    onKycChange: async (bidderId, status) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      changes.push([bidderId, status]);
    },
  });
}

beforeAll(async () => {
  await pg.create();
  db = pg.open();
  await migrate(db);
  fake = await FakeKycProvider.start({
    apiKey: API_KEY,
    webhookSecret: SECRET,
    decide: () => decision,
    backoffMs: 20,
    logger,
  });
  // The webhook goes to whichever service the current test uses (they share the database).
  let current: KycService | undefined;
  const app = new Hono();
  app.route(
    '/kyc',
    kycRoutes(
      {
        handleWebhook: (raw, header, requestId) => {
          if (current === undefined) throw new Error('no service');
          return current.handleWebhook(raw, header, requestId);
        },
      },
      { logger },
    ),
  );
  server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  callbackUrl = `${appUrl}/kyc/webhook`;
  service = serviceFor(fake.url);
  current = service;
  useService = (s) => {
    current = s;
  };
});

let useService: (s: KycService) => void = () => undefined;

afterAll(async () => {
  await fake?.stop();
  await new Promise<void>((resolve) => {
    if (server === undefined) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await pg.cleanup();
});

beforeEach(async () => {
  await fake.settled();
  decision = 'verified';
  changes = [];
  useService(service);
});

async function newBidder(status: KycStatus = 'pending'): Promise<string> {
  const id = `b-${randomUUID().slice(0, 8)}`;
  await db.query(
    `INSERT INTO bidders (id, email, display_name, country, kyc_status) VALUES ($1, $2, $3, 'FR', $4)`,
    [id, `${id}@example.com`, `Bidder ${id}`, status],
  );
  return id;
}

async function bidder(id: string): Promise<{ kyc_status: string; kyc_checked_at: Date | null }> {
  const rows = await db.query<{ kyc_status: string; kyc_checked_at: Date | null }>(
    'SELECT kyc_status, kyc_checked_at FROM bidders WHERE id = $1',
    [id],
  );
  return rows[0] ?? { kyc_status: 'missing', kyc_checked_at: null };
}

async function checkRow(
  id: string,
): Promise<{ status: string; provider_ref: string | null; reason: string | null }> {
  const rows = await db.query<{ status: string; provider_ref: string | null; reason: string | null }>(
    'SELECT status, provider_ref, reason FROM kyc_checks WHERE id = $1',
    [id],
  );
  return rows[0] ?? { status: 'missing', provider_ref: null, reason: null };
}

async function auditActions(
  bidderId: string,
): Promise<{ actor: string; action: string; correlation_id: string }[]> {
  return db.query<{ actor: string; action: string; correlation_id: string }>(
    `SELECT actor, action, correlation_id FROM audit_log WHERE entity_type = 'bidder' AND entity_id = $1 ORDER BY id`,
    [bidderId],
  );
}

async function eventCount(providerRef: string): Promise<number> {
  const rows = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM kyc_webhook_events WHERE provider = $1 AND payload->'data'->>'providerRef' = $2`,
    [PROVIDER, providerRef],
  );
  return Number(rows[0]?.n ?? 0);
}

interface Reply {
  status: number;
  body: { error?: { code: string; message: string; details?: unknown } };
}

/** A webhook we build ourselves, signed (or not) as told. */
async function post(body: string, header: string | undefined): Promise<Reply> {
  const res = await fetch(callbackUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(header === undefined ? {} : { [KYC_SIGNATURE_HEADER]: header }),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Reply['body'] };
}

const nowS = (): number => Math.floor(Date.now() / 1000);

function event(providerRef: string, result = 'verified', completedAt = new Date().toISOString()): string {
  return JSON.stringify({
    id: `evt_${randomUUID()}`,
    type: 'check.completed',
    data: { providerRef, result, completedAt },
  });
}

async function startManual(): Promise<{ bidderId: string; check: KycCheck; providerRef: string }> {
  decision = 'manual';
  const bidderId = await newBidder();
  const check = await service.start(bidderId, 'admin:test', `corr-${randomUUID()}`);
  if (check.providerRef === null) throw new Error('no providerRef');
  return { bidderId, check, providerRef: check.providerRef };
}

describe('KYC check: start → provider → signed webhook', () => {
  it('sends the API key and the check id as Idempotency-Key, then records the verified result once', async () => {
    const bidderId = await newBidder();
    const correlationId = `corr-${randomUUID()}`;
    const before = fake.requests.length;
    const check = await service.start(bidderId, 'admin:alice', correlationId);
    expect(check).toMatchObject({ bidderId, provider: PROVIDER, correlationId });
    expect(check.providerRef).toMatch(/^chk_/);
    expect(check.verificationUrl).toContain(check.providerRef);

    const received = fake.requests.slice(before);
    expect(received).toHaveLength(1);
    const req = received[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/checks');
    expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req?.headers['idempotency-key']).toBe(check.id);
    expect(req?.headers['x-request-id']).toBe(correlationId);
    expect(req?.body).toEqual({
      reference: check.id,
      applicant: {
        id: bidderId,
        name: `Bidder ${bidderId}`,
        email: `${bidderId}@example.com`,
        country: 'FR',
      },
      callbackUrl,
    });

    await fake.settled();
    const attempts = fake.deliveries.filter((d) => d.providerRef === check.providerRef);
    expect(attempts.map((a) => a.status)).toEqual([200]);
    expect(JSON.parse(attempts[0]?.responseBody ?? '{}')).toMatchObject({
      status: 'applied',
      checkId: check.id,
    });

    const sent = fake.events().find((e) => e.data.providerRef === check.providerRef);
    const b = await bidder(bidderId);
    expect(b.kyc_status).toBe('verified');
    expect(b.kyc_checked_at?.toISOString()).toBe(sent?.data.completedAt);
    expect(await checkRow(check.id)).toMatchObject({ status: 'verified', provider_ref: check.providerRef });
    expect(await auditActions(bidderId)).toEqual([
      { actor: 'admin:alice', action: 'kyc.requested', correlation_id: correlationId },
      { actor: 'admin:alice', action: 'kyc.started', correlation_id: correlationId },
      { actor: `kyc:${PROVIDER}`, action: 'kyc.completed', correlation_id: correlationId },
    ]);
    expect(changes).toEqual([[bidderId, 'verified']]);
    expect(await service.getCheck(check.id)).toMatchObject({
      status: 'verified',
      completedAt: sent?.data.completedAt,
    });

    // The provider delivers the same event again: answered, no second effect, no second callback.
    const again = await fake.resend(sent?.id ?? '');
    expect(again).toMatchObject({ delivered: true, attempts: 1, lastStatus: 200 });
    expect(JSON.parse(fake.deliveries.at(-1)?.responseBody ?? '{}')).toEqual({
      status: 'duplicate',
      eventId: sent?.id,
    });
    expect(await auditActions(bidderId)).toHaveLength(3);
    expect(await eventCount(check.providerRef ?? '')).toBe(1);
    expect(changes).toEqual([[bidderId, 'verified']]);
  });

  it('a start with the same reference finds the same check at the provider (idempotent start)', async () => {
    decision = 'manual';
    const provider = new HttpKycProvider({ baseUrl: fake.url, apiKey: API_KEY, name: PROVIDER });
    const req = { reference: randomUUID(), bidder: { id: 'x', name: 'X' }, callbackUrl };
    const a = await provider.startCheck(req);
    const b = await provider.startCheck(req);
    expect(b.providerRef).toBe(a.providerRef);
    expect(fake.checks().filter((c) => c.reference === req.reference)).toHaveLength(1);
    // The same key with another request is the vendor's 4xx: refused, 502.
    await expect(provider.startCheck({ ...req, bidder: { id: 'y', name: 'Y' } })).rejects.toMatchObject({
      status: 502,
      code: 'KYC_PROVIDER_REFUSED',
    });
  });

  it('refuses an unknown bidder with 404 and records nothing', async () => {
    const before = fake.requests.length;
    await expect(service.start('nobody', 'admin:test')).rejects.toMatchObject({
      status: 404,
      code: 'UNKNOWN_BIDDER',
    });
    expect(fake.requests.length).toBe(before);
    expect(await db.query(`SELECT 1 FROM kyc_checks WHERE bidder_id = 'nobody'`)).toEqual([]);
  });
  it('a result that overtakes the start answer is matched by our reference, even mid-store', async () => {
    const bidderId = await newBidder();
    const checkId = randomUUID();
    await db.query(
      `INSERT INTO kyc_checks (id, bidder_id, provider, status) VALUES ($1, $2, $3, 'requested')`,
      [checkId, bidderId, PROVIDER],
    );
    const providerRef = `chk_${randomUUID()}`;
    const body = JSON.stringify({
      id: `evt_${randomUUID()}`,
      type: 'check.completed',
      data: { providerRef, reference: checkId, result: 'verified', completedAt: new Date().toISOString() },
    });
    // The start is storing the provider's reference (row locked, not committed) when the result arrives.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const storing = db.transaction(async (tx) => {
      await tx.query('UPDATE kyc_checks SET provider_ref = $2 WHERE id = $1 AND provider_ref IS NULL', [
        checkId,
        providerRef,
      ]);
      await gate;
    });
    const answer = post(body, signKycWebhook(SECRET, body, nowS()));
    // The webhook has reached the row and waits for its lock (PostgreSQL says so) before the start commits.
    await until('the webhook waits for the check’s row lock', async () => {
      const [w] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM kyc_checks%FOR UPDATE%'`,
      );
      return (w?.n ?? 0) > 0 ? true : undefined;
    });
    release();
    await storing;
    const r = await answer;
    expect(r.status).toBe(200);
    expect(await checkRow(checkId)).toMatchObject({ status: 'verified', provider_ref: providerRef });
    expect((await bidder(bidderId)).kyc_status).toBe('verified');
    // A reference whose check has another providerRef is not a match.
    const other = JSON.stringify({
      id: `evt_${randomUUID()}`,
      type: 'check.completed',
      data: {
        providerRef: `chk_${randomUUID()}`,
        reference: checkId,
        result: 'rejected',
        completedAt: new Date().toISOString(),
      },
    });
    expect(await post(other, signKycWebhook(SECRET, other, nowS()))).toMatchObject({
      status: 404,
      body: { error: { code: 'UNKNOWN_CHECK' } },
    });
  });
});

describe('KYC webhook refusals change nothing', () => {
  it('answers each bad delivery with its 4xx JSON error, and the check stays as it was', async () => {
    const { bidderId, check, providerRef } = await startManual();
    const good = event(providerRef);
    const expectations: [string, Promise<Reply>, number, string][] = [
      ['wrong secret', post(good, signKycWebhook('w'.repeat(48), good, nowS())), 403, 'BAD_SIGNATURE'],
      [
        'body changed',
        post(good.replace('verified', 'rejected'), signKycWebhook(SECRET, good, nowS())),
        403,
        'BAD_SIGNATURE',
      ],
      ['old', post(good, signKycWebhook(SECRET, good, nowS() - 400)), 403, 'STALE_SIGNATURE'],
      ['future', post(good, signKycWebhook(SECRET, good, nowS() + 400)), 403, 'STALE_SIGNATURE'],
      ['no header', post(good, undefined), 403, 'MALFORMED_SIGNATURE'],
      ['garbage header', post(good, 'sha256=abc'), 403, 'MALFORMED_SIGNATURE'],
      ['no v1', post(good, `t=${nowS()}`), 403, 'MALFORMED_SIGNATURE'],
      ['bad JSON', post('{"id":', signKycWebhook(SECRET, '{"id":', nowS())), 400, 'BAD_JSON'],
    ];
    const wrongShape = JSON.stringify({
      id: 'evt_x',
      type: 'check.completed',
      data: { providerRef, result: 'maybe' },
    });
    expectations.push([
      'wrong shape',
      post(wrongShape, signKycWebhook(SECRET, wrongShape, nowS())),
      400,
      'VALIDATION_FAILED',
    ]);
    const unknown = event(`chk_${randomUUID()}`);
    expectations.push([
      'unknown ref',
      post(unknown, signKycWebhook(SECRET, unknown, nowS())),
      404,
      'UNKNOWN_CHECK',
    ]);
    const big = JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(64 * 1024) });
    expectations.push(['too large', post(big, signKycWebhook(SECRET, big, nowS())), 413, 'BODY_TOO_LARGE']);

    for (const [what, response, status, code] of expectations) {
      const r = await response;
      expect({ what, status: r.status, code: r.body.error?.code }).toEqual({ what, status, code });
      expect(typeof r.body.error?.message).toBe('string');
    }
    const shape = await post(wrongShape, signKycWebhook(SECRET, wrongShape, nowS()));
    expect(shape.body.error?.details).toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ path: 'data.result' })]) as unknown,
    });

    expect(await checkRow(check.id)).toMatchObject({ status: 'requested', provider_ref: providerRef });
    expect((await bidder(bidderId)).kyc_status).toBe('pending');
    expect(await eventCount(providerRef)).toBe(0);
    const unknownId = (JSON.parse(unknown) as { id: string }).id;
    expect(await db.query('SELECT 1 FROM kyc_webhook_events WHERE event_id = $1', [unknownId])).toEqual([]);
    expect((await auditActions(bidderId)).map((a) => a.action)).toEqual(['kyc.requested', 'kyc.started']);
    expect(changes).toEqual([]);

    // And the good one, after all that, applies.
    expect((await post(good, signKycWebhook(SECRET, good, nowS()))).status).toBe(200);
    expect((await bidder(bidderId)).kyc_status).toBe('verified');
    expect(changes).toEqual([[bidderId, 'verified']]);
  });

  it('limits a streamed body without Content-Length too (413)', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        callbackUrl,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
  });

  it('the provider retries a refused delivery with backoff, recording each attempt', async () => {
    const { bidderId, providerRef } = await startManual();
    const delivery = await fake.complete(providerRef, 'verified', { secret: 'w'.repeat(48), maxAttempts: 3 });
    expect(delivery).toMatchObject({ delivered: false, attempts: 3, lastStatus: 403 });
    const attempts = fake.deliveries.filter((d) => d.eventId === delivery.eventId);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 403],
      [2, 403],
      [3, 403],
    ]);
    expect(JSON.parse(attempts[0]?.responseBody ?? '{}')).toMatchObject({ error: { code: 'BAD_SIGNATURE' } });
    // Backoff: 20 ms, then 40 ms.
    const gaps = attempts.slice(1).map((a, i) => a.at - (attempts[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect((await bidder(bidderId)).kyc_status).toBe('pending');
    expect(changes).toEqual([]);
  });
});

describe('KYC results over time', () => {
  it('a result older than the current one is ignored (out of order), a newer one applies', async () => {
    const { bidderId, check, providerRef } = await startManual();
    const t = Date.now();
    const rejected = await fake.complete(providerRef, 'rejected', {
      completedAt: new Date(t),
      reason: 'document expired',
    });
    expect(rejected.delivered).toBe(true);
    expect((await bidder(bidderId)).kyc_status).toBe('rejected');
    expect(await checkRow(check.id)).toMatchObject({ status: 'rejected', reason: 'document expired' });
    expect(changes).toEqual([[bidderId, 'rejected']]);

    // Sent earlier by the provider, arriving later.
    const stale = await fake.complete(providerRef, 'verified', { completedAt: new Date(t - 60_000) });
    expect(stale.delivered).toBe(true);
    expect(JSON.parse(fake.deliveries.at(-1)?.responseBody ?? '{}')).toMatchObject({ status: 'stale' });
    expect((await bidder(bidderId)).kyc_status).toBe('rejected');
    expect((await bidder(bidderId)).kyc_checked_at?.getTime()).toBe(t);
    expect(await checkRow(check.id)).toMatchObject({ status: 'rejected' });
    expect(changes).toEqual([[bidderId, 'rejected']]);
    expect((await auditActions(bidderId)).map((a) => a.action).slice(-2)).toEqual([
      'kyc.completed',
      'kyc.result_ignored',
    ]);

    // A later result (the provider re-reviewed) applies.
    await fake.complete(providerRef, 'verified', { completedAt: new Date(t + 1_000) });
    expect((await bidder(bidderId)).kyc_status).toBe('verified');
    expect(changes).toEqual([
      [bidderId, 'rejected'],
      [bidderId, 'verified'],
    ]);
  });

  it('a bidder keeps the newest result across checks; a revoking result is reported at once', async () => {
    const bidderId = await newBidder();
    decision = 'manual';
    const first = await service.start(bidderId, 'admin:test');
    const second = await service.start(bidderId, 'admin:test');
    const t = Date.now();
    await fake.complete(second.providerRef ?? '', 'verified', { completedAt: new Date(t) });
    expect((await bidder(bidderId)).kyc_status).toBe('verified');
    // The first check's result is older than the bidder's current standing: recorded on the check only.
    await fake.complete(first.providerRef ?? '', 'rejected', { completedAt: new Date(t - 1_000) });
    expect(await checkRow(first.id)).toMatchObject({ status: 'rejected' });
    expect((await bidder(bidderId)).kyc_status).toBe('verified');
    expect(changes).toEqual([[bidderId, 'verified']]);

    // A new check of a verified bidder leaves them verified while it runs…
    const third = await service.start(bidderId, 'admin:test');
    expect((await bidder(bidderId)).kyc_status).toBe('verified');
    // …and its rejection revokes, reported to the orchestrator before the webhook is answered.
    const d = await fake.complete(third.providerRef ?? '', 'rejected', { completedAt: new Date(t + 5_000) });
    expect(d.delivered).toBe(true);
    expect(changes).toEqual([
      [bidderId, 'verified'],
      [bidderId, 'rejected'],
    ]);
    // A new check of a rejected bidder puts them back to pending.
    await service.start(bidderId, 'admin:test');
    expect((await bidder(bidderId)).kyc_status).toBe('pending');
    expect(changes.at(-1)).toEqual([bidderId, 'pending']);
  });

  it('a failing onKycChange is logged; the result stays recorded and the webhook is answered 200', async () => {
    const failing = new KycService({
      db,
      provider: new HttpKycProvider({ baseUrl: fake.url, apiKey: API_KEY, name: PROVIDER }),
      webhookSecret: SECRET,
      callbackUrl,
      logger,
      onKycChange: () => Promise.reject(new Error('engine down')),
    });
    useService(failing);
    decision = 'manual';
    const bidderId = await newBidder();
    const check = await failing.start(bidderId, 'admin:test');
    const d = await fake.complete(check.providerRef ?? '', 'verified');
    expect(d).toMatchObject({ delivered: true, lastStatus: 200 });
    expect((await bidder(bidderId)).kyc_status).toBe('verified');
  });
});

describe('KYC provider failures', () => {
  it('provider down → 503 KYC_PROVIDER_UNAVAILABLE; the check is marked error, the bidder unchanged', async () => {
    const down = await FakeKycProvider.start({ apiKey: API_KEY, webhookSecret: SECRET });
    const url = down.url;
    await down.stop();
    const s = serviceFor(url);
    const bidderId = await newBidder('expired');
    const err = await s.start(bidderId, 'admin:test').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 503, code: 'KYC_PROVIDER_UNAVAILABLE' });
    expect((err as AppError).message).toContain('retry later');
    const checks = await s.listChecks(bidderId);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ status: 'error', providerRef: null });
    expect(checks[0]?.reason).toContain('KYC_PROVIDER_UNAVAILABLE');
    expect((await bidder(bidderId)).kyc_status).toBe('expired');
    expect((await auditActions(bidderId)).map((a) => a.action)).toEqual([
      'kyc.requested',
      'kyc.start_failed',
    ]);
    expect(changes).toEqual([]);
  });

  it('provider 4xx → 502 KYC_PROVIDER_REFUSED with its message; 5xx → 503', async () => {
    const s = serviceFor(fake.url, { apiKey: 'wrong-key' });
    const bidderId = await newBidder();
    await expect(s.start(bidderId, 'admin:test')).rejects.toMatchObject({
      status: 502,
      code: 'KYC_PROVIDER_REFUSED',
      message: expect.stringContaining('missing or invalid API key') as unknown,
      details: { providerStatus: 401, providerCode: 'UNAUTHORIZED' },
    });
    fake.refuseNextStarts(503);
    await expect(service.start(bidderId, 'admin:test')).rejects.toMatchObject({
      status: 503,
      code: 'KYC_PROVIDER_UNAVAILABLE',
    });
    const checks = await service.listChecks(bidderId);
    expect(checks.map((c) => c.status)).toEqual(['error', 'error']);
    expect((await bidder(bidderId)).kyc_status).toBe('pending');
  });

  it('retry() sends a failed check again with the same Idempotency-Key', async () => {
    decision = 'manual';
    const bidderId = await newBidder();
    fake.refuseNextStarts(503);
    const err = await service.start(bidderId, 'admin:test').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KYC_PROVIDER_UNAVAILABLE' });
    const [failed] = await service.listChecks(bidderId);
    expect(failed?.status).toBe('error');
    const retried = await service.retry(failed?.id ?? '', 'admin:test');
    expect(retried).toMatchObject({ id: failed?.id, status: 'requested' });
    expect(retried.providerRef).toMatch(/^chk_/);
    const keys = fake.requests
      .filter((r) => r.headers['idempotency-key'] === failed?.id)
      .map((r) => r.status);
    expect(keys).toEqual([503, 201]);
    await expect(service.retry(failed?.id ?? '', 'admin:test')).rejects.toMatchObject({
      status: 409,
      code: 'KYC_CHECK_NOT_RETRYABLE',
    });
  });

  it('a start that timed out is healed by the result, matched by our reference', async () => {
    const slow = await FakeKycProvider.start({
      apiKey: API_KEY,
      webhookSecret: SECRET,
      decide: () => 'manual',
      responseDelayMs: 400,
    });
    try {
      const s = serviceFor(slow.url, { timeoutMs: 100 });
      useService(s);
      const bidderId = await newBidder();
      const err = await s.start(bidderId, 'admin:test').catch((e: unknown) => e);
      expect(err).toMatchObject({
        status: 503,
        code: 'KYC_PROVIDER_UNAVAILABLE',
        details: { reason: 'timeout' },
      });
      const [failed] = await s.listChecks(bidderId);
      expect(failed).toMatchObject({ status: 'error', providerRef: null });
      // The vendor did take it, and later sends the result.
      let taken = slow.checks().find((c) => c.reference === failed?.id);
      for (let i = 0; taken === undefined && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 30));
        taken = slow.checks().find((c) => c.reference === failed?.id);
      }
      expect(taken).toBeDefined();
      const d = await slow.complete(taken?.providerRef ?? '', 'verified');
      expect(d.delivered).toBe(true);
      expect(await checkRow(failed?.id ?? '')).toMatchObject({
        status: 'verified',
        provider_ref: taken?.providerRef,
      });
      expect((await bidder(bidderId)).kyc_status).toBe('verified');
    } finally {
      await slow.stop();
    }
  });
});
