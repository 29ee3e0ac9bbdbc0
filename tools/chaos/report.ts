/** The figures of a chaos run: one JSON line on stdout. */
import type { AppendFsync } from '../topology/index.ts';

export interface ChaosOptions {
  /** Seconds of bidding with kills, before the final burst. */
  durationS: number;
  /** Most bids in that phase (0 = as many as the rate gives). */
  bids: number;
  /** SIGKILLs during that phase, spread evenly, cycling gateway → engine → hub → orchestrator → redis-server. */
  kills: number;
  appendfsync: AppendFsync;
  seed: number;
  bidders: number;
  lots: number;
  /** Bids per second offered in total. */
  rate: number;
  subscribersPerHub: number;
  /** Bids per lot in the final burst. */
  burst: number;
  /** How long after the last kill every screen has to show the snapshot. */
  convergeWithinS: number;
  /** PostgreSQL server where the run's own database is created and dropped. */
  postgresUrl: string;
  /** Keep the logs and Redis files (always kept when a check fails). */
  keep: boolean;
  log: (line: string) => void;
}

export interface KillRecord {
  target: string;
  /** Seconds since bidding began. */
  atS: number;
  downMs: number;
  /** From the start command to ready (/healthz, or PONG). */
  restartMs: number;
  /** Bids answered accepted in the second before the kill (for redis-server: what a host crash could lose with everysec). */
  acceptedInLastSecond: number;
}

export interface ChaosReport {
  ok: boolean;
  failures: string[];
  options: Omit<ChaosOptions, 'log' | 'postgresUrl' | 'keep'>;
  elapsedS: number;
  bids: {
    sent: number;
    accepted: number;
    refused: Record<string, number>;
    unresolved: number;
    retried: number;
    attemptsMax: number;
    perSecond: number;
  };
  kills: KillRecord[];
  finalBurst: {
    /** Bursts until a kill landed between a top bid's decision and its publication (at most 3). */
    attempts: number;
    bids: number;
    acceptedBeforeKill: number;
    accepted: number;
    killedAtS: number;
    /** What set the last kill off: Redis executing a top bid, a client's accepted answer, or a 3 s timeout. */
    killTrigger: string;
    /** Lots whose top bid the killed engine decided and never published. */
    windowHit: string[];
    engineBackAfterMs: number;
  };
  ledger: {
    rows: number;
    accepted: number;
    lost: number;
    doubled: number;
    phantom: number;
    contradicted: number;
    seqProblems: number;
  };
  winners: { checked: number; wrong: number };
  screens: {
    subscribers: number;
    events: number;
    reconnects: number;
    earliest: number;
    regressions: number;
    /** The back office's announcements that arrived after a newer state (not a failure: see subscriber.ts). */
    lateNotices: number;
    /** Every screen equal to the snapshot, after the last kill and no further bid. */
    converged: boolean;
    convergedAfterMs: number | null;
    stale: number;
    /** After the lots closed, status included. */
    convergedAfterClose: boolean;
    staleAfterClose: number;
  };
  crashes: Record<string, number>;
  /** `everysec` only: acknowledged bids missing after redis-server kills (reported, not failed). */
  lossWindow?: { redisKills: number; lost: number; acceptedInLastSecondBeforeKill: number[] };
  evidence: Record<string, unknown>;
  logDir: string | undefined;
}

/** The report before anything has run: every figure at zero, every check not passed. */
export function emptyReport(opts: ChaosOptions): ChaosReport {
  return {
    ok: false,
    failures: [],
    options: {
      durationS: opts.durationS,
      bids: opts.bids,
      kills: opts.kills,
      appendfsync: opts.appendfsync,
      seed: opts.seed,
      bidders: opts.bidders,
      lots: opts.lots,
      rate: opts.rate,
      subscribersPerHub: opts.subscribersPerHub,
      burst: opts.burst,
      convergeWithinS: opts.convergeWithinS,
    },
    elapsedS: 0,
    bids: { sent: 0, accepted: 0, refused: {}, unresolved: 0, retried: 0, attemptsMax: 0, perSecond: 0 },
    kills: [],
    finalBurst: {
      attempts: 0,
      bids: 0,
      acceptedBeforeKill: 0,
      accepted: 0,
      killedAtS: 0,
      killTrigger: '',
      windowHit: [],
      engineBackAfterMs: 0,
    },
    ledger: { rows: 0, accepted: 0, lost: 0, doubled: 0, phantom: 0, contradicted: 0, seqProblems: 0 },
    winners: { checked: 0, wrong: 0 },
    screens: {
      subscribers: 0,
      events: 0,
      reconnects: 0,
      earliest: 0,
      regressions: 0,
      lateNotices: 0,
      converged: false,
      convergedAfterMs: null,
      stale: 0,
      convergedAfterClose: false,
      staleAfterClose: 0,
    },
    crashes: {},
    evidence: {},
    logDir: undefined,
  };
}
