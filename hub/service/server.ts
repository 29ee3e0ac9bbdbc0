import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { healthRoutes, type ReadinessChecks } from '../../common/health.ts';
import { createLogger, type Logger } from '../../common/logger.ts';
import { serverUrl } from '../../common/listen-url.ts';
import { TokenVerifier } from '../core/auth.ts';
import { assertSafeConfig, type HubConfig } from './config.ts';
import { Hub } from '../fanout/hub.ts';
import { createHubHttp } from '../http/app.ts';
import { notFound, writeError } from '../http/errors.ts';
import { HubMetrics } from './metrics.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { MemoryTransport } from '../transport/memory.ts';
import { RedisTransport } from '../transport/redis.ts';
import type { Transport } from '../transport/transport.ts';

export interface HubService {
  hub: Hub;
  app: Hono;
  metrics: HubMetrics;
  /** Serves hub paths on a host server; returns false for paths that are not the hub's. */
  handle: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** What `/health/ready` checks: the transport's store, and its stream reader caught up. */
  readiness: ReadinessChecks;
  close(): Promise<void>;
}

/** How long a readiness probe waits for the stream reader to deliver what the stream holds. */
const READER_CATCH_UP_MS = 1_000;

/** The hub's readiness: its transport's store answers, and its reader is not behind the shared stream. */
function hubReadiness(transport: Transport): ReadinessChecks {
  const checks: ReadinessChecks = {
    transport: async () => {
      if (!(await transport.healthy())) throw new Error(`the ${transport.kind} transport does not answer`);
    },
  };
  const caughtUp = transport.caughtUp?.bind(transport);
  if (caughtUp !== undefined)
    checks.streamReader = async () => {
      if (!(await caughtUp(READER_CATCH_UP_MS)))
        throw new Error(`the stream reader is behind the shared stream (more than ${READER_CATCH_UP_MS} ms)`);
    };
  return checks;
}

function createTransport(config: HubConfig, logger: Logger): Transport {
  const limits = { size: config.historySize, maxAgeMs: config.historyMaxAgeSeconds * 1000 };
  const scheme = config.transportUrl.split(':')[0];
  if (scheme === 'memory') return new MemoryTransport(limits);
  if (scheme === 'redis' || scheme === 'rediss')
    return new RedisTransport({ url: config.transportUrl, limits, logger });
  throw new Error(
    `MERCURE_TRANSPORT_URL: unsupported scheme "${scheme}:" (use memory:// or redis://host:port)`,
  );
}

/** Builds a hub (transport started, keys imported) without listening: mount `handle` on any Node server. */
export async function createHubService(
  config: HubConfig,
  logger: Logger = createLogger('hub', config.logLevel),
): Promise<HubService> {
  assertSafeConfig(config);
  const transport = createTransport(config, logger);
  await transport.start();
  const metrics = new HubMetrics();
  const [publisher, subscriber] = await Promise.all([
    TokenVerifier.create('publisher', config.publisherKey, config.publisherAlg),
    TokenVerifier.create('subscriber', config.subscriberKey, config.subscriberAlg),
  ]);
  const hub = new Hub({
    transport,
    logger,
    metrics,
    heartbeatMs: config.heartbeatSeconds * 1000,
    retryMs: config.retryMs,
    maxConnectionMs: config.maxConnectionSeconds * 1000,
    subscriberBufferBytes: config.subscriberBufferBytes,
    subscriptions: config.subscriptions,
  });
  const { app, handle } = createHubHttp({ config, hub, metrics, logger, publisher, subscriber });
  return {
    hub,
    app,
    metrics,
    handle,
    readiness: hubReadiness(transport),
    async close() {
      hub.close();
      await transport.close();
    },
  };
}

export interface RunningHub extends HubService {
  server: Server;
  url: string;
  /** Where `/metrics` is served (`${metricsUrl}/metrics`); undefined with MERCURE_METRICS_PORT=off. */
  metricsUrl: string | undefined;
}

/** Starts a standalone hub server on config.host:config.port (0 = any free port). */
export async function startHub(
  config: HubConfig,
  logger: Logger = createLogger('hub', config.logLevel),
): Promise<RunningHub> {
  const service = await createHubService(config, logger);
  // Liveness and readiness on the standalone hub's port (a gateway mounting the hub has its own).
  const health = getRequestListener(healthRoutes(service.readiness).fetch);
  const server = createServer((req, res) => {
    if (service.handle(req, res)) return;
    if (req.method === 'GET' && req.url?.startsWith('/health/') === true) return void health(req, res);
    writeError(res, notFound(`no resource at ${req.url ?? '/'}`));
  });
  // Long-lived GET streams are not cut by requestTimeout (it only limits reading the request).
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  let metrics: MetricsServer | undefined;
  if (config.metricsPort !== undefined) {
    try {
      metrics = await startMetricsServer(service.metrics.registry, config.metricsHost, config.metricsPort);
    } catch (err) {
      server.close();
      await service.close();
      throw err;
    }
  }
  return {
    ...service,
    server,
    url: serverUrl(server, config.host),
    metricsUrl: metrics?.url,
    async close() {
      // Node's server.close() waits for open streams (nodejs caveat): end them first, then cut idle sockets.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      server.closeAllConnections();
      await closed;
      await metrics?.close();
    },
  };
}
