/**
 * Phase 5: no further bid. The ledger catches up with the engine, every screen converges on the
 * snapshot before the lots close, the lots close with the back office's results, and then the
 * ledger is compared with what the clients were told (verdict.ts).
 */
import pg from 'pg';
import {
  checkSeqs,
  checkWinners,
  compareLedger,
  SCREEN_FIELDS,
  type LotResult,
  type StaleScreen,
} from '../checks.ts';
import { ledgerCursors, readLedger } from '../ledger.ts';
import { converge, snapshot, snapshotSeqs, waitFor } from '../observe.ts';
import { SOFT_CLOSE_S, type ChaosRun } from '../run-context.ts';
import { saleResults } from '../sale.ts';
import { judge } from '../verdict.ts';
import type { BiddingPhase } from './bidding.ts';
import type { BurstPhase } from './burst.ts';
import type { RunSale } from './sale.ts';

export async function verify(
  run: ChaosRun,
  sale: RunSale,
  bidding: BiddingPhase,
  burst: BurstPhase,
): Promise<void> {
  const ledgerDb = new pg.Client({ connectionString: run.db.url });
  await ledgerDb.connect();
  try {
    await ledgerCatchesUp(run, sale, ledgerDb);
    const screens = await screensConverge(run, sale, burst.report.engineBack);
    const { results, afterClose } = await lotsClose(run, sale);
    // The ledger against what the clients were told.
    const finalSeqs = await snapshotSeqs(sale.gateways, sale.lots);
    const { bids: ledgerRows, seqs: ledgerSeqs } = await readLedger(ledgerDb, sale.lots);
    const tried = sale.book.tried;
    judge(run.report, {
      strictLoss: run.opts.appendfsync === 'always',
      tried,
      burstBids: burst.bids.length,
      phaseStart: bidding.phaseStart,
      phaseEnd: bidding.phaseEnd,
      kills: bidding.kills,
      finalBurst: burst.report,
      findings: compareLedger(tried, ledgerRows),
      seqs: checkSeqs(ledgerSeqs, finalSeqs),
      winners: checkWinners(sale.lots, ledgerRows, tried, results),
      screens,
      afterClose,
      subscribers: run.subscribers,
    });
  } finally {
    await ledgerDb.end();
  }
}

/** Waits until the ledger holds every decision the engine's snapshots show. */
async function ledgerCatchesUp(run: ChaosRun, sale: RunSale, ledgerDb: pg.Client): Promise<void> {
  const lastSeqs = await snapshotSeqs(sale.gateways, sale.lots);
  await waitFor('the ledger to hold every decision', 60_000, async () => {
    const at = await ledgerCursors(ledgerDb);
    return sale.lots.every((l) => (at.get(l) ?? 0) >= lastSeqs.get(l)!);
  }).catch((err: unknown) => run.report.failures.push(String(err)));
}

/**
 * Every screen converges on the snapshot within `convergeWithinS` of the engine's return — and before
 * the lots close (the soft close keeps them open 20 s after the final burst's top bid).
 */
async function screensConverge(
  run: ChaosRun,
  sale: RunSale,
  engineBack: number,
): Promise<{ stale: StaleScreen[]; convergedAfterMs: number | null }> {
  const { gateways, lots } = sale;
  const { failures, evidence } = run.report;
  const lotsEnd = Math.min(
    ...(await Promise.all(lots.map(async (l) => Date.parse((await snapshot(gateways, l))?.endsAt ?? '')))),
  );
  const convergeBy = Math.min(
    engineBack + run.opts.convergeWithinS * 1000,
    (Number.isNaN(lotsEnd) ? Infinity : lotsEnd) - 1000,
  );
  const screens = await converge(run.subscribers, gateways, lots, convergeBy, SCREEN_FIELDS);
  const convergedAfterMs = screens.stale.length === 0 ? screens.at - engineBack : null;
  if (screens.stale.length > 0) {
    failures.push(
      `${screens.stale.length} screen(s) still differ from the snapshot ${((convergeBy - engineBack) / 1000).toFixed(1)} s after the engine came back from the final kill (no further bid)`,
    );
    evidence.stale = screens.stale.slice(0, 10);
  }
  run.log(
    screens.stale.length === 0
      ? `screens converged ${convergedAfterMs} ms after the engine came back`
      : `!! ${screens.stale.length} screen/lot pairs stale: ${JSON.stringify(screens.stale.slice(0, 2))}`,
  );
  return { stale: screens.stale, convergedAfterMs };
}

/** The lots close: the back office's results, and every screen again equal to the snapshot (status included). */
async function lotsClose(
  run: ChaosRun,
  sale: RunSale,
): Promise<{ results: LotResult[]; afterClose: { stale: StaleScreen[] } }> {
  const { gateways, lots } = sale;
  const { failures, evidence } = run.report;
  let results: LotResult[] = [];
  await waitFor('every lot to be finalised', SOFT_CLOSE_S * 1000 + 60_000, async () => {
    results = await saleResults(sale.admin, sale.saleId);
    return lots.every((l) => results.some((r) => r.lotId === l));
  }).catch((err: unknown) => failures.push(String(err)));
  run.log(`results: ${JSON.stringify(results.map((r) => [r.lotId, r.outcome, r.hammer, r.buyer]))}`);
  const afterClose = await converge(run.subscribers, gateways, lots, Date.now() + 5000, SCREEN_FIELDS);
  if (afterClose.stale.length > 0) {
    failures.push(`${afterClose.stale.length} screen(s) differ from the snapshot after the lots closed`);
    evidence.staleAfterClose = afterClose.stale.slice(0, 10);
  }
  return { results, afterClose };
}
