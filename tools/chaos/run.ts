/**
 * One chaos run: the distributed topology as processes on this machine, a timed sale, bidders and
 * screens, SIGKILLs one at a time — and then the comparisons. See main.ts for the command line; each
 * phase is in phases/, the state they share in run-context.ts.
 */
import type { AppendFsync } from '../topology/index.ts';
import { bidWithKills } from './phases/bidding.ts';
import { burstAndKillEngine } from './phases/burst.ts';
import { openSale, openScreens } from './phases/sale.ts';
import { startTopology } from './phases/topology.ts';
import { verify } from './phases/verify.ts';
import type { ChaosOptions, ChaosReport } from './report.ts';
import { closeRun, openRun, runFailed } from './run-context.ts';

/** What the run proves by default: the fsync policy docker-compose.yml deploys (test/chaos-compose.test.ts holds them together). */
export const DEFAULT_APPENDFSYNC: AppendFsync = 'always';

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const run = openRun(opts);
  try {
    const topology = await startTopology(run);
    const sale = await openSale(run, topology.topo);
    await openScreens(run, topology.topo, sale);
    const bidding = await bidWithKills(run, topology.topo, sale);
    const burst = await burstAndKillEngine(run, topology, sale, bidding);
    await verify(run, sale, bidding, burst);
  } catch (err) {
    runFailed(run, err);
  }
  return closeRun(run);
}
