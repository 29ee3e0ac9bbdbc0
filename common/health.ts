/**
 * Liveness and readiness, the same on every service:
 * - `GET /health/live`: the process answers (its event loop turns) — 200, nothing else checked. An
 *   orchestrator restarts a process that stops answering this.
 * - `GET /health/ready`: whatever the service needs to do its work answers now (Redis, PostgreSQL,
 *   the engine, the hub's stream reader caught up…) — 200, or 503 with a JSON body naming what is
 *   not ready. A load balancer sends no traffic to an instance that is not ready.
 * `/healthz` stays as it was on each service (the earlier probe; tools and tests poll it).
 */
import { Hono } from 'hono';

/** One named dependency: resolves (to anything but `false`) when ready; rejects or `false` when not. */
export type ReadinessCheck = () => Promise<unknown>;
export type ReadinessChecks = Record<string, ReadinessCheck>;

export interface Readiness {
  ready: boolean;
  /** Every check: `ok`, or why it is not ready. */
  checks: Record<string, string>;
  /** The names of the checks that are not ready. */
  notReady: string[];
}

/** A check slower than this counts as not ready (a probe must answer well within its own timeout). */
export const READINESS_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      check().then(
        (v) => (v === false ? 'not ready' : 'ok'),
        (err: unknown) => (err instanceof Error ? err.message : String(err)) || 'failed',
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded by `timeoutMs`. */
export async function readiness(
  checks: ReadinessChecks,
  timeoutMs: number = READINESS_TIMEOUT_MS,
): Promise<Readiness> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((n) => runCheck(checks[n]!, timeoutMs)));
  const out = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
  const notReady = names.filter((n) => out[n] !== 'ok');
  return { ready: notReady.length === 0, checks: out, notReady };
}

/**
 * `/health/live` and `/health/ready` for a service; `checks` is read at each probe (a getter, so a
 * dependency wired after the routes — the embedded back office — joins when it exists).
 */
export function healthRoutes(
  checks: ReadinessChecks | (() => ReadinessChecks),
  opts: { timeoutMs?: number } = {},
): Hono {
  const app = new Hono();
  app.get('/health/live', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'live' });
  });
  app.get('/health/ready', async (c) => {
    const r = await readiness(typeof checks === 'function' ? checks() : checks, opts.timeoutMs);
    c.header('Cache-Control', 'no-store');
    return r.ready
      ? c.json({ status: 'ready', checks: r.checks }, 200)
      : c.json({ status: 'not ready', notReady: r.notReady, checks: r.checks }, 503);
  });
  return app;
}
