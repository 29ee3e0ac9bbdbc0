import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { startBiddingService, type RunningBidding } from '../bidding/index.ts';
import { timedSetup } from '../test/support/bidding.ts';
import { TEST_MASK_KEY } from '../test/support/tokens.ts';
import { postBid, startTestGavel } from '../test/support/gavel.ts';
import { startTestHub } from '../test/support/hub.ts';
import { redisNamespace } from '../test/support/redis-namespace.ts';
import { connectSse } from '../test/support/sse-client.ts';
import type { RunningHub } from '../hub/index.ts';
import type { RunningGateway } from './server.ts';
import { freePort } from '../test/support/net.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The fully split topology: hub, bidding engine and gateway as separate services talking HTTP. */
describe('gateway → separate bidding service → hub', () => {
  const ns = redisNamespace('split');
  const publisherKey = randomBytes(32).toString('hex');
  const serviceToken = randomBytes(24).toString('hex');
  let hub: RunningHub;
  let bidding: RunningBidding;
  let g: RunningGateway;

  beforeAll(async () => {
    hub = await startTestHub({
      publisherKey,
      subscriberKey: publisherKey,
      transportUrl: `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`,
    });
    const hubUrl = `${hub.url}/.well-known/mercure`;
    bidding = await startBiddingService(
      {
        host: '127.0.0.1',
        port: 0,
        redisUrl: 'redis://127.0.0.1:6379',
        redisPrefix: ns.prefix,
        hubPublishUrl: hubUrl,
        publisherKey,
        publisherAlg: 'HS256',
        topicBase: 'https://gavel.local',
        serviceToken,
        maskKey: TEST_MASK_KEY,
        logLevel: 'silent',
      },
      createLogger('bidding', 'silent'),
    );
    g = await startTestGavel({
      mode: 'distributed',
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: ns.prefix,
      hubUrl,
      publisherKey,
      subscriberKey: publisherKey,
      biddingUrl: bidding.url,
      biddingServiceToken: serviceToken,
    });
  });
  afterAll(async () => {
    await g.close();
    await bidding.close();
    await hub.close();
    await ns.cleanup();
  });

  it('routes bids to the engine process and the engine publishes through the hub', async () => {
    const id = `s-${randomUUID().slice(0, 8)}`;
    await g.store!.configure(timedSetup(id, Date.now()));
    for (const b of ['alice', 'bob']) await g.store!.setEligibility(id, b, 1_000_000);
    const alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    const bob = await g.tokens.sign({ id: 'bob', role: 'bidder', name: 'Bob' });
    const sse = await connectSse(
      `${hub.url}/.well-known/mercure?topic=${encodeURIComponent(`https://gavel.local/auctions/${id}`)}`,
    );
    const k = randomUUID();
    const first = await postBid(g.url, id, alice, { amount: '100.00' }, k);
    expect(first.status).toBe(201);
    const retry = await postBid(g.url, id, alice, { amount: '100.00' }, k);
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    const tie = await postBid(g.url, id, bob, { amount: '100.00' }, randomUUID());
    expect([tie.status, tie.body.error?.code]).toEqual([409, 'OUTBID']);
    const [ev] = await sse.waitFor(1);
    expect(JSON.parse(ev!.data)).toMatchObject({ auctionId: id, price: '100.00', seq: 1 });
    const snap = (await (await fetch(`${g.url}/v1/auctions/${id}`)).json()) as {
      auction: { price: string; seq: number };
    };
    expect(snap.auction).toMatchObject({ price: '100.00', seq: 2 });
    const list = (await (await fetch(`${g.url}/v1/auctions/${id}/bids`)).json()) as { bids: unknown[] };
    expect(list.bids).toHaveLength(1);
    sse.close();
  });

  it("serves the clerk's commission bar from the engine process: the waiting absentee maximums", async () => {
    const id = `s-${randomUUID().slice(0, 8)}`;
    await g.store!.configure(
      timedSetup(id, Date.now(), { mode: 'live', status: 'scheduled', softCloseMs: 0, graceMs: 0 }),
    );
    await g.store!.setEligibility(id, 'alice', 1_000_000);
    const alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    const placed = await postBid(g.url, id, alice, { amount: '10.00', max: '500.00' }, randomUUID());
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const clerk = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
    const res = await fetch(`${g.url}/v1/auctions/${id}/floor`, {
      headers: { Authorization: `Bearer ${clerk}` },
    });
    const body = (await res.json()) as { lot: { commission: { bidderId: string; max: string }[] } };
    expect(body.lot.commission).toEqual([expect.objectContaining({ bidderId: 'alice', max: '500.00' })]);
    // Never in the public snapshot.
    expect(await (await fetch(`${g.url}/v1/auctions/${id}`)).text()).not.toContain('500.00');
  });

  it('refuses callers without the service token', async () => {
    const res = await fetch(`${bidding.url}/internal/v1/auctions/x/meta`);
    expect(res.status).toBe(401);
    const wrong = await fetch(`${bidding.url}/internal/v1/auctions/x/meta`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it("answers the engine's bid route directly with the same refusals as the rest of its API", async () => {
    const id = `r-${randomUUID().slice(0, 8)}`;
    await g.store!.configure(timedSetup(id, Date.now()));
    await g.store!.setEligibility(id, 'alice', 1_000_000);
    const auth = { Authorization: `Bearer ${serviceToken}` };
    const json = { ...auth, 'Content-Type': 'application/json' };
    const good = { auctionId: id, bidderId: 'alice', amount: 10_000, idempotencyKey: 'r1', source: 'api' };
    const cases: [RequestInit, number, string][] = [
      [
        { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(good) },
        401,
        'UNAUTHENTICATED',
      ],
      [
        { headers: { ...auth, 'Content-Type': 'text/plain' }, body: JSON.stringify(good) },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [{ headers: json, body: '{"auctionId":' }, 400, 'BAD_JSON'],
      [{ headers: json, body: JSON.stringify({ ...good, amount: 1.5 }) }, 400, 'VALIDATION_FAILED'],
      [{ headers: json, body: JSON.stringify({ ...good, extra: 1 }) }, 400, 'VALIDATION_FAILED'],
      [{ headers: json, body: JSON.stringify({ ...good, pad: 'x'.repeat(20_000) }) }, 413, 'BODY_TOO_LARGE'],
    ];
    for (const [init, status, code] of cases) {
      const res = await fetch(`${bidding.url}/internal/v1/bids`, { method: 'POST', ...init });
      const body = (await res.json()) as { error?: { code: string; message: string } };
      expect([res.status, body.error?.code], code).toEqual([status, code]);
      expect(body.error?.message.length).toBeGreaterThan(0);
    }
    // After the refusals, on the same kept-alive connections: the bid itself, decided once.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${bidding.url}/internal/v1/bids`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(good),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ seq: 1, outcome: 'accepted', replayed: i === 1 });
    }
  });

  it('answers 503 ENGINE_UNAVAILABLE (retry with the same key) when the engine is down', async () => {
    const down = await startTestGavel({
      mode: 'distributed',
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: ns.prefix,
      hubUrl: `${hub.url}/.well-known/mercure`,
      publisherKey,
      biddingUrl: `http://127.0.0.1:${await freePort()}`,
      biddingServiceToken: serviceToken,
    });
    try {
      const alice = await down.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
      const res = await postBid(down.url, 'anything', alice, { amount: '100.00' }, randomUUID());
      expect(res.status).toBe(503);
      expect(res.body.error?.code).toBe('ENGINE_UNAVAILABLE');
      expect(res.body.error?.message).toContain('Idempotency-Key');
    } finally {
      await down.close();
    }
  });

  it('runs as its own process with `npm run bidding`, configured by environment', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bidding/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_PREFIX: ns.prefix,
        HUB_PUBLISH_URL: `${hub.url}/.well-known/mercure`,
        MERCURE_PUBLISHER_JWT_KEY: publisherKey,
        BIDDING_SERVICE_TOKEN: serviceToken,
        GAVEL_MASK_KEY: TEST_MASK_KEY,
        // Any free port: other engines of the suite may hold the default.
        BIDDING_METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    try {
      let ok = false;
      for (let i = 0; i < 100 && !ok; i++) {
        ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ok) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ok).toBe(true);
      const id = `p-${randomUUID().slice(0, 8)}`;
      await g.store!.configure(timedSetup(id, Date.now()));
      await g.store!.setEligibility(id, 'carol', 1_000_000);
      const res = await fetch(`http://127.0.0.1:${port}/internal/v1/bids`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${serviceToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          auctionId: id,
          bidderId: 'carol',
          amount: 10_000,
          idempotencyKey: 'p1',
          source: 'api',
        }),
      });
      expect(await res.json()).toMatchObject({ outcome: 'accepted', price: 10_000, seq: 1 });
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 20_000);

  it('refuses to start without its required settings, naming them', async () => {
    const { biddingConfigFromEnv } = await import('../bidding/index.ts');
    expect(() => biddingConfigFromEnv({})).toThrow(
      /REDIS_URL[\s\S]*HUB_PUBLISH_URL[\s\S]*BIDDING_SERVICE_TOKEN/,
    );
    const base = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      BIDDING_SERVICE_TOKEN: 'x'.repeat(32),
      GAVEL_MASK_KEY: TEST_MASK_KEY,
    };
    // Over HTTP the engine signs its publishes; straight into the hubs' stream it needs no key.
    expect(() =>
      biddingConfigFromEnv({ ...base, HUB_PUBLISH_URL: 'http://hub/.well-known/mercure' }),
    ).toThrow(/MERCURE_PUBLISHER_JWT_KEY/);
    expect(
      biddingConfigFromEnv({ ...base, HUB_PUBLISH_URL: 'redis://127.0.0.1:6379?prefix=gavel:{hub}' }),
    ).toMatchObject({ hubPublishUrl: 'redis://127.0.0.1:6379?prefix=gavel:{hub}', publisherKey: undefined });
  });
});
