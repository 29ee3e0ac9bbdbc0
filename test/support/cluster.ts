import { startCluster, type RunningCluster } from '../../tools/cluster/cluster.ts';
import { track } from './registry.ts';

/**
 * `npm run cluster`'s topology for a test: on the local Redis and PostgreSQL, behind HAProxy on a
 * free port, services logging warnings only, the orchestrator with `orchestratorEnv` on top; stopped
 * after the test if the test does not stop it.
 */
export async function startTestCluster(orchestratorEnv: Record<string, string>): Promise<RunningCluster> {
  const cluster = await startCluster({
    redisUrl: 'redis://127.0.0.1:6379',
    postgresUrl: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    port: 0,
    proxy: true,
    logLevel: 'warn',
    env: { orchestrator: orchestratorEnv },
  });
  track('cluster', () => cluster.stop(), 60_000);
  return cluster;
}
