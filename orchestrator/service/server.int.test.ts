import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBiddingStore, RedisBiddingStore, type BiddingStore } from '../../bidding/back-office.ts';
import { ConfigError } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { pgliteDatabase, type Database } from '../ledger/db.ts';
import { MemoryDecisionSource } from '../ledger/decision-source.ts';
import {
  DEFAULT_DATA_DIR,
  embeddedLedgerConfigFromEnv,
  orchestratorConfigFromEnv,
  type OrchestratorConfig,
} from './config.ts';
import { startOrchestrator } from './server.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { TEST_MASK_KEY } from '../../test/support/tokens.ts';
import { freePort } from '../../test/support/net.ts';
import { postgresSchema } from '../../test/support/postgres.ts';
import { until } from '../../test/support/orchestrator.ts';
import { REDIS_URL, redisNamespace } from '../../test/support/redis-namespace.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ns = redisNamespace('orchestrator');
const pg = postgresSchema('orchestrator');
const logger = createLogger('orchestrator', (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent');
const temps: string[] = [];

beforeAll(async () => {
  await pg.create();
});
afterAll(async () => {
  await pg.cleanup();
  await ns.cleanup();
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'gavel-orch-'));
  temps.push(d);
  return d;
}

function config(overrides: Partial<OrchestratorConfig> = {}): OrchestratorConfig {
  return {
    ...orchestratorConfigFromEnv({ REDIS_URL, REDIS_PREFIX: ns.prefix, GAVEL_MASK_KEY: TEST_MASK_KEY }),
    port: 0,
    ledgerPollMs: 10,
    logLevel: 'silent',
    ...overrides,
  };
}

/** Three bids (two accepted, one refused) on a fresh auction of `store`; returns the auction id. */
async function placeBids(store: BiddingStore): Promise<string> {
  const id = `orch-${randomUUID().slice(0, 8)}`;
  await store.configure(timedSetup(id, Date.now(), { currency: 'GBP' }));
  for (const b of ['alice', 'bob']) await store.setEligibility(id, b, 1_000_000_000);
  const bid = (bidderId: string, amount: number, key: string) =>
    store.placeBid({ auctionId: id, bidderId, amount, idempotencyKey: key, source: 'api' });
  await bid('alice', 10_000, 'a1');
  await bid('bob', 15_000, 'b1');
  await bid('alice', 15_000, 'a2'); // not above the asking price: refused, still recorded
  return id;
}

/** Polls the ledger until the auction has `n` bids, for at most `withinMs` (generous: a loaded machine is slow). */
async function ledgerBids(
  db: Database,
  auctionId: string,
  n: number,
  withinMs = 20_000,
): Promise<{ seq: number; bidder_id: string; outcome: string; currency: string }[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const rows = await db.query<{ seq: number; bidder_id: string; outcome: string; currency: string }>(
      'SELECT seq, bidder_id, outcome, currency FROM bids WHERE auction_id = $1 ORDER BY seq',
      [auctionId],
    );
    if (rows.length >= n || Date.now() > deadline) {
      return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const EXPECTED = [
  { seq: 1, bidder_id: 'alice', outcome: 'accepted', currency: 'GBP' },
  { seq: 2, bidder_id: 'bob', outcome: 'accepted', currency: 'GBP' },
  { seq: 3, bidder_id: 'alice', outcome: 'rejected', currency: 'GBP' },
];

describe('startOrchestrator', () => {
  it('on PostgreSQL + Redis: migrates, then bids placed through a RedisBiddingStore reach the ledger', async () => {
    const orch = await startOrchestrator(config(), { db: pg.open(2), logger });
    try {
      expect(orch.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${orch.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const store = new RedisBiddingStore({ redis: ns.redis, prefix: ns.prefix });
      const id = await placeBids(store);
      expect(await ledgerBids(orch.db, id, 3)).toEqual(EXPECTED);
      // The lag settles at zero once the writer has caught up.
      await expect.poll(() => orch.writer.lastMeasuredLag.total, { timeout: 20_000 }).toBe(0);
      const metrics = await (await fetch(`${orch.url}/metrics`)).text();
      expect(metrics).toMatch(/^gavel_ledger_lag_entries 0$/m);
    } finally {
      await orch.close();
    }
  });

  it('on PGlite in a data folder with the in-process store: same, and the folder keeps the ledger', async () => {
    const dir = join(await tempDir(), 'pglite');
    const store = new MemoryBiddingStore();
    const orch = await startOrchestrator(config({ port: undefined, dataDir: dir }), {
      source: new MemoryDecisionSource(store),
      logger,
    });
    let id: string;
    try {
      expect(orch.url).toBeUndefined();
      expect(orch.where).toBe(`PGlite in ${dir}`);
      id = await placeBids(store);
      expect(await ledgerBids(orch.db, id, 3)).toEqual(EXPECTED);
    } finally {
      await orch.close();
    }
    // Reopened without a reset: the rows are still there, and no migration runs twice.
    const again = await startOrchestrator(config({ port: undefined, dataDir: dir }), {
      source: new MemoryDecisionSource(new MemoryBiddingStore()),
      logger,
    });
    try {
      expect(await ledgerBids(again.db, id, 3, 0)).toEqual(EXPECTED);
    } finally {
      await again.close();
    }
    // PGlite starts in seconds, twice here; many more on a loaded machine.
  }, 120_000);

  it('records on close what was decided since its last pass (the final pass)', async () => {
    const store = new MemoryBiddingStore();
    const db = await pgliteDatabase(); // in memory, owned by the test: readable after close
    try {
      const orch = await startOrchestrator(config({ port: undefined, ledgerPollMs: 60_000 }), {
        db,
        source: new MemoryDecisionSource(store),
        logger,
      });
      // The first pass has found nothing; the loop sleeps a minute.
      await expect.poll(() => orch.writer.passes, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
      const id = await placeBids(store);
      const source = new MemoryDecisionSource(store);
      expect(await source.auctions()).toEqual([id]);
      expect(await source.appended(id)).toBe(3);
      expect(await source.currency(id)).toBe('GBP');
      expect(await ledgerBids(db, id, 3, 0)).toEqual([]);
      await orch.close();
      expect(await ledgerBids(db, id, 3, 0)).toEqual(EXPECTED);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('refuses to start without a decision source', async () => {
    await expect(
      startOrchestrator(config({ redisUrl: undefined, port: undefined, dataDir: undefined }), { logger }),
    ).rejects.toThrow(/REDIS_URL/);
  });
});

describe('configuration', () => {
  it('has defaults: PGlite in .data/pglite, poll 200 ms, port 3003', () => {
    const c = orchestratorConfigFromEnv({
      REDIS_URL: 'redis://127.0.0.1:6379',
      GAVEL_MASK_KEY: TEST_MASK_KEY,
    });
    expect(c).toMatchObject({
      port: 3003,
      databaseUrl: undefined,
      dataDir: DEFAULT_DATA_DIR,
      redisPrefix: 'gavel',
      ledgerPollMs: 200,
      logLevel: 'info',
    });
    expect(
      orchestratorConfigFromEnv({
        REDIS_URL: 'redis://r:6379',
        DATABASE_URL: 'postgres://u@db/gavel',
        GAVEL_MASK_KEY: TEST_MASK_KEY,
      }),
    ).toMatchObject({ databaseUrl: 'postgres://u@db/gavel', dataDir: undefined });
    expect(embeddedLedgerConfigFromEnv({})).toEqual({
      enabled: true,
      dataDir: DEFAULT_DATA_DIR,
      ledgerPollMs: 200,
      adminPort: 3001,
      lifecycleTickMs: 250,
      // Lot images beside the PGlite folder (docs/media.md).
      media: { store: { kind: 'local', dir: '.data/media' }, maxImageBytes: 20 * 1024 * 1024, maxFiles: 10 },
    });
    expect(embeddedLedgerConfigFromEnv({ GAVEL_LEDGER: 'false', GAVEL_DATA_DIR: '/tmp/x' })).toMatchObject({
      enabled: false,
      dataDir: '/tmp/x',
    });
  });

  it('refuses bad values with one message naming each variable', () => {
    const bad = () =>
      orchestratorConfigFromEnv({
        DATABASE_URL: 'mysql://db/gavel',
        REDIS_PREFIX: 'has space',
        LEDGER_POLL_MS: '0',
        LOG_LEVEL: 'loud',
      });
    expect(bad).toThrow(ConfigError);
    let message = '';
    try {
      bad();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL');
    expect(message).toContain('REDIS_URL: REDIS_URL is required');
    expect(message).toContain('REDIS_PREFIX');
    expect(message).toContain('LEDGER_POLL_MS: expected an integer in [1, 60000], got "0"');
    expect(message).toContain('LOG_LEVEL');
    expect(() => embeddedLedgerConfigFromEnv({ GAVEL_LEDGER: 'maybe' })).toThrow(
      /GAVEL_LEDGER: expected a boolean/,
    );
  });
});

describe('npm run orchestrator', () => {
  it('starts as a child process, answers /healthz, writes the ledger, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = join(await tempDir(), 'pglite');
    const child = spawn(process.execPath, ['--import', 'tsx', 'orchestrator/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        REDIS_URL,
        REDIS_PREFIX: ns.prefix,
        GAVEL_DATA_DIR: dataDir,
        DATABASE_URL: '',
        LEDGER_POLL_MS: '20',
        GAVEL_MASK_KEY: TEST_MASK_KEY,
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let id: string | undefined;
    try {
      // tsx and PGlite start in seconds, many more on a loaded machine.
      let ok = false;
      const deadline = Date.now() + 120_000;
      while (!ok && child.exitCode === null && Date.now() < deadline) {
        ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ok) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ok).toBe(true);
      id = await placeBids(new RedisBiddingStore({ redis: ns.redis, prefix: ns.prefix }));
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      // The writer inside the child has applied the three decisions (its own counter says so).
      await until(
        'the child’s ledger writer applied the bids',
        async () => {
          const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const applied = Number(/^gavel_ledger_entries_applied (\d+)$/m.exec(metrics)?.[1] ?? 0);
          return applied >= 3 ? true : undefined;
        },
        60_000,
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    // The process has let go of its data folder: the bids are in it.
    const db = await pgliteDatabase({ dataDir });
    try {
      expect(await ledgerBids(db, id, 3, 0)).toEqual(EXPECTED);
    } finally {
      await db.close();
    }
  }, 240_000);
});
