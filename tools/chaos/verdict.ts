/**
 * The run's verdict from what it observed: the failures (and evidence) of the ledger, seq and winner
 * checks, and the report's figures. Pure: everything comes in as findings, nothing is fetched.
 */
import type { BidRecord } from './bids.ts';
import type { LedgerFindings, SeqFindings, StaleScreen, WinnerFindings } from './checks.ts';
import type { FinalBurstReport } from './final-burst.ts';
import type { ChaosReport, KillRecord } from './report.ts';
import type { SubscriberStats } from './subscriber.ts';

export interface RunObservations {
  /** appendfsync always: a lost bid, a seq problem or a wrong winner fails the run (everysec: reported only). */
  strictLoss: boolean;
  /** Every bid the clients tried, the final burst's included. */
  tried: readonly BidRecord[];
  /** How many of them the final burst sent. */
  burstBids: number;
  phaseStart: number;
  phaseEnd: number;
  kills: KillRecord[];
  finalBurst: FinalBurstReport;
  findings: LedgerFindings;
  seqs: SeqFindings;
  winners: WinnerFindings;
  /** The screens after the final kill, and when they converged (null: they did not). */
  screens: { stale: readonly StaleScreen[]; convergedAfterMs: number | null };
  afterClose: { stale: readonly StaleScreen[] };
  subscribers: readonly { readonly stats: SubscriberStats }[];
}

/** Adds the failures and evidence of the observations to the report, and its figures. */
export function judge(report: ChaosReport, o: RunObservations): void {
  const unresolved = judgeBids(report, o);
  summarise(report, o, unresolved);
  if (report.screens.regressions > 0)
    report.failures.push(`${report.screens.regressions} update(s) older than a screen's state`);
}

/** The ledger, seq, winner and answer checks; returns the bids that never got a definite answer. */
function judgeBids(report: ChaosReport, o: RunObservations): BidRecord[] {
  const { failures, evidence } = report;
  const { findings, seqs, winners, strictLoss } = o;
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
    if (strictLoss) failures.push(`${seqs.count} seq problem(s) (gaps, repeats, beyond the engine's)`);
    evidence.seqs = seqs.gaps;
  }
  if (winners.wrong.length > 0) {
    if (strictLoss)
      failures.push(`${winners.wrong.length} lot(s) whose result is not the highest accepted bid`);
    evidence.winners = winners.wrong;
  }
  const unresolved = o.tried.filter((b) => b.outcome !== 'accepted' && b.outcome !== 'refused');
  if (unresolved.length > 0) {
    failures.push(`${unresolved.length} bid(s) never got a definite answer`);
    evidence.unresolved = unresolved.slice(0, 10);
  }
  if (o.screens.convergedAfterMs === null && o.screens.stale.length === 0)
    failures.push('convergence not measured');
  return unresolved;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The report's figures: bids, kills, the final burst, the ledger, winners, screens, the loss window. */
function summarise(report: ChaosReport, o: RunObservations, unresolved: readonly BidRecord[]): void {
  const { tried, findings, seqs, winners, kills, finalBurst: fb, subscribers } = o;
  const refused: Record<string, number> = {};
  for (const b of tried) if (b.outcome === 'refused') refused[b.code!] = (refused[b.code!] ?? 0) + 1;
  const phaseBids = tried.length - o.burstBids;
  report.bids = {
    sent: tried.length,
    accepted: tried.filter((b) => b.outcome === 'accepted').length,
    refused,
    unresolved: unresolved.length,
    retried: tried.filter((b) => b.attempts > 1).length,
    attemptsMax: Math.max(0, ...tried.map((b) => b.attempts)),
    perSecond: Math.round((phaseBids / Math.max(1, o.phaseEnd - o.phaseStart)) * 10_000) / 10,
  };
  report.kills = kills;
  report.finalBurst = {
    attempts: fb.attempts,
    bids: fb.bids,
    acceptedBeforeKill: fb.acceptedBeforeKill,
    accepted: fb.accepted,
    killedAtS: Math.round((fb.killedAt - o.phaseStart) / 100) / 10,
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
    lateNotices: sum(subscribers.map((s) => s.stats.lateNotices)),
    converged: o.screens.stale.length === 0,
    convergedAfterMs: o.screens.convergedAfterMs,
    stale: o.screens.stale.length,
    convergedAfterClose: o.afterClose.stale.length === 0,
    staleAfterClose: o.afterClose.stale.length,
  };
  if (!o.strictLoss) {
    const redisKills = kills.filter((k) => k.target === 'redis');
    report.lossWindow = {
      redisKills: redisKills.length,
      lost: findings.lost.count,
      acceptedInLastSecondBeforeKill: redisKills.map((k) => k.acceptedInLastSecond),
    };
  }
}
