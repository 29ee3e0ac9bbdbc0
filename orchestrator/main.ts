import { ConfigError } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { startTracing, tracingConfigFromEnv } from '../common/tracing.ts';
import { orchestratorConfigFromEnv } from './service/config.ts';
import { startOrchestrator } from './service/server.ts';

/** `npm run orchestrator`: migrations, then the ledger writer from the decision streams on Redis (distributed topology). */
async function main(): Promise<void> {
  const config = orchestratorConfigFromEnv();
  const tracing = await startTracing(tracingConfigFromEnv(), 'gavel-orchestrator');
  const logger = createLogger('orchestrator', config.logLevel);
  const orch = await startOrchestrator(config, { logger });
  logger.info({ url: orch.url, ledger: orch.where }, 'orchestrator running');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    orch
      .close()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'orchestrator: shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
