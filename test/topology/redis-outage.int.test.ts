import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  freePort,
  gavelTopology,
  ownDatabase,
  ProcessRunner,
  redisServerSpec,
  type GavelTopology,
  type ManagedProcess,
} from '../../tools/topology/index.ts';
import { AdminClient, createTimedSale } from '../../tools/chaos/sale.ts';
import { TokenMint } from '../../tools/chaos/tokens.ts';
import { eventually, sleep } from '../support/hub-redis.ts';

/** The ioredis clients each service has (common/redis.ts's `client` names). */
const CLIENTS: Record<string, string[]> = {
  'hub-a': ['hub-transport', 'hub-reader'],
  // The engine publishes into the hubs' stream on its own connection when both are on one server.
  bidding: ['engine'],
  orchestrator: ['engine', 'hub-stream'],
  'gateway-a': ['gateway'],
};
const LOST = /^redis (connection lost|unreachable)/;
const RESTORED = /^redis connection restored/;

interface LogLine {
  level: string;
  msg: string;
  redisClient?: string;
  failedAttempts?: number;
}

/** The lines a process printed after `mark`: each parsed, or the raw line where it is not JSON. */
function linesAfter(p: ManagedProcess, mark: number): (LogLine | string)[] {
  const all = p.recentLines();
  return all.slice(Math.max(0, all.length - (p.mark() - mark))).map((l) => {
    try {
      const v = JSON.parse(l) as unknown;
      return typeof v === 'object' && v !== null ? (v as LogLine) : l;
    } catch {
      return l;
    }
  });
}

