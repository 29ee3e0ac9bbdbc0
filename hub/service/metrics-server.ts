import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { serverUrl } from '../../common/listen-url.ts';
import { notFound, writeError } from '../http/errors.ts';

export interface MetricsServer {
  /** `http://host:port`; the metrics are at `${url}/metrics`. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * The hub's Prometheus metrics on a listener of their own, loopback by default, never on the public
 * origin: they tell anyone who can read them how many people watch, how fast updates go out and
 * what the process holds. Like the reference hub, whose metrics live on Caddy's admin endpoint
 * (localhost:2019), not on the hub's public address.
 */
export async function startMetricsServer(
  registry: Registry,
  host: string,
  port: number,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        () => res.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
      );
      return;
    }
    writeError(res, notFound(`no resource at ${path ?? '/'}: GET /metrics`));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new Error(
              `MERCURE_METRICS_PORT: cannot listen on ${host}:${port} for the hub's metrics (${err.code}): set MERCURE_METRICS_PORT to a free port (0 = any) or to "off"`,
              { cause: err },
            )
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return {
    url: serverUrl(server, host),
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
