import { describe, expect, it } from 'vitest';
import { BidBook } from './bid-book.ts';
import type { BidRecord } from './bids.ts';
import { emptyReport, type ChaosOptions, type ChaosReport } from './report.ts';
import { judge, type RunObservations } from './verdict.ts';

const options: ChaosOptions = {
  durationS: 10,
  bids: 0,
  kills: 2,
  appendfsync: 'always',
  seed: 1,
  bidders: 2,
  lots: 1,
  rate: 5,
  subscribersPerHub: 1,
  burst: 1,
  convergeWithinS: 5,
  postgresUrl: 'postgres://x',
  keep: false,
  log: () => undefined,
};

/** A bid as a client saw it: made by the run's book (keys r-k1, r-k2…), then answered. */
const book = new BidBook('r', ['lot1'], 1000);
const bid = (outcome: BidRecord['outcome'], extra: Partial<BidRecord> = {}): BidRecord =>
  Object.assign(book.newBid('b1', 'lot1', 1100), { attempts: 1, outcome }, extra);

const none = { count: 0, examples: [] };
const stats = (regressions = 0, lateNotices = 0) => ({
  stats: { name: 's', hub: 'h', events: 3, reconnects: 1, earliest: 0, regressions, lateNotices },
});

/** A clean run: every bid answered, the ledger and screens in agreement. */
function clean(over: Partial<RunObservations> = {}): RunObservations {
  return {
    strictLoss: true,
    tried: [bid('accepted', { seq: 1 }), bid('refused', { code: 'TOO_LOW', attempts: 3 })],
    burstBids: 1,
    phaseStart: 1_000,
    phaseEnd: 11_000,
    kills: [{ target: 'redis', atS: 2, downMs: 400, restartMs: 200, acceptedInLastSecond: 4 }],
    finalBurst: {
      attempts: 1,
      bids: 1,
      accepted: 1,
      acceptedBeforeKill: 0,
      killTrigger: 'redis',
      windowHit: ['lot1'],
      killedAt: 12_000,
      engineBack: 13_500,
    },
    findings: { lost: none, doubled: none, phantom: none, contradicted: none, accepted: 1, rows: 2 },
    seqs: { gaps: [], count: 0 },
    winners: { checked: 1, wrong: [] },
    screens: { stale: [], convergedAfterMs: 700 },
    afterClose: { stale: [] },
    subscribers: [stats(), stats()],
    ...over,
  };
}

function judged(o: RunObservations): ChaosReport {
  const report = emptyReport(options);
  judge(report, o);
  return report;
}

describe('judge', () => {
  it('fails nothing on a clean run and fills in the figures', () => {
    const r = judged(clean());
    expect(r.failures).toEqual([]);
    expect(r.bids).toEqual({
      sent: 2,
      accepted: 1,
      refused: { TOO_LOW: 1 },
      unresolved: 0,
      retried: 1,
      attemptsMax: 3,
      perSecond: 0.1, // one bid outside the burst over 10 s
    });
    expect(r.finalBurst).toMatchObject({ killedAtS: 11, engineBackAfterMs: 1500, windowHit: ['lot1'] });
    expect(r.screens).toMatchObject({
      subscribers: 2,
      events: 6,
      reconnects: 2,
      converged: true,
      convergedAfterMs: 700,
    });
    expect(r.lossWindow).toBeUndefined();
  });

  it('fails a lost bid, a seq gap and a wrong winner under appendfsync always', () => {
    const r = judged(
      clean({
        findings: { ...clean().findings, lost: { count: 2, examples: ['k1'] } },
        seqs: { gaps: [{ lot: 'lot1', lastSeq: 3, missing: [2], repeated: [], beyond: [] }], count: 1 },
        winners: { checked: 1, wrong: [{ lot: 'lot1', expected: null, got: null }] },
      }),
    );
    expect(r.failures).toEqual([
      '2 acknowledged bid(s) lost (not in the ledger exactly once as accepted)',
      "1 seq problem(s) (gaps, repeats, beyond the engine's)",
      '1 lot(s) whose result is not the highest accepted bid',
    ]);
    expect(r.evidence).toMatchObject({ seqs: [{ missing: [2] }], winners: [{ lot: 'lot1' }] });
  });

  it('only reports them, with the loss window, under everysec', () => {
    const r = judged(
      clean({
        strictLoss: false,
        findings: { ...clean().findings, lost: { count: 2, examples: ['k1'] } },
        seqs: { gaps: [{ lot: 'lot1', lastSeq: 3, missing: [2], repeated: [], beyond: [] }], count: 1 },
      }),
    );
    expect(r.failures).toEqual([]);
    expect(r.evidence['acknowledged bid(s) lost (not in the ledger exactly once as accepted)']).toEqual([
      'k1',
    ]);
    expect(r.lossWindow).toEqual({ redisKills: 1, lost: 2, acceptedInLastSecondBeforeKill: [4] });
  });

  it('always fails doubled and phantom rows, unanswered bids, screen regressions and an unmeasured convergence', () => {
    const r = judged(
      clean({
        strictLoss: false,
        tried: [bid('unresolved', { key: 'k1' })],
        findings: {
          ...clean().findings,
          doubled: { count: 1, examples: ['k1'] },
          phantom: { count: 1, examples: ['k9'] },
        },
        screens: { stale: [], convergedAfterMs: null },
        // Late back-office announcements are counted but fail nothing; the engine's own regressions do.
        subscribers: [stats(2, 5)],
      }),
    );
    expect(r.failures).toEqual([
      '1 idempotency key(s) with more than one ledger row',
      '1 accepted ledger row(s) no client sent',
      '1 bid(s) never got a definite answer',
      'convergence not measured',
      "2 update(s) older than a screen's state",
    ]);
    expect(r.evidence).toMatchObject({ doubled: ['k1'], phantom: ['k9'], unresolved: [{ key: 'k1' }] });
    expect(r.screens).toMatchObject({ regressions: 2, lateNotices: 5 });
  });
});
