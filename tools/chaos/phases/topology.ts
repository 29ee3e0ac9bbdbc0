/** Phase 1: redis-server (with the run's fsync policy), the run's database, and Gavel's services. */
import { freePort, gavelTopology, redisServerSpec, type GavelTopology } from '../../topology/index.ts';
import type { ChaosRun } from '../run-context.ts';

export interface RunTopology {
  topo: GavelTopology;
  redisPort: number;
}

export async function startTopology(run: ChaosRun): Promise<RunTopology> {
  const { opts, procs, db, log } = run;
  const redisPort = await freePort();
  procs.add(
    redisServerSpec({ name: 'redis', port: redisPort, dir: run.redisDir, appendfsync: opts.appendfsync }),
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
  return { topo, redisPort };
}
