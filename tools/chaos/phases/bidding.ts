/**
 * Phase 3: every bidder bids at random on random lots (`rate` bids/s in total) while the kill loop
 * SIGKILLs and restarts one process at a time; it goes on until the planned end and the last kill's
 * restart, whichever is later.
 */
import { sleep, type GavelTopology } from '../../topology/index.ts';
import type { BidClientOptions } from '../bids.ts';
import { placeBid } from '../bids.ts';
import { killAndRestart, killDelay, KillPlan } from '../kills.ts';
import type { KillRecord } from '../report.ts';
import { STEP, type ChaosRun } from '../run-context.ts';
import type { RunSale } from './sale.ts';

export interface BiddingPhase {
  phaseStart: number;
  phaseEnd: number;
  kills: KillRecord[];
  /** What every bid of the run is placed with (the final burst's too). */
  bidOpts: BidClientOptions;
}

export async function bidWithKills(run: ChaosRun, topo: GavelTopology, sale: RunSale): Promise<BiddingPhase> {
  const { opts, rng, log, procs } = run;
  const { book, lots, bidders, tokens } = sale;
  const bidOpts = { gateways: sale.gateways, deadlineMs: 90_000, onAsking: book.onAsking };
  const phaseStart = Date.now();
  const plannedEnd = phaseStart + opts.durationS * 1000;
  let killsDone = opts.kills === 0;
  log(`bidding for ${opts.durationS} s at ~${opts.rate} bids/s with ${opts.kills} kills`);
  const thinkMs = (1000 * opts.bidders) / Math.max(1, opts.rate);
  const bidderLoop = async (bidder: string): Promise<void> => {
    await sleep(rng.next() * thinkMs);
    while ((Date.now() < plannedEnd || !killsDone) && (opts.bids === 0 || book.tried.length < opts.bids)) {
      const lot = rng.pick(lots);
      await placeBid(
        book.newBid(bidder, lot, book.asking(lot) + rng.int(0, 2) * STEP),
        tokens.get(bidder)!,
        bidOpts,
      );
      await sleep(thinkMs * (0.5 + rng.next()));
    }
  };
  const kills: KillRecord[] = [];
  const plan = new KillPlan(topo);
  const killLoop = async (): Promise<void> => {
    for (let i = 0; i < opts.kills; i++) {
      await sleep(killDelay(i, opts.kills, phaseStart, plannedEnd, Date.now()));
      const name = plan.next(i);
      const downMs = 300 + rng.int(0, 1200);
      kills.push(
        await killAndRestart(procs, name, downMs, book.acceptedInSecondBefore(Date.now()), phaseStart, log),
      );
    }
    killsDone = true;
  };
  await Promise.all([...bidders.map(bidderLoop), killLoop()]);
  const phaseEnd = Date.now();
  log(`bidding done: ${book.tried.length} bids, ${book.accepted()} accepted`);
  return { phaseStart, phaseEnd, kills, bidOpts };
}