async function metric(url: string, name: string, client: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name}\\{client="${client}"\\} (\\d+)`, 'm').exec(text);
  return m === null ? NaN : Number(m[1]);
}

/**
 * Every service on its own redis-server, which is SIGKILLed mid-sale and started again: each
 * service's output stays JSON, and each Redis client says once that it lost Redis and once that it
 * is back — not once per reconnect attempt — and shows it in gavel_redis_up / gavel_redis_outages_total.
 */
describe('a Redis outage in every service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gavel-outage-'));
  const runner = new ProcessRunner({ logDir: join(dir, 'logs') });
  const db = ownDatabase(
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    `gavel_outage_${process.pid}_${Date.now() % 100_000}`,
  );
  let topo: GavelTopology;
  /** The processes' logs stay when a test fails (the failure names the folder). */
  let keep = false;
  let bid: (key: string) => Promise<number>;

  beforeAll(async () => {
    const port = await freePort();
    runner.add(redisServerSpec({ port, dir, appendfsync: 'always' }));
    await db.create();
    topo = await gavelTopology({
      redisUrl: `redis://127.0.0.1:${port}`,
      databaseUrl: db.url,
      hubs: 1,
      gateways: 1,
      restartOnCrash: false,
    });
    for (const s of topo.all) runner.add(s.spec);
    await runner.start('redis');
    for (const wave of topo.waves) await runner.start(...wave);
    // An open lot, so the back office's loops and the engine are at work on Redis when it goes.
    const mint = new TokenMint(topo.secrets);
    const admin = new AdminClient(topo.orchestrator.url, () => mint.user('ops', 'admin'));
    await createTimedSale(admin, {
      saleId: 'outage-sale',
      lotIds: ['outage-lot'],
      bidderIds: ['outage-bidder'],
      currency: 'EUR',
      opening: 1000,
      step: 100,
      startsAt: Date.now(),
      endsAt: Date.now() + 3_600_000,
      softCloseSeconds: 0,
    });
    const token = await mint.user('outage-bidder', 'bidder');
    // One amount per key: a retry is the same bid.
    const amounts = new Map<string, number>();
    bid = async (key) => {
      if (!amounts.has(key)) amounts.set(key, 1100 + 100 * amounts.size);
      const res = await fetch(`${topo.gateways[0]!.url}/v1/auctions/outage-lot/bids`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': key,
        },
        body: JSON.stringify({ amount: (amounts.get(key)! / 100).toFixed(2) }),
      });
      await res.body?.cancel();
      return res.status;
    };
    // The sale clock opens the lot (a bid before that is answered NOT_STARTED, for good under its key).
    await eventually(
      async () => {
        const res = await fetch(`${topo.gateways[0]!.url}/v1/auctions/outage-lot`);
        expect(((await res.json()) as { auction?: { status: string } }).auction?.status).toBe('open');
      },
      30_000,
      250,
    );
    expect(await bid('before')).toBe(201);
    // Its update has been published (the snapshot's resume point moved): nothing is left to publish when Redis goes.
    await eventually(
      async () => {
        const res = await fetch(`${topo.gateways[0]!.url}/v1/auctions/outage-lot`);
        expect(((await res.json()) as { hub?: { lastEventId: string } }).hub?.lastEventId).toMatch(
          /^urn:gavel:auction:/,
        );
      },
      30_000,
      100,
    );
  }, 180_000);

  afterAll(async () => {
    await runner.shutdown();
    await db.drop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('logs one line when Redis goes and one when it is back, per client, and nothing else but JSON', async () => {
    onTestFailed(() => {
      keep = true;
      console.error(`the services' logs: ${runner.logDir}`);
    });
    const services = Object.keys(CLIENTS).map((n) => runner.get(n));
    const marks = new Map(services.map((s) => [s.name, s.mark()]));
    const redis = runner.get('redis');
    await redis.kill();

    // Every client noticed (a positive signal), and the metrics say so.
    for (const s of services)
      for (const client of CLIENTS[s.name]!)
        await s.waitForLine(
          new RegExp(`"redisClient":"${client}".*"msg":"redis (connection lost|unreachable)`),
          {
            after: marks.get(s.name)!,
            timeoutMs: 30_000,
          },
        );
    await eventually(async () => {
      expect(await metric(topo.orchestrator.url, 'gavel_redis_up', 'engine')).toBe(0);
      expect(await metric(topo.hubs[0]!.metricsUrl, 'gavel_redis_up', 'hub-reader')).toBe(0);
    }, 10_000);
    // Bids meanwhile, a bidder retrying: refused with a retryable answer, never accepted without Redis.
    for (let i = 0; i < 3; i++) expect(await bid('during')).toBeGreaterThanOrEqual(500);
    // An outage of a few seconds: several reconnect attempts (counted below), and the loops' passes.
    await sleep(4000);

    await redis.start();
    for (const s of services)
      for (const client of CLIENTS[s.name]!)
        await s.waitForLine(new RegExp(`"redisClient":"${client}".*"msg":"redis connection restored`), {
          after: marks.get(s.name)!,
          timeoutMs: 30_000,
        });
    // Back in business: a bid is accepted again (the retry of the one refused during the outage).
    await eventually(async () => expect(await bid('during')).toBe(201), 30_000, 250);
    expect(await metric(topo.orchestrator.url, 'gavel_redis_up', 'engine')).toBe(1);
    expect(await metric(topo.orchestrator.url, 'gavel_redis_outages_total', 'engine')).toBe(1);
    expect(await metric(topo.hubs[0]!.metricsUrl, 'gavel_redis_outages_total', 'hub-reader')).toBe(1);

    for (const s of services) {
      const lines = linesAfter(s, marks.get(s.name)!);
      // Every line structured: no "[ioredis] Unhandled error event" and no stack traces.
      expect(
        lines.filter((l) => typeof l === 'string'),
        s.name,
      ).toEqual([]);
      const json = lines as LogLine[];
      for (const client of CLIENTS[s.name]!) {
        const mine = json.filter((l) => l.redisClient === client);
        expect(
          mine.filter((l) => LOST.test(l.msg)),
          `${s.name} ${client}`,
        ).toHaveLength(1);
        const back = mine.filter((l) => RESTORED.test(l.msg));
        expect(back, `${s.name} ${client}`).toHaveLength(1);
        // It did retry meanwhile, many times (ioredis: 50 ms more after each), without a line per attempt.
        expect(back[0]!.failedAttempts, `${s.name} ${client}`).toBeGreaterThanOrEqual(10);
      }
      // Not a flood: no other warning or error is repeated during the outage.
      const byMsg = new Map<string, LogLine[]>();
      for (const l of json)
        if ((l.level === 'warn' || l.level === 'error') && l.redisClient === undefined)
          byMsg.set(l.msg, [...(byMsg.get(l.msg) ?? []), l]);
      expect(
        [...byMsg].filter(([, ls]) => ls.length > 1),
        s.name,
      ).toEqual([]);
    }
  }, 180_000);
});
