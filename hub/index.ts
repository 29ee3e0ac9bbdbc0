/**
 * The Mercure hub's face: what the gateway, the engine, the back office, main.ts, tools and tests
 * of other services use. Hub-internal code and tests import the real files.
 */
export { embeddedHubConfigFromEnv, hubConfigFromEnv, hubDefaults, type HubConfig } from './service/config.ts';
export { startMetricsServer, type MetricsServer } from './service/metrics-server.ts';
export { createHubService, startHub, type HubService, type RunningHub } from './service/server.ts';
export { localPublisher } from './publishers/local.ts';
export { isHubStreamUrl, RedisStreamPublisher, sameRedisServer } from './publishers/stream.ts';
export {
  httpSubscriptions,
  inProcessSubscriptions,
  streamSubscriptions,
  type HubSubscription,
  type HubSubscriptions,
} from './audience.ts';
