/** The Mercure hub's public surface. */
export {
  embeddedHubConfigFromEnv,
  hubConfigFromEnv,
  hubDefaults,
  type EmbeddedHubConfig,
  type HubConfig,
} from './service/config.ts';
export { startMetricsServer, type MetricsServer } from './service/metrics-server.ts';
export { createHubService, startHub, type HubService, type RunningHub } from './service/server.ts';
export { COOKIE_NAME as MERCURE_COOKIE } from './core/auth.ts';
export { mercureLink, mintMercureToken, MERCURE_PATH } from '../common/mercure.ts';
export { mercureDiscovery } from './http/discovery.ts';
export { localPublisher } from './publishers/local.ts';
export {
  isHubStreamUrl,
  RedisStreamPublisher,
  sameRedisServer,
  type RedisStreamPublisherOptions,
} from './publishers/stream.ts';
