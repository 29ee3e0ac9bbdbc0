/** Named child processes for a topology on one machine: shared by `npm run chaos` and `npm run cluster`. */
export { ProcessRunner, type RunnerOptions } from './runner.ts';
export { ManagedProcess, type ExitRecord, type ProcessSpec, type ReadyProbe } from './managed-process.ts';
export { httpReady, lineReady, redisMonitor, redisPing, redisReady } from './ready.ts';
export { freePort, freePorts, sleep } from './net.ts';
export { redisServerSpec, type AppendFsync, type RedisServerOptions } from './redis-server.ts';
export { killOnRedisCommand, type CommandKiller } from './kill-on-command.ts';
export { ownDatabase } from './postgres.ts';
export {
  gavelTopology,
  randomSecrets,
  REPO_ROOT,
  type GavelRole,
  type GavelSecrets,
  type GavelService,
  type GavelTopology,
  type GavelTopologyOptions,
} from './gavel.ts';
