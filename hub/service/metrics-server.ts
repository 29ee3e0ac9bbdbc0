import type { Registry } from 'prom-client';
import { serveMetrics, type MetricsServer } from '../../common/metrics.ts';

export type { MetricsServer } from '../../common/metrics.ts';

/**
 * The hub's Prometheus metrics on a listener of their own (MERCURE_METRICS_HOST/PORT), loopback by
 * default, never on the public origin. Like the reference hub, whose metrics live on Caddy's admin
 * endpoint (localhost:2019), not on the hub's public address.
 */
export function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  return serveMetrics(registry, host, port, { env: 'MERCURE_METRICS_PORT', what: "the hub's metrics" });
}
