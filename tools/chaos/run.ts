/**
 * One chaos run: the distributed topology as processes on this machine, a timed sale, bidders and
 * screens, SIGKILLs one at a time — and then the comparisons. See main.ts for the command line.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { prng } from '../../test/support/random.ts';
import {
  gavelTopology,
  ownDatabase,
  ProcessRunner,
  freePort,
  redisServerSpec,
  sleep,
  type AppendFsync,
  type GavelTopology,
} from '../topology/index.ts';
import { placeBid, type BidRecord } from './bids.ts';
import {
  checkSeqs,
  checkWinners,
  compareLedger,
  compareScreens,
  SCREEN_FIELDS,
  type LotResult,
  type StaleScreen,
} from './checks.ts';
import { finalBurst } from './final-burst.ts';
import { emptyReport, type ChaosOptions, type ChaosReport, type KillRecord } from './report.ts';
import { ledgerCursors, readLedger } from './ledger.ts';
import { AdminClient, createTimedSale, saleResults } from './sale.ts';
import { ChaosSubscriber, type AuctionState } from './subscriber.ts';
import { TokenMint } from './tokens.ts';

/** What the run proves by default: the fsync policy docker-compose.yml deploys (test/chaos-compose.test.ts holds them together). */
export const DEFAULT_APPENDFSYNC: AppendFsync = 'always';

export const KILL_ORDER = ['gateway', 'bidding', 'hub', 'orchestrator', 'redis'] as const;
type KillTarget = (typeof KILL_ORDER)[number];

const CURRENCY = 'EUR';
const STEP = 100;
const OPENING = 1000;
/**
 * The lots' soft close: a price-moving bid in the last 20 s moves the end to 20 s after it. The lots
 * end when the bidding does (however long slow restarts make it), and the last bid — the final
 * burst's — leaves 20 s for the convergence check before they close.
 */
