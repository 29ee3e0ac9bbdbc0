/** Phase 4: the final burst, the engine killed in it (final-burst.ts), and no further bid. */
import type { BidRecord } from '../bids.ts';
import { finalBurst, type FinalBurstReport } from '../final-burst.ts';
import { STEP, type ChaosRun } from '../run-context.ts';
import type { RunTopology } from './topology.ts';
import type { BiddingPhase } from './bidding.ts';
import type { RunSale } from './sale.ts';

export interface BurstPhase {
  report: FinalBurstReport;
  bids: BidRecord[];
}

export async function burstAndKillEngine(
  run: ChaosRun,
  { topo, redisPort }: RunTopology,
  sale: RunSale,
  bidding: BiddingPhase,
): Promise<BurstPhase> {
  const { opts, rng, log } = run;
  const { book, lots, bidders, tokens } = sale;
  const { report: fb, bids } = await finalBurst({
    lots,
    perLot: opts.burst,
    engine: run.procs.get(topo.bidding.name),
    redisPort,
    // Never the lot's leader: their higher bid would raise their maximum, not the price.
    newBid: (lot, amount) =>
      book.newBid(rng.pick(bidders.filter((b) => b !== book.leaderOf(lot))), lot, amount),
    asking: (lot) => book.asking(lot),
    step: STEP,
    token: (b) => tokens.get(b)!,
    bidOptions: bidding.bidOpts,
    downMs: () => 300 + rng.int(0, 700),
    attempts: 3,
    log,
  });
  if (fb.windowHit.length === 0)
    log(
      '!! no kill landed between a top bid and its publication: convergence is checked, the republish path is not',
    );
  const closedEarly = bids.filter((b) => b.code === 'CLOSED' || b.code === 'NOT_STARTED').length;
  if (closedEarly > 0)
    run.report.failures.push(
      `${closedEarly} final-burst bid(s) found the lot not open: the run did not test a live lot's end`,
    );
  return { report: fb, bids };
}
