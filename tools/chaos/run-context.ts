/**
 * The state one chaos run carries through its phases (phases/): its options, log, seeded randomness,
 * process runner, database, screens and the report the phases fill in — and how it is opened and
 * closed (every process stopped, the database dropped, the logs kept when anything failed).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prng } from '../../test/support/random.ts';
import { ownDatabase, ProcessRunner } from '../topology/index.ts';
import { emptyReport, type ChaosOptions, type ChaosReport } from './report.ts';
import type { ChaosSubscriber } from './subscriber.ts';

export const CURRENCY = 'EUR';
export const STEP = 100;
export const OPENING = 1000;
/**
 * The lots' soft close: a price-moving bid in the last 20 s moves the end to 20 s after it. The lots
 * end when the bidding does (however long slow restarts make it), and the last bid — the final
 * burst's — leaves 20 s for the convergence check before they close.
 */
export const SOFT_CLOSE_S = 20;

export interface ChaosRun {
  readonly opts: ChaosOptions;
  readonly began: number;
  /** Progress on the run's log, prefixed with the time since it began. */
  readonly log: (m: string) => void;
  readonly rng: ReturnType<typeof prng>;
  /** Prefixes the sale's, lots' and bidders' ids and the database's name. */
  readonly runId: string;
  /** Logs and Redis files; removed at the end unless a check failed or `keep`. */
  readonly dir: string;
  readonly redisDir: string;
  readonly procs: ProcessRunner;
  readonly db: ReturnType<typeof ownDatabase>;
  /** The screens, opened by the sale phase, stopped by closeRun. */
  readonly subscribers: ChaosSubscriber[];
  readonly report: ChaosReport;
}

/** A fresh run: its directory, process runner (with Ctrl-C handling) and database name; nothing started yet. */
export function openRun(opts: ChaosOptions): ChaosRun {
  const began = Date.now();
  const elapsed = (): string => `+${((Date.now() - began) / 1000).toFixed(1)}s`;
  const log = (m: string): void => opts.log(`[chaos ${elapsed()}] ${m}`);
  const runId = `c${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'gavel-chaos-'));
  const redisDir = join(dir, 'redis');
  mkdirSync(redisDir);
  const procs = new ProcessRunner({ logDir: join(dir, 'logs') });
  procs.on('exit', (e: { name: string; unexpected: boolean; code: number | null; signal: string | null }) => {
    if (e.unexpected)
      log(`!! ${e.name} exited on its own (code ${e.code}, signal ${e.signal}); starting it again`);
  });
  const db = ownDatabase(opts.postgresUrl, `gavel_chaos_${runId}`);
  // Ctrl-C: every process stopped, the database dropped, the logs kept.
  procs.handleSignals(async () => {
    await db.drop().catch(() => undefined);
    log(`interrupted; logs in ${procs.logDir}`);
  });
  return {
    opts,
    began,
    log,
    rng: prng(opts.seed),
    runId,
    dir,
    redisDir,
    procs,
    db,
    subscribers: [],
    report: emptyReport(opts),
  };
}

/** A phase threw: the run is a failure with the error's stack as its reason. */
export function runFailed(run: ChaosRun, err: unknown): void {
  run.report.failures.push(
    `the run could not complete: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
}

/** Stops the screens and every process, drops the database, and completes the report. */
export async function closeRun(run: ChaosRun): Promise<ChaosReport> {
  const { report } = run;
  await Promise.all(run.subscribers.map((s) => s.stop()));
  await run.procs.shutdown();
  await run.db
    .drop()
    .catch((err: unknown) => report.failures.push(`could not drop the run's database: ${String(err)}`));
  report.crashes = run.procs.crashes();
  report.ok = report.failures.length === 0;
  report.elapsedS = Math.round((Date.now() - run.began) / 100) / 10;
  if (report.ok && !run.opts.keep) rmSync(run.dir, { recursive: true, force: true });
  else report.logDir = run.dir;
  return report;
}
