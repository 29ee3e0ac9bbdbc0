import { createLogger } from '../common/logger.ts';
import { ConfigError } from '../common/config.ts';
import { hubConfigFromEnv } from './service/config.ts';
import { startHub } from './service/server.ts';

/** `npm run hub`: a standalone Mercure hub configured by environment. */
async function main(): Promise<void> {
  let config;
  try {
    config = hubConfigFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger('hub', config.logLevel);
  if (config.publisherKey === undefined)
    logger.warn('MERCURE_PUBLISHER_JWT_KEY is not set: every publish will be refused');
  const hub = await startHub(config, logger);
  logger.info(
    {
      url: `${hub.url}/.well-known/mercure`,
      metrics: hub.metricsUrl === undefined ? 'off' : `${hub.metricsUrl}/metrics`,
      transport: hub.hub.transport.kind,
      anonymous: config.anonymous,
    },
    'hub listening',
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: telling subscribers to reconnect');
    hub.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
