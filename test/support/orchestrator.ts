import { RedisBiddingStore, type BidDecision } from '../../bidding/index.ts';
import { UserTokens } from '../../common/auth.ts';
import { createLogger, type Logger } from '../../common/logger.ts';
import {
  orchestratorConfigFromEnv,
  startOrchestrator,
  type OrchestratorConfig,
  type RunningOrchestrator,
} from '../../orchestrator/index.ts';
import { tracked } from './registry.ts';
import { TEST_MASK_KEY } from './tokens.ts';
import { postgresSchema } from './postgres.ts';
import { REDIS_URL, redisNamespace } from './redis-namespace.ts';

export interface AdminAnswer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

/** A running orchestrator (real PostgreSQL schema, real Redis namespace) with an admin client. */
export interface TestBackOffice {
  orch: RunningOrchestrator;
  /** The engine's store on the same Redis namespace (place bids, read snapshots). */
  engine: RedisBiddingStore;
  /** Admin-API tokens (audience "admin", signed with TEST_JWT_KEY). */
  tokens: UserTokens;
  logger: Logger;
  pg: ReturnType<typeof postgresSchema>;
  ns: ReturnType<typeof redisNamespace>;
  /** An admin API call; `token: null` sends none. */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<AdminAnswer>;
  /** An admin API call that must succeed; its JSON body. */
  ok(method: string, path: string, body?: unknown): Promise<AdminAnswer['body']>;
  /** A bid straight into the engine (the gateway is not under test here), with a fresh key unless given. */
  bid(
    lotId: string,
    bidderId: string,
    amount: number,
    opts?: { max?: number; key?: string },
  ): Promise<BidDecision>;
  /** Waits until the ledger has every decision the engine made on the lot. */
  ledgerCaughtUp(lotId: string): Promise<void>;
  close(): Promise<void>;
}

export const TEST_JWT_KEY = 'orchestrator-test-key-0123456789abcdef0123456789';

/** Polls `probe` until it returns something other than undefined. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  withinMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Times far enough ahead that a sale set up with them stays scheduled while the test sets it up. */
export const LATER = { startsAt: iso(Date.now() + 3_600_000), endsAt: iso(Date.now() + 7_200_000) };

/**
 * Starts a scheduled timed sale now and ends it `endsInMs` from now; returns the end (ms). Set the
 * sale up with far times (LATER), then call this just before bidding: on a loaded machine the set-up
 * takes seconds, and a window counted from before it can be over before the first bid.
 */
export async function startSaleNow(
  t: Pick<TestBackOffice, 'ok'>,
  saleId: string,
  endsInMs: number,
): Promise<number> {
  const now = Date.now();
  await t.ok('PATCH', `/sales/${saleId}`, { startsAt: iso(now - 1000), endsAt: iso(now + endsInMs) });
  return now + endsInMs;
}

export async function startTestBackOffice(
  label: string,
  overrides: Partial<OrchestratorConfig> = {},
  /** Another database than a fresh schema (e.g. `postgresDatabaseOfItsOwn`, created by the caller). */
  database?: ReturnType<typeof postgresSchema>,
): Promise<TestBackOffice> {
  const ns = redisNamespace(label);
  const pg = database ?? postgresSchema(label);
  if (database === undefined) await pg.create();
  const logger = createLogger('orchestrator', (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent');
  const engine = new RedisBiddingStore({ redis: ns.connect(), prefix: ns.prefix });
  const orch = await startOrchestrator(
    {
      ...orchestratorConfigFromEnv({ REDIS_URL, REDIS_PREFIX: ns.prefix, GAVEL_MASK_KEY: TEST_MASK_KEY }),
      databaseUrl: pg.url,
      port: 0,
      ledgerPollMs: 10,
      logLevel: 'silent',
      userJwtKey: TEST_JWT_KEY,
      lifecycleTickMs: 50,
      ...overrides,
    },
    { db: pg.open(), logger },
  );
  const tokens = new UserTokens({ key: TEST_JWT_KEY, audience: 'admin' });
  const admin = await tokens.sign({ id: 'ops', role: 'admin', name: 'Ops' });
  let keys = 0;

  const api = async (
    method: string,
    path: string,
    body?: unknown,
    token: string | null = admin,
  ): Promise<AdminAnswer> => {
    const res = await fetch(`${orch.url!}/admin/v1${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as AdminAnswer['body'] };
  };
  return tracked(`back office ${label}`, {
    orch,
    engine,
    tokens,
    logger,
    pg,
    ns,
    api,
    async ok(method, path, body) {
      const a = await api(method, path, body);
      if (a.status >= 300) throw new Error(`${method} ${path} → ${a.status} ${JSON.stringify(a.body)}`);
      return a.body;
    },
    bid(lotId, bidderId, amount, opts = {}) {
      const key = opts.key ?? `${label}-${++keys}`;
      return engine.placeBid({
        auctionId: lotId,
        bidderId,
        amount,
        max: opts.max,
        idempotencyKey: key,
        source: 'api',
        // As the gateway would: the request id follows the bid into the ledger and its notifications.
        correlationId: `req-${key}`,
      });
    },
    async ledgerCaughtUp(lotId) {
      const target = (await engine.snapshot(lotId))?.lastSeq ?? 0;
      await until(`the ledger of ${lotId} at seq ${target}`, async () => {
        const rows = await orch.db.query<{ last_seq: unknown }>(
          'SELECT last_seq FROM ledger_cursors WHERE auction_id = $1',
          [lotId],
        );
        return Number(rows[0]?.last_seq ?? 0) >= target ? true : undefined;
      });
    },
    async close() {
      await orch.close();
      await pg.cleanup();
      await ns.cleanup();
    },
  });
}
