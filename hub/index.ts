/** The Mercure hub's public surface. */
export {
  embeddedHubConfigFromEnv,
  hubConfigFromEnv,
  hubDefaults,
  type EmbeddedHubConfig,
  type HubConfig,
} from './config.ts';
export { startMetricsServer, type MetricsServer } from './metrics-server.ts';
export { createHubService, startHub, type HubService, type RunningHub } from './server.ts';
export { COOKIE_NAME as MERCURE_COOKIE } from './auth.ts';
export { mercureLink, mintMercureToken, MERCURE_PATH } from '../common/mercure.ts';
export { mercureDiscovery } from './discovery.ts';
export { localPublisher } from './local-publisher.ts';
export {
  isHubStreamUrl,
  RedisStreamPublisher,
  sameRedisServer,
  type RedisStreamPublisherOptions,
} from './stream-publisher.ts';
