import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timedSetup } from '../../test/support/bidding.ts';
import { postBid, startTestGavel } from '../../test/support/gavel.ts';
import { startTestHub } from '../../test/support/hub.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';
import { connectSse } from '../../test/support/sse-client.ts';
import type { RunningHub } from '../../hub/index.ts';
import type { RunningGateway } from '../server.ts';

/** The engine's guarantees seen from outside: real HTTP into two gateways on one Redis, real SSE out of the hub. */
describe('races through the gateway (real Redis, HTTP, SSE)', () => {
  const ns = redisNamespace('gateway-race');
  const publisherKey = randomBytes(32).toString('hex');
  let hub: RunningHub;
  let gateways: RunningGateway[];

  beforeAll(async () => {
    hub = await startTestHub({
      publisherKey,
      subscriberKey: publisherKey,
      transportUrl: `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`,
    });
    const config = {
      mode: 'distributed' as const,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: ns.prefix,
      hubUrl: `${hub.url}/.well-known/mercure`,
      publisherKey,
      userJwtKey: randomBytes(32).toString('hex'),
    };
    gateways = [await startTestGavel(config), await startTestGavel(config)];
  });
  afterAll(async () => {
    for (const g of gateways) await g.close();
    await hub.close();
    await ns.cleanup();
  });

  it('1,000 concurrent bids of the same amount over HTTP: exactly one 201, every other 409 OUTBID, one public update', async () => {
    const [g1, g2] = gateways as [RunningGateway, RunningGateway];
    const id = `race-${randomUUID().slice(0, 8)}`;
    await g1.store!.configure(timedSetup(id, Date.now()));
    const bidders = Array.from({ length: 1000 }, (_, i) => `racer-${i}`);
    await Promise.all(bidders.map((b) => g1.store!.setEligibility(id, b, 10_000_000)));
    const tokens = await Promise.all(bidders.map((b) => g1.tokens.sign({ id: b, role: 'bidder', name: b })));
    const sse = await connectSse(
      `${hub.url}/.well-known/mercure?topic=${encodeURIComponent(`https://gavel.local/auctions/${id}`)}`,
    );
    const results = await Promise.all(
      tokens.map((t, i) => postBid((i % 2 === 0 ? g1 : g2).url, id, t, { amount: '500.00' }, randomUUID())),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error?.code === 'OUTBID')).toHaveLength(999);
    const [ev] = await sse.waitFor(1);
    expect(JSON.parse(ev!.data)).toMatchObject({ price: '500.00', bidCount: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(sse.events).toHaveLength(1);
    expect(await g1.store!.decisions(id, '0', 5000)).toHaveLength(1000);
    sse.close();
  }, 60_000);

  it('revoking eligibility mid-sale refuses the very next bid', async () => {
    const [g1, g2] = gateways as [RunningGateway, RunningGateway];
    const id = `revoke-${randomUUID().slice(0, 8)}`;
    await g1.store!.configure(timedSetup(id, Date.now()));
    await g1.store!.setEligibility(id, 'dora', 10_000_000);
    const dora = await g1.tokens.sign({ id: 'dora', role: 'bidder', name: 'Dora' });
    expect((await postBid(g1.url, id, dora, { amount: '100.00' }, randomUUID())).status).toBe(201);
    await g1.store!.setEligibility(id, 'dora', undefined);
    const next = await postBid(g2.url, id, dora, { amount: '200.00', max: '900.00' }, randomUUID());
    expect([next.status, next.body.error?.code]).toEqual([403, 'NOT_ELIGIBLE']);
  });

  it('soft close: a late bid extends the end for everyone; after the true end bids are refused', async () => {
    const [g1, g2] = gateways as [RunningGateway, RunningGateway];
    const id = `soft-${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    await g1.store!.configure(timedSetup(id, now, { endsAt: now + 1_500, graceMs: 0, softCloseMs: 1_000 }));
    for (const b of ['erin', 'finn']) await g1.store!.setEligibility(id, b, 10_000_000);
    const erin = await g1.tokens.sign({ id: 'erin', role: 'bidder', name: 'Erin' });
    const finn = await g1.tokens.sign({ id: 'finn', role: 'bidder', name: 'Finn' });
    await new Promise((r) => setTimeout(r, 800));
    const late = await postBid(g1.url, id, erin, { amount: '100.00' }, randomUUID());
    expect(late.status).toBe(201);
    expect(late.body.bid?.extended).toBe(true);
    const newEnd = Date.parse(late.body.bid?.endsAt as string);
    expect(newEnd).toBe(now + 2_500);
    // Past the original end but inside the extension: accepted.
    await new Promise((r) => setTimeout(r, Math.max(0, now + 1_700 - Date.now())));
    expect((await postBid(g2.url, id, finn, { amount: '200.00' }, randomUUID())).status).toBe(201);
    const snap = (await (await fetch(`${g1.url}/v1/auctions/${id}`)).json()) as {
      auction: { endsAt: string };
    };
    const end = Date.parse(snap.auction.endsAt);
    await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now() + 100)));
    const after = await postBid(g2.url, id, erin, { amount: '300.00' }, randomUUID());
    expect([after.status, after.body.error?.code]).toEqual([409, 'CLOSED']);
  }, 15_000);
});
