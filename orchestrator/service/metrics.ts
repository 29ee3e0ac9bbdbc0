/**
 * The back office's own Prometheus metrics, beside the ledger's gauges (server.ts): how late the
 * sale clock opens sales and closes lots, how long a closed lot waits for its result, and what the
 * bidders' message channels did with each notification. One registry per orchestrator, merged into
 * its `/metrics` (several orchestrators in one process, as in tests, count apart).
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { NotifyChannel } from '../ledger/records.ts';

/** A channel that carries a notification out of Gavel (the hub is not one: it has metrics of its own). */
export type MessageChannel = NotifyChannel | 'push';
export type NotificationOutcome = 'sent' | 'failed';

const MESSAGE_CHANNELS: readonly MessageChannel[] = ['sms', 'whatsapp', 'email', 'push'];

export class BackOfficeMetrics {
  readonly registry = new Registry();

  /**
   * `close`: from the moment a timed lot may be closed (its end, extended by soft close, plus its
   * grace and the clock's skew margin) to its close; `open`: from a sale's start (or, when it was
   * set or published after its start, that change) to its opening. The tick's pause and the work
   * before the lot in the tick are what it measures.
   */
  readonly lifecycleDrift = new Histogram({
    name: 'gavel_lifecycle_drift_seconds',
    help: 'How late the sale clock opened a sale (transition=open) or closed a timed lot (transition=close) after it was due',
    labelNames: ['transition'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  /** Timed lots: from the clock's close; live lots: from the floor action that made the result final. */
  readonly finalisation = new Histogram({
    name: 'gavel_finalisation_seconds',
    help: 'From a lot closing (timed) or its final floor action (live) to its result recorded',
    labelNames: ['mode'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  /** One per message handed to a provider (a retry of a failed one counts again). */
  readonly notifications = new Counter({
    name: 'gavel_notifications_total',
    help: 'Notifications handed to a provider by channel (sms, whatsapp, email, push) and outcome (sent, failed)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Every series exists from the start, so a first failure is an increase and not a new series.
    for (const channel of MESSAGE_CHANNELS)
      for (const outcome of ['sent', 'failed'] as const) this.notifications.inc({ channel, outcome }, 0);
  }

  /** How late a transition happened, `dueMs` and `atMs` on the same clock; never negative. */
  drift(transition: 'open' | 'close', dueMs: number, atMs: number): void {
    this.lifecycleDrift.observe({ transition }, Math.max(0, atMs - dueMs) / 1000);
  }

  finalised(mode: 'timed' | 'live', fromMs: number, atMs: number): void {
    this.finalisation.observe({ mode }, Math.max(0, atMs - fromMs) / 1000);
  }

  notification(channel: MessageChannel, outcome: NotificationOutcome): void {
    this.notifications.inc({ channel, outcome });
  }
}
