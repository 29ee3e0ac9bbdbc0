import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { processRegistry } from '../common/metrics.ts';
import { serverUrl } from '../common/listen-url.ts';
import type { Logger } from '../common/logger.ts';
import { MERCURE_PATH } from '../common/mercure.ts';
import type { AppEnv } from '../common/http-env.ts';
import {
  assembleApp,
  startBackends,
  withRunKeys,
  type GatewayBackends,
  type GatewayOptions,
} from './assembly.ts';
import type { GatewayConfig } from './config.ts';
import { loadClients } from './routes/clients.ts';

export type { GatewayOptions } from './assembly.ts';

/** A started gateway: its pieces (assembly.ts), its app and its server. */
export interface RunningGateway extends Pick<
  GatewayBackends,
  'engine' | 'store' | 'tokens' | 'hub' | 'directory'
> {
  url: string;
  /** The hub on the listen address (embedded: beside the gateway); the pages are told the one on PUBLIC_ORIGIN when set. */
  hubUrl: string;
  app: Hono<AppEnv>;
  server: Server;
  config: GatewayConfig;
  /** This gateway's metrics and the engine's when it runs here (GatewayBackends.metrics). */
  metrics: GatewayBackends['metrics'];
  /**
   * Everything this process measures, in one registry to serve: the gateway's, the engine's and the
   * mounted hub's when they run here, Redis connection health and Node's process metrics (once).
   * Made on each call: call it once, when starting the metrics listener.
   */
  metricsRegistry(): Registry;
  close(): Promise<void>;
}

/**
 * Starts the gateway as a server: its backends for the topology (assembly.ts), then the socket,
 * then the app — the hub URL is only known once the port is. Embedded, the hub is mounted on
 * the same origin.
 */
export async function startGateway(
  input: GatewayConfig,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const config = withRunKeys(input);
  const backends = await startBackends(config, logger, options);
  const { engine, hub } = backends;
  // Bundled while the rest starts; a page request waits for it. A failed bundle is logged, and the pages answer 500.
  const clients = options.clients === false ? undefined : loadClients();
  clients?.catch((err: unknown) => logger.error({ err }, 'could not bundle the browser clients'));

  // The hub URL is only known once the port is: bind first, then build the app.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const url = serverUrl(server, config.host);
  const hubUrl = config.mode === 'embedded' ? `${url}${MERCURE_PATH}` : config.hubUrl!;
  // What the pages are told: embedded, the hub is on the origin people reach the gateway at
  // (PUBLIC_ORIGIN, e.g. behind a reverse proxy), not on the listen address they cannot reach.
  const publicHubUrl =
    config.mode === 'embedded' && config.publicOrigin !== undefined
      ? `${config.publicOrigin}${MERCURE_PATH}`
      : hubUrl;
  if (config.demo && config.demoAllowRemote)
    logger.warn(
      { host: config.host, url },
      'the passwordless demo sign-in answers other machines (GAVEL_DEMO_ALLOW_REMOTE=true): anyone who reaches this gateway can sign in as a demo bidder or the auctioneer',
    );
  if (
    config.mode === 'distributed' &&
    config.orchestratorUrl === undefined &&
    options.catalogue === undefined
  )
    logger.warn(
      { url },
      'no ORCHESTRATOR_URL: this gateway has no back office — the sale catalogue (/v1/sales) is empty and there is no sign-in; set ORCHESTRATOR_URL (and ACCOUNTS_SERVICE_TOKEN) to serve them',
    );
  const app = assembleApp(config, backends, publicHubUrl, logger, {
    catalogue: options.catalogue,
    clients,
    session: options.session,
    url,
  });
  const listener = getRequestListener(app.fetch);
  server.on('request', (req, res) => {
    if (hub?.handle(req, res) === true) return;
    void listener(req, res);
  });
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;

  return {
    url,
    hubUrl,
    app,
    engine,
    store: backends.store,
    tokens: backends.tokens,
    hub,
    directory: backends.directory,
    server,
    config,
    metrics: backends.metrics,
    metricsRegistry() {
      const { gateway, engine: bids } = backends.metrics;
      const parts = bids === undefined ? [gateway.registry] : [gateway.registry, bids.registry];
      // The mounted hub's registry has the Redis and process metrics already.
      return hub === undefined ? processRegistry(parts) : Registry.merge([hub.metrics.registry, ...parts]);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await engine
        .drain()
        .catch((err: unknown) => logger.warn({ err }, 'could not drain the bidding engine before shutdown'));
      await backends.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
