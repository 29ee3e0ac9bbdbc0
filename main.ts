import { randomBytes } from 'node:crypto';
import { createLogger } from './common/logger.ts';
import { ConfigError } from './common/config.ts';
import { mintMercureToken } from './common/mercure.ts';
import { hubConfigFromEnv, startHub } from './hub/index.ts';

/**
 * `npm start`: Gavel's embedded default — no external services. Today it runs the Mercure hub
 * with the in-memory transport; the engine, gateway and orchestrator join it as they land.
 */
async function main(): Promise<void> {
  const env = { ...process.env };
  env.PORT ??= '3000';
  env.HOST ??= '127.0.0.1';
  env.MERCURE_ANONYMOUS ??= 'true';
  const generatedKey = env.MERCURE_PUBLISHER_JWT_KEY === undefined;
  if (generatedKey) env.MERCURE_PUBLISHER_JWT_KEY = randomBytes(32).toString('hex');
  const config = hubConfigFromEnv(env);
  const logger = createLogger('gavel', config.logLevel);
  const hub = await startHub(config, logger.child({ service: 'hub' }));
  const token = await mintMercureToken(
    { publish: ['*'], subscribe: ['*'] },
    {
      key: new TextEncoder().encode(config.publisherKey ?? ''),
      alg: config.publisherAlg,
      ttlSeconds: 24 * 3600,
    },
  );
  const hubUrl = `${hub.url}/.well-known/mercure`;
  console.log(
    [
      '',
      'Gavel is running (embedded default: in-memory hub, no external services).',
      `  Mercure hub:  ${hubUrl}`,
      `  Subscribe:    curl -N '${hubUrl}?topic=demo'`,
      `  Publish:      curl -d topic=demo -d data=hello -H 'Authorization: Bearer ${token}' ${hubUrl}`,
      generatedKey
        ? '  (a random publisher key was generated for this run; set MERCURE_PUBLISHER_JWT_KEY to fix it)'
        : '',
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    hub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
