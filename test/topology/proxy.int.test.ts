import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCatalogue } from '../../common/catalogue.ts';
import { createLogger } from '../../common/logger.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import { startGateway, type RunningGateway } from '../../gateway/index.ts';
import type { RunningHub } from '../../hub/index.ts';
import { timedSetup } from '../support/bidding.ts';
import { postBid, redisGatewayConfig } from '../support/gavel.ts';
import { startTestHub, subscribeUrl } from '../support/hub.ts';
import { freePort } from '../support/net.ts';
import { redisNamespace } from '../support/redis-namespace.ts';
import { trackChild, tracked } from '../support/registry.ts';
import { connectSse } from '../support/sse-client.ts';

const CONFIG = fileURLToPath(new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url));

/**
 * The deployed topology's one public origin, with the repository's HAProxy configuration (the
 * file compose mounts) in front of two gateways and two hubs sharing Redis: the hub under
 * /.well-known/mercure and everything else to the gateways; the hub cookie set because the hub
 * shares the public origin; events streamed through unbuffered; and an instance stopped mid-way
 * costs a client nothing more than a retry.
 */
describe('one public origin behind HAProxy: two gateways, two hubs (real Redis)', () => {
  const ns = redisNamespace('proxy');
  const publisherKey = randomBytes(32).toString('hex');
  const subscriberKey = randomBytes(32).toString('hex');
  const sale = `sale-${randomUUID().slice(0, 8)}`;
  const lot = `${sale}-1`;
  let origin = '';
  const hubs: RunningHub[] = [];
  const gateways: RunningGateway[] = [];
  let alice = '';
  let bob = '';

  /** Starts HAProxy on `port` with these upstreams; resolves once both pools answer through it. */
  async function startProxy(port: number, upstreams: Record<string, string>): Promise<void> {
    const child = spawn('haproxy', ['-db', '-f', CONFIG], {
      env: { ...process.env, ...upstreams, PROXY_BIND: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    trackChild('haproxy', child);
    if (process.env.PROXY_DEBUG) child.stdout.on('data', (b: Buffer) => process.stderr.write(b));
    if (process.env.PROXY_DEBUG) child.stderr.on('data', (b: Buffer) => process.stderr.write(b));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const status = (u: string) =>
        fetch(u)
          .then(async (r) => {
            await r.body?.cancel();
            return r.status;
          })
          .catch(() => 0);
      // The gateway's health, and the hub's refusal of an anonymous subscriber: both pools up.
      const [gateway, hub] = await Promise.all([
        status(`${origin}/healthz`),
        status(`${origin}/.well-known/mercure?topic=x`),
      ]);
      if (gateway === 200 && hub === 401) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`HAProxy did not come up:\n${out}`);
  }

  beforeAll(async () => {
    const stream = `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`;
    for (let i = 0; i < 2; i++)
      hubs.push(await startTestHub({ publisherKey, subscriberKey, transportUrl: stream, anonymous: false }));
    // The public origin must be known before the gateways start (their hub URL is on it).
    const proxyPort = await freePort();
    origin = `http://127.0.0.1:${proxyPort}`;
    const userJwtKey = randomBytes(32).toString('hex');
    const catalogue = staticCatalogue([
      {
        id: sale,
        title: 'Proxy sale',
        mode: 'timed',
        currency: 'EUR',
        lots: [{ id: lot, lotNumber: '1', title: 'Lot', description: '', estimateLow: '', estimateHigh: '' }],
      },
    ]);
    for (let i = 0; i < 2; i++)
      gateways.push(
        tracked(
          `proxy gateway ${i + 1}`,
          await startGateway(
            redisGatewayConfig({
              redisPrefix: ns.prefix,
              hubUrl: `${origin}/.well-known/mercure`,
              stream,
              publisherKey,
              subscriberKey,
              userJwtKey,
              publicOrigin: origin,
            }),
            createLogger('gavel', 'silent'),
            { catalogue, clients: false },
          ),
        ),
      );
    await gateways[0]!.store!.configure(timedSetup(lot, Date.now(), { saleId: sale }));
    for (const b of ['alice', 'bob']) await gateways[0]!.store!.setEligibility(lot, b, 1_000_000);
    alice = await gateways[0]!.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    bob = await gateways[0]!.tokens.sign({ id: 'bob', role: 'bidder', name: 'Bob' });
    const hostPort = (url: string) => new URL(url).host;
    await startProxy(proxyPort, {
      GATEWAY_1: hostPort(gateways[0]!.url),
      GATEWAY_2: hostPort(gateways[1]!.url),
      HUB_1: hostPort(hubs[0]!.url),
      HUB_2: hostPort(hubs[1]!.url),
    });
  }, 90_000);
  afterAll(async () => {
    for (const g of gateways) await g.close();
    for (const h of hubs) await h.close();
    await ns.cleanup();
  });

  /** The hub cookie a bidder's POST /v1/hub-token sets, as the browser would send it back. */
  async function hubCookie(bearer: string): Promise<string> {
    const res = await fetch(`${origin}/v1/hub-token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}` },
    });
    expect(res.status).toBe(200);
    const set = res.headers.getSetCookie().find((c) => c.startsWith('mercureAuthorization='));
    expect(set).toBeDefined();
    expect(set).toMatch(/; Path=\/\.well-known\/mercure/);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Strict/);
    // Plain http here: Secure only behind TLS (gateway/routes/hub-token.test.ts).
    expect(set).not.toMatch(/; Secure/);
    return set!.split(';')[0]!;
  }

  it('serves the API and the hub on one origin, the hub cookie opening the stream', async () => {
    const t = makeTopics(gateways[1]!.config.topicBase);
    const topics = [t.sale(sale), t.bidder('alice')];
    // Anonymous subscribers are off on these hubs: without the cookie, 401 through the proxy.
    const refused = await connectSse(subscribeUrl(origin, topics));
    expect(refused.status).toBe(401);
    const cookie = await hubCookie(alice);
    const feed = await connectSse(subscribeUrl(origin, topics), { headers: { Cookie: cookie } });
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // A bid through the proxy (to either gateway) streams through it while the stream stays open.
    expect((await postBid(origin, lot, alice, { amount: '100.00' }, randomUUID())).status).toBe(201);
    const events = await feed.waitFor(1, 15_000);
    expect(events.map((e) => e.event)).toContain('auction');
    feed.close();
  }, 60_000);

  it('keeps answering when a gateway stops, and a subscriber resumes on the other hub', async () => {
    const t = makeTopics(gateways[1]!.config.topicBase);
    const cookie = await hubCookie(bob);
    const first = await connectSse(subscribeUrl(origin, [t.sale(sale)]), { headers: { Cookie: cookie } });
    expect(first.status).toBe(200);
    expect((await postBid(origin, lot, bob, { amount: '150.00' }, randomUUID())).status).toBe(201);
    const [seen] = (await first.waitFor(1, 15_000)).filter((e) => e.event === 'auction');
    expect(seen?.id).toBeTruthy();

    // Gateway 1 stops: every request still gets its answer (HAProxy retries on the other one).
    await gateways[0]!.close();
    const answers: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${origin}/v1/auctions/${lot}`);
      answers.push(res.status);
      await res.body?.cancel();
    }
    expect(answers).toEqual(Array.from({ length: 10 }, () => 200));

    // Hub 1 stops; a bid lands meanwhile; resuming from the last id seen, through the same origin,
    // replays it from the shared history (whichever hub answers).
    await hubs[0]!.close();
    first.close();
    const bid = await postBid(origin, lot, alice, { amount: '200.00' }, randomUUID());
    expect(bid.status).toBe(201);
    const resumed = await connectSse(subscribeUrl(origin, [t.sale(sale)], { lastEventID: seen!.id! }), {
      headers: { Cookie: cookie },
    });
    expect(resumed.status).toBe(200);
    const replayed = (await resumed.waitFor(1, 15_000)).filter((e) => e.event === 'auction');
    expect(JSON.parse(replayed[0]!.data)).toMatchObject({ auctionId: lot, price: '200.00' });
    resumed.close();
  }, 90_000);
});
