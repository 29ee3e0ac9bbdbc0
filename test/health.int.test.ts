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
  type GavelService,
  type GavelTopology,
} from '../tools/topology/index.ts';
import { DATABASE_URL } from './support/postgres.ts';
import { eventually } from './support/hub-redis.ts';

interface Ready {
  status: string;
  notReady?: string[];
  checks: Record<string, string>;
}

async function probe(s: GavelService, which: 'live' | 'ready'): Promise<{ status: number; body: Ready }> {
  const res = await fetch(`${s.url}/health/${which}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Ready };
}

/** What each service's readiness checks, by name. */
const CHECKS: Record<string, string[]> = {
  'hub-a': ['transport', 'streamReader'],
  bidding: ['redis'],
  orchestrator: ['redis', 'database'],
  'gateway-a': ['redis', 'engine'],
};
/** The checks that fail without Redis (everything here is on the one redis-server). */
const ON_REDIS: Record<string, string[]> = {
  'hub-a': ['transport', 'streamReader'],
  bidding: ['redis'],
  orchestrator: ['redis'],
  'gateway-a': ['redis'],
};

/**
 * Every service's liveness and readiness, in the distributed topology on a redis-server of its own:
 * ready with everything up; not ready (503, naming what) while Redis or the engine is gone, yet live;
 * ready again once they are back.
 */
describe('health checks of every service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gavel-health-'));
  const runner = new ProcessRunner({ logDir: join(dir, 'logs') });
  const db = ownDatabase(DATABASE_URL, `gavel_health_${process.pid}_${Date.now() % 100_000}`);
  let topo: GavelTopology;
  let keep = false;

  beforeAll(async () => {
    const port = await freePort();
    runner.add(redisServerSpec({ port, dir, appendfsync: 'everysec' }));
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
  }, 180_000);

  afterAll(async () => {
    await runner.shutdown();
    await db.drop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const failed = (): void =>
    onTestFailed(() => {
      keep = true;
      console.error(`the services' logs: ${runner.logDir}`);
    });

  it('are live and ready, naming every check', async () => {
    failed();
    for (const s of topo.all) {
      expect(await probe(s, 'live'), s.name).toEqual({ status: 200, body: { status: 'live' } });
      const ready = await probe(s, 'ready');
      expect(ready.status, s.name).toBe(200);
      expect(ready.body, s.name).toEqual({
        status: 'ready',
        checks: Object.fromEntries(CHECKS[s.name]!.map((c) => [c, 'ok'])),
      });
    }
  });

  it('are not ready without Redis, saying so, yet live; ready again when it is back', async () => {
    failed();
    await runner.get('redis').kill();
    for (const s of topo.all)
      await eventually(
        async () => {
          const ready = await probe(s, 'ready');
          expect(ready.status, s.name).toBe(503);
          expect(ready.body.status).toBe('not ready');
          expect(ready.body.notReady, s.name).toEqual(expect.arrayContaining(ON_REDIS[s.name]!));
          for (const c of ON_REDIS[s.name]!) expect(ready.body.checks[c], `${s.name} ${c}`).not.toBe('ok');
        },
        30_000,
        250,
      );
    for (const s of topo.all) expect((await probe(s, 'live')).status, s.name).toBe(200);
    await runner.get('redis').start();
    for (const s of topo.all)
      await eventually(async () => expect((await probe(s, 'ready')).status, s.name).toBe(200), 60_000, 250);
  }, 150_000);

  it('a gateway is not ready while the engine it routes to is gone', async () => {
    failed();
    const gateway = topo.gateways[0]!;
    await runner.get('bidding').stop();
    const ready = await probe(gateway, 'ready');
    expect(ready.status).toBe(503);
    expect(ready.body.notReady).toEqual(['engine']);
    expect(ready.body.checks.redis).toBe('ok');
    await runner.get('bidding').start();
    await eventually(async () => expect((await probe(gateway, 'ready')).status).toBe(200), 30_000, 250);
  }, 120_000);
});
