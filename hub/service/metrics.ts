import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { redisMetrics } from '../../common/redis.ts';

/** Prometheus metrics of one hub instance (its own registry, so several hubs can share a process). */
export class HubMetrics {
  /** Its own, plus the process's Redis connection health (gavel_redis_up, gavel_redis_outages_total). */
  readonly registry = Registry.merge([redisMetrics]);
  readonly subscribers = new Gauge({
    name: 'mercure_subscribers',
    help: 'Connected subscribers',
    registers: [this.registry],
  });
  readonly published = new Counter({
    name: 'mercure_updates_published_total',
    help: 'Updates accepted for publication',
    registers: [this.registry],
  });
  readonly dispatched = new Counter({
    name: 'mercure_updates_dispatched_total',
    help: "Updates dispatched to this instance's subscribers",
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'mercure_deliveries_total',
    help: 'Updates written to subscribers (live and replay)',
    registers: [this.registry],
  });
  readonly dropped = new Counter({
    name: 'mercure_dropped_subscribers_total',
    help: 'Subscribers dropped for falling too far behind',
    registers: [this.registry],
  });
  readonly refused = new Counter({
    name: 'mercure_refusals_total',
    help: 'Refused requests by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly subscriptionEvents = new Counter({
    name: 'mercure_subscription_events_total',
    help: 'Subscription events published (only while some subscriber may read them; never kept in history)',
    registers: [this.registry],
  });
  readonly replayed = new Histogram({
    name: 'mercure_replay_updates',
    help: 'Updates replayed per reconnecting subscriber',
    buckets: [0, 1, 10, 100, 1000, 10000],
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
