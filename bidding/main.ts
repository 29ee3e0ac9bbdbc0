import { ConfigError } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { startTracing, tracingConfigFromEnv } from '../common/tracing.ts';
import { biddingConfigFromEnv, startBiddingService } from './service/server.ts';

/** `npm run bidding`: the bidding engine as its own process (distributed topology). */
async function main(): Promise<void> {
  const config = biddingConfigFromEnv();
  const tracing = await startTracing(tracingConfigFromEnv(), 'gavel-bidding');
  const logger = createLogger('bidding', config.logLevel);
  const svc = await startBiddingService(config, logger);
  logger.info(
    { url: svc.url, metrics: svc.metricsUrl === undefined ? 'off' : `${svc.metricsUrl}/metrics` },
    'bidding engine listening',
  );
  const stop = (): void => {
    svc
      .close()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
