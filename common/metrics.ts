/**
 * Prometheus metrics on a listener of their own, never on a public origin: they tell anyone who can
 * read them how many people watch and bid, how fast decisions go and what the process holds. Each
 * service reads `<SVC>_METRICS_HOST` (loopback by default) and `<SVC>_METRICS_PORT` (`0` = any free
 * port, `off` = none) — the hub MERCURE_*, the engine BIDDING_*, a distributed gateway GATEWAY_*.
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { errorBody } from './errors.ts';
import { serverUrl } from './listen-url.ts';
import { redisMetrics } from './redis.ts';

export interface MetricsServer {
  /** `http://host:port`; the metrics are at `${url}/metrics`. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Where a service's `/metrics` listens: a host and a port (undefined = no listener; 0 = any free port). */
export interface MetricsListen {
  host: string;
  port: number | undefined;
}

/** `<SVC>_METRICS_HOST`: loopback unless told otherwise (a container binds 0.0.0.0 on its private network). */
export const metricsHostEnv = z.string().min(1).default('127.0.0.1');

/** `<SVC>_METRICS_PORT`: `off` (or `false`, `none`, `no`) = no listener; empty = `fallback`; else a port (0 = any). */
export const metricsPortEnv = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const s = v.trim().toLowerCase();
      if (['off', 'false', 'none', 'no'].includes(s)) return undefined;
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a port in [0, 65535] (0 = any free port) or "off", got "${v}"`,
        });
        return z.NEVER;
      }
      return n;
    });

/**
 * One process's registry: the parts given (each service's own metrics), the process's Redis
 * connection health (`gavel_redis_up`, `gavel_redis_outages_total`) and Node's default process
 * metrics, unprefixed as the hub's. A snapshot: the parts' metrics must exist when it is made.
 */
export function processRegistry(parts: readonly Registry[], opts: { redis?: boolean } = {}): Registry {
  const registry = Registry.merge([...parts, ...(opts.redis === false ? [] : [redisMetrics])]);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Serves `registry` at `GET /metrics` on `host:port`, and nothing else (JSON 404). `envName` is the
 * variable named when the port cannot be had (e.g. `BIDDING_METRICS_PORT`); `what` says whose they are.
 */
export async function serveMetrics(
  registry: Registry,
  host: string,
  port: number,
  names: { env: string; what: string },
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        () => res.writeHead(503, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
      );
      return;
    }
    res
      .writeHead(404, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(errorBody('NOT_FOUND', `no resource at ${path}: GET /metrics`)));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new Error(
              `${names.env}: cannot listen on ${host}:${port} for ${names.what} (${err.code}): set ${names.env} to a free port (0 = any) or to "off"`,
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