const SOFT_CLOSE_S = 20;

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const began = Date.now();
  const elapsed = (): string => `+${((Date.now() - began) / 1000).toFixed(1)}s`;
  const log = (m: string): void => opts.log(`[chaos ${elapsed()}] ${m}`);
  const rng = prng(opts.seed);
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
  const subscribers: ChaosSubscriber[] = [];
  const report = emptyReport(opts);
  const { failures, evidence } = report;
  try {
    // ---- the topology ------------------------------------------------------------------------
    const redisPort = await freePort();
    procs.add(
      redisServerSpec({ name: 'redis', port: redisPort, dir: redisDir, appendfsync: opts.appendfsync }),
    );
    await db.create();
    const topo = await gavelTopology({
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      databaseUrl: db.url,
      // The sale clock at its default pace; the ledger a little quicker than the default 200 ms.
      env: {
        orchestrator: { LEDGER_POLL_MS: '100' },
        gateway: { RATE_LIMIT_PER_SECOND: '20', RATE_LIMIT_BURST: '40' },
      },
    });
    for (const s of topo.all) procs.add(s.spec);
    log(
      `starting redis-server (appendfsync ${opts.appendfsync}) and ${topo.all.length} services; logs in ${procs.logDir}`,
    );
    await procs.start('redis');
    for (const wave of topo.waves) await procs.start(...wave);
    log('topology ready');

    // ---- the sale ----------------------------------------------------------------------------
    const mint = new TokenMint(topo.secrets);
    const admin = new AdminClient(topo.orchestrator.url, () => mint.user('chaos-admin', 'admin'));
    const saleId = `${runId}-sale`;
    const lots = Array.from({ length: opts.lots }, (_, i) => `${runId}-lot${i + 1}`);
    const bidders = Array.from(
      { length: opts.bidders },
      (_, i) => `${runId}-b${String(i + 1).padStart(3, '0')}`,
    );
    // Set-up takes a few seconds per dozen bidders on a loaded machine; bidding past this end extends it (soft close).
    const startsAt = Date.now() + 1000;
    const endsAt = Date.now() + 10_000 + opts.bidders * 400 + opts.durationS * 1000;
    await createTimedSale(admin, {
      saleId,
      lotIds: lots,
      bidderIds: bidders,
      currency: CURRENCY,
      opening: OPENING,
      step: STEP,
      startsAt,
      endsAt,
      softCloseSeconds: SOFT_CLOSE_S,
    });
    const tokens = new Map<string, string>();
    for (const b of bidders) tokens.set(b, await mint.user(b, 'bidder'));
    const gateways = topo.gateways.map((g) => g.url);
    await waitFor('the lots to open', 30_000, async () => {
      for (const lot of lots) if ((await snapshot(gateways, lot))?.status !== 'open') return false;
      return true;
    });
    log(`sale ${saleId} open: ${lots.length} lots, ${bidders.length} bidders`);

    // ---- screens -----------------------------------------------------------------------------
    const topics = lots.map((l) => `https://gavel.local/auctions/${l}`);
    const subToken = await mint.subscriber(topics);
    for (const hub of topo.hubs)
      for (let i = 0; i < opts.subscribersPerHub; i++)
        subscribers.push(new ChaosSubscriber(`${hub.name}#${i + 1}`, hub.mercureUrl, topics, subToken));
    await Promise.all(subscribers.map((s) => s.start()));

    // ---- bidding with kills ------------------------------------------------------------------
    const asking = new Map(lots.map((l) => [l, OPENING]));
    const onAsking = (lot: string, a: number): void => {
      if (a > (asking.get(lot) ?? 0)) asking.set(lot, a);
    };
    const tried: BidRecord[] = [];
    let keyCounter = 0;
    const newBid = (bidder: string, lot: string, amount: number): BidRecord => {
      const rec: BidRecord = {
        bidder,
        lot,
        key: `${runId}-k${++keyCounter}`,
        amount,
        sentAt: Date.now(),
        attempts: 0,
        outcome: 'pending',
        retriedOn: [],
      };
      tried.push(rec);
      return rec;
    };
    const bidOpts = { gateways, deadlineMs: 90_000, onAsking };
    const phaseStart = Date.now();
    const plannedEnd = phaseStart + opts.durationS * 1000;
    // Bidding goes on until the planned end and the last kill's restart, whichever is later.
    let killsDone = opts.kills === 0;
    log(`bidding for ${opts.durationS} s at ~${opts.rate} bids/s with ${opts.kills} kills`);
    const thinkMs = (1000 * opts.bidders) / Math.max(1, opts.rate);
    const bidderLoop = async (bidder: string): Promise<void> => {
      await sleep(rng.next() * thinkMs);
      while ((Date.now() < plannedEnd || !killsDone) && (opts.bids === 0 || tried.length < opts.bids)) {
        const lot = rng.pick(lots);
        await placeBid(
          newBid(bidder, lot, asking.get(lot)! + rng.int(0, 2) * STEP),
          tokens.get(bidder)!,
          bidOpts,
        );
        await sleep(thinkMs * (0.5 + rng.next()));
      }
    };
    const kills: KillRecord[] = [];
    const instance = new Map<KillTarget, number>();
    const killLoop = async (): Promise<void> => {
      for (let i = 0; i < opts.kills; i++) {
        // Evenly spread over the planned time; behind schedule (slow restarts), a second of bidding between kills.
        const at = phaseStart + ((i + 0.5) * (plannedEnd - phaseStart)) / opts.kills;
        await sleep(Math.max(1000 * Math.min(i, 1), at - Date.now()));
        const target = KILL_ORDER[i % KILL_ORDER.length]!;
        const n = instance.get(target) ?? 0;
        instance.set(target, n + 1);
        const name = processOf(topo, target, n);
        kills.push(await killAndRestart(procs, name, 300 + rng.int(0, 1200), tried, phaseStart, log));
      }
      killsDone = true;
    };
    await Promise.all([...bidders.map(bidderLoop), killLoop()]);
    const phaseEnd = Date.now();
    log(
      `bidding done: ${tried.length} bids, ${tried.filter((b) => b.outcome === 'accepted').length} accepted`,
    );

    // ---- the final burst, the engine killed in it, no further bid ---------------------------
    const { report: fb, bids: burst } = await finalBurst({
      lots,
      perLot: opts.burst,
      engine: procs.get(topo.bidding.name),
      redisPort,
      // Never the lot's leader: their higher bid would raise their maximum, not the price.
      newBid: (lot, amount) =>
        newBid(rng.pick(bidders.filter((b) => b !== leaderOf(tried, lot))), lot, amount),
      asking: (lot) => asking.get(lot)!,
      step: STEP,
      token: (b) => tokens.get(b)!,
      bidOptions: bidOpts,
      downMs: () => 300 + rng.int(0, 700),
      attempts: 3,
      log,
    });
    const engineBack = fb.engineBack;
    if (fb.windowHit.length === 0)
      log(
        '!! no kill landed between a top bid and its publication: convergence is checked, the republish path is not',
      );
    const closedEarly = burst.filter((b) => b.code === 'CLOSED' || b.code === 'NOT_STARTED').length;
    if (closedEarly > 0)
      failures.push(
        `${closedEarly} final-burst bid(s) found the lot not open: the run did not test a live lot's end`,
      );

    // ---- the ledger catches up -----------------------------------------------------------------
    const ledgerDb = new pg.Client({ connectionString: db.url });
    await ledgerDb.connect();
    try {
      const engineSeq = async (): Promise<Map<string, number>> => {
        const out = new Map<string, number>();
        for (const lot of lots) out.set(lot, (await snapshot(gateways, lot))?.seq ?? 0);
        return out;
      };
      const lastSeqs = await engineSeq();
      await waitFor('the ledger to hold every decision', 60_000, async () => {
        const at = await ledgerCursors(ledgerDb);
        return lots.every((l) => (at.get(l) ?? 0) >= lastSeqs.get(l)!);
      }).catch((err: unknown) => failures.push(String(err)));

      // ---- every screen converges on the snapshot -------------------------------------------
      // Before the lots close (the soft close keeps them open 20 s after the final burst's top bid).
      const lotsEnd = Math.min(
        ...(await Promise.all(
          lots.map(async (l) => Date.parse((await snapshot(gateways, l))?.endsAt ?? '')),
        )),
      );
      const convergeBy = Math.min(
        engineBack + opts.convergeWithinS * 1000,
        (Number.isNaN(lotsEnd) ? Infinity : lotsEnd) - 1000,
      );
      const screens = await converge(subscribers, gateways, lots, convergeBy, SCREEN_FIELDS);
      const convergedAfterMs = screens.stale.length === 0 ? screens.at - engineBack : null;
      if (screens.stale.length > 0) {
        failures.push(
          `${screens.stale.length} screen(s) still differ from the snapshot ${((convergeBy - engineBack) / 1000).toFixed(1)} s after the engine came back from the final kill (no further bid)`,
        );
        evidence.stale = screens.stale.slice(0, 10);
      }
      log(
        screens.stale.length === 0
          ? `screens converged ${convergedAfterMs} ms after the engine came back`
          : `!! ${screens.stale.length} screen/lot pairs stale: ${JSON.stringify(screens.stale.slice(0, 2))}`,
      );

      // ---- the lots close; the back office's results -------------------------------------------
      let results: LotResult[] = [];
      await waitFor('every lot to be finalised', SOFT_CLOSE_S * 1000 + 60_000, async () => {
        results = await saleResults(admin, saleId);
        return lots.every((l) => results.some((r) => r.lotId === l));
      }).catch((err: unknown) => failures.push(String(err)));
      log(`results: ${JSON.stringify(results.map((r) => [r.lotId, r.outcome, r.hammer, r.buyer]))}`);
      const afterClose = await converge(subscribers, gateways, lots, Date.now() + 5000, SCREEN_FIELDS);
      if (afterClose.stale.length > 0) {
        failures.push(`${afterClose.stale.length} screen(s) differ from the snapshot after the lots closed`);
        evidence.staleAfterClose = afterClose.stale.slice(0, 10);
      }

      // ---- the ledger against what the clients were told ----------------------------------------
      const finalSeqs = await engineSeq();
      const { bids: ledgerRows, seqs: ledgerSeqs } = await readLedger(ledgerDb, lots);
      const findings = compareLedger(tried, ledgerRows);
      const seqs = checkSeqs(ledgerSeqs, finalSeqs);
      const winners = checkWinners(lots, ledgerRows, tried, results);
      const strictLoss = opts.appendfsync === 'always';
      const lossChecks: [string, { count: number; examples: unknown[] }][] = [
        ['acknowledged bid(s) lost (not in the ledger exactly once as accepted)', findings.lost],
        ['bid(s) told refused but accepted in the ledger', findings.contradicted],
      ];
      for (const [what, f] of lossChecks) {
        if (f.count === 0) continue;
        if (strictLoss) failures.push(`${f.count} ${what}`);
        evidence[what] = f.examples;
      }
      if (findings.doubled.count > 0) {
        failures.push(`${findings.doubled.count} idempotency key(s) with more than one ledger row`);
        evidence.doubled = findings.doubled.examples;
      }
      if (findings.phantom.count > 0) {
        failures.push(`${findings.phantom.count} accepted ledger row(s) no client sent`);
        evidence.phantom = findings.phantom.examples;
      }
      if (seqs.count > 0) {
        (strictLoss ? failures : []).push(
          `${seqs.count} seq problem(s) (gaps, repeats, beyond the engine's)`,
        );
        evidence.seqs = seqs.gaps;
      }
      if (winners.wrong.length > 0) {
        (strictLoss ? failures : []).push(
          `${winners.wrong.length} lot(s) whose result is not the highest accepted bid`,
        );
        evidence.winners = winners.wrong;
      }
      const unresolved = tried.filter((b) => b.outcome !== 'accepted' && b.outcome !== 'refused');
      if (unresolved.length > 0) {
        failures.push(`${unresolved.length} bid(s) never got a definite answer`);
        evidence.unresolved = unresolved.slice(0, 10);
      }
      if (convergedAfterMs === null && screens.stale.length === 0) failures.push('convergence not measured');

      const refused: Record<string, number> = {};
      for (const b of tried) if (b.outcome === 'refused') refused[b.code!] = (refused[b.code!] ?? 0) + 1;
      const phaseBids = tried.length - burst.length;
      report.bids = {
        sent: tried.length,
        accepted: tried.filter((b) => b.outcome === 'accepted').length,
        refused,
        unresolved: unresolved.length,
        retried: tried.filter((b) => b.attempts > 1).length,
        attemptsMax: Math.max(0, ...tried.map((b) => b.attempts)),
        perSecond: Math.round((phaseBids / Math.max(1, phaseEnd - phaseStart)) * 10_000) / 10,
      };
      report.kills = kills;
      report.finalBurst = {
        attempts: fb.attempts,
        bids: fb.bids,
        acceptedBeforeKill: fb.acceptedBeforeKill,
        accepted: fb.accepted,
        killedAtS: Math.round((fb.killedAt - phaseStart) / 100) / 10,
        killTrigger: fb.killTrigger,
        windowHit: fb.windowHit,
        engineBackAfterMs: fb.engineBack - fb.killedAt,
      };
      report.ledger = {
        rows: findings.rows,
        accepted: findings.accepted,
        lost: findings.lost.count,
        doubled: findings.doubled.count,
        phantom: findings.phantom.count,
        contradicted: findings.contradicted.count,
        seqProblems: seqs.count,
      };
      report.winners = { checked: winners.checked, wrong: winners.wrong.length };
      report.screens = {
        subscribers: subscribers.length,
        events: sum(subscribers.map((s) => s.stats.events)),
        reconnects: sum(subscribers.map((s) => s.stats.reconnects)),
        earliest: sum(subscribers.map((s) => s.stats.earliest)),
        regressions: sum(subscribers.map((s) => s.stats.regressions)),
        converged: screens.stale.length === 0,
        convergedAfterMs,
        stale: screens.stale.length,
        convergedAfterClose: afterClose.stale.length === 0,
        staleAfterClose: afterClose.stale.length,
      };
      if (!strictLoss) {
        const redisKills = kills.filter((k) => k.target === 'redis');
        report.lossWindow = {
          redisKills: redisKills.length,
          lost: findings.lost.count,
          acceptedInLastSecondBeforeKill: redisKills.map((k) => k.acceptedInLastSecond),
        };
      }
      if (report.screens.regressions > 0)
        failures.push(`${report.screens.regressions} update(s) older than a screen's state`);
    } finally {
      await ledgerDb.end();
    }
  } catch (err) {
    failures.push(
      `the run could not complete: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  } finally {
    await Promise.all(subscribers.map((s) => s.stop()));
    await procs.shutdown();
    await db
      .drop()
      .catch((err: unknown) => failures.push(`could not drop the run's database: ${String(err)}`));
  }
  report.crashes = procs.crashes();
  report.ok = failures.length === 0;
  report.elapsedS = Math.round((Date.now() - began) / 100) / 10;
  if (report.ok && !opts.keep) rmSync(dir, { recursive: true, force: true });
  else report.logDir = dir;
  return report;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Who leads a lot, as the answers say: the bidder of its latest accepted bid. */
function leaderOf(tried: readonly BidRecord[], lot: string): string | undefined {
  let latest: BidRecord | undefined;
  for (const b of tried)
    if (b.lot === lot && b.outcome === 'accepted' && (latest === undefined || b.seq! > latest.seq!))
      latest = b;
  return latest?.bidder;
}

function processOf(topo: GavelTopology, target: KillTarget, n: number): string {
  switch (target) {
    case 'gateway':
      return topo.gateways[n % topo.gateways.length]!.name;
    case 'hub':
      return topo.hubs[n % topo.hubs.length]!.name;
    case 'bidding':
      return topo.bidding.name;
    case 'orchestrator':
      return topo.orchestrator.name;
    case 'redis':
      return 'redis';
  }
}

async function killAndRestart(
  procs: ProcessRunner,
  name: string,
  downMs: number,
  tried: readonly BidRecord[],
  phaseStart: number,
  log: (m: string) => void,
): Promise<KillRecord> {
  const at = Date.now();
  const acceptedInLastSecond = tried.filter(
    (b) => b.outcome === 'accepted' && b.answeredAt !== undefined && b.answeredAt > at - 1000,
  ).length;
  const p = procs.get(name);
  await p.kill();
  log(`SIGKILL ${name}; down for ${downMs} ms`);
  await sleep(downMs);
  const restarting = Date.now();
  await p.start();
  const restartMs = Date.now() - restarting;
  log(`${name} back after ${restartMs} ms`);
  return {
    target: name,
    atS: Math.round((at - phaseStart) / 100) / 10,
    downMs,
    restartMs,
    acceptedInLastSecond,
  };
}

/** The gateway's public snapshot of a lot (from the first gateway that answers). */
async function snapshot(gateways: readonly string[], lot: string): Promise<AuctionState | undefined> {
  for (const g of gateways) {
    try {
      const res = await fetch(`${g}/v1/auctions/${encodeURIComponent(lot)}`, {
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return ((await res.json()) as { auction: AuctionState }).auction;
      await res.body?.cancel();
    } catch {
      // the next gateway
    }
  }
  return undefined;
}

/** Compares every screen with the snapshots until all agree or `by` passes; the last comparison and when it was made. */
async function converge(
  subscribers: readonly ChaosSubscriber[],
  gateways: readonly string[],
  lots: readonly string[],
  by: number,
  fields: typeof SCREEN_FIELDS,
): Promise<{ stale: StaleScreen[]; at: number }> {
  for (;;) {
    const snaps = new Map<string, AuctionState>();
    for (const lot of lots) {
      const s = await snapshot(gateways, lot);
      if (s !== undefined) snaps.set(lot, s);
    }
    const stale = compareScreens(
      subscribers.map((s) => ({ name: s.name, hub: s.hubUrl, states: s.states })),
      snaps,
      fields,
    );
    const at = Date.now();
    if ((stale.length === 0 && snaps.size === lots.length) || at > by) return { stale, at };
    await sleep(250);
  }
}

async function waitFor(what: string, withinMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await sleep(250);
  }
}
