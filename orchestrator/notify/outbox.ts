/**
 * Notifications from the transactional outbox. Events are written in the transaction that causes
 * them (lot won, outbid by the close, extended, closing soon…); the dispatcher leases a batch
 * (so several orchestrators share the work without holding a transaction open during delivery),
 * hands each event to every channel, and marks it delivered — or backs off and retries. Delivery is
 * at least once: a crash after a channel delivered but before the mark repeats the event, so every
 * channel must be idempotent on `Notification.id` (the hub is: the update id is derived from it and
 * a republished id is not delivered twice).
 */
import type { HubPublisher } from '../../common/hub-publisher.ts';
import type { Logger } from '../../common/logger.ts';
import { isRedisUnavailable } from '../../common/redis.ts';
import { correlationAttrs, inSpan } from '../../common/tracing.ts';
import type { Database } from '../ledger/db.ts';
import { Poller } from '../service/poller.ts';

export interface Notification {
  id: number;
  /** The hub topic: a bidder's private topic, or a public sale/auction topic. */
  topic: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: number;
  attempts: number;
  /** What caused it (the winning bid's correlation id, an admin request's), carried into every log line. */
  correlationId: string | undefined;
  /** The topic is an invite-only sale's (or one of its lots'): published as a private update. */
  privateTopic?: boolean;
}

/** Where notifications go: the hub now; SMS, WhatsApp and email plug in here. Must be idempotent on `n.id`. */
export interface NotificationChannel {
  readonly name: string;
  deliver(n: Notification): Promise<void>;
}

/**
 * Outbox events that exist for Web Push alone (notify/push/): the engine has already told the
 * bidder's screens that they were outbid, so the hub does not publish them a second time.
 */
export const PUSH_ONLY_TYPES: ReadonlySet<string> = new Set(['lot.outbid', 'lot.coming_up']);

/** Pushes notifications through the Mercure hub: private on bidder topics, public on sale and auction topics. */
export class HubChannel implements NotificationChannel {
  readonly name = 'hub';
  private readonly publisher: HubPublisher;
  /** Topics under this prefix are private (a bidder's own). */
  private readonly privatePrefix: string;
  constructor(publisher: HubPublisher, privatePrefix: string) {
    this.publisher = publisher;
    this.privatePrefix = privatePrefix;
  }

  async deliver(n: Notification): Promise<void> {
    if (PUSH_ONLY_TYPES.has(n.type)) return;
    await this.publisher.publish({
      topics: [n.topic],
      data: JSON.stringify({
        type: n.type,
        notificationId: n.id,
        at: new Date(n.createdAt).toISOString(),
        ...n.payload,
      }),
      // Nothing awaited before the publish: notices leave in the order the dispatcher hands them over.
      private: n.topic.startsWith(this.privatePrefix) || n.privateTopic === true,
      id: `urn:gavel:notification:${n.id}`,
      type: n.type,
    });
  }
}

export interface OutboxDispatcherOptions {
  db: Database;
  channels: NotificationChannel[];
  logger: Logger;
  batchSize?: number;
  /** How long a leased batch is hidden from other dispatchers. Default 30 s. */
  leaseMs?: number;
  pollMs?: number;
  /** Retry delay after the n-th failure: min(maxBackoffMs, baseBackoffMs × 2^(n-1)). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * A SQL condition on an `outbox_events` row (alias `outbox_events`) that is true when its topic is
   * an invite-only sale's: evaluated in the query that claims the batch, so no notice waits on a
   * look-up of its own before it is published (a late "open" would land after newer bids).
   */
  privateTopicSql?: string;
}

export class OutboxDispatcher {
  private readonly o: Required<
    Omit<OutboxDispatcherOptions, 'db' | 'channels' | 'logger' | 'privateTopicSql'>
  >;
  private readonly poller = new Poller(
    // A full batch means more may be waiting: go again at once.
    () => this.runOnce().then((n) => (n >= this.o.batchSize ? 0 : this.o.pollMs)),
    (err) => this.opts.logger.error({ err }, 'outbox pass failed; retrying'),
  );
  /** Delivered since start (tests, metrics). */
  delivered = 0;
  failed = 0;

  private readonly opts: OutboxDispatcherOptions;
  constructor(opts: OutboxDispatcherOptions) {
    this.opts = opts;
    this.o = {
      batchSize: opts.batchSize ?? 100,
      leaseMs: opts.leaseMs ?? 30_000,
      pollMs: opts.pollMs ?? 200,
      baseBackoffMs: opts.baseBackoffMs ?? 1_000,
      maxBackoffMs: opts.maxBackoffMs ?? 300_000,
    };
  }

  start(): void {
    this.poller.start(this.o.pollMs);
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Leases due events, delivers them in order, marks each delivered or schedules its retry. Returns how many it leased. */
  async runOnce(): Promise<number> {
    const { db, channels, logger } = this.opts;
    const lockClause = db.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const privateTopic = this.opts.privateTopicSql ?? 'false';
    const rows = await db.query<{
      id: unknown;
      topic: string;
      type: string;
      payload: unknown;
      created_at: unknown;
      attempts: unknown;
      correlation_id: string | null;
      private_topic: boolean | null;
    }>(
      `UPDATE outbox_events SET available_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE id IN (SELECT id FROM outbox_events
                      WHERE published_at IS NULL AND available_at <= now()
                      ORDER BY id LIMIT $1 ${lockClause})
        RETURNING id, topic, type, payload, created_at, attempts, correlation_id, (${privateTopic}) AS private_topic`,
      [this.o.batchSize, this.o.leaseMs],
    );
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    for (const r of rows) {
      const n: Notification = {
        id: Number(r.id),
        topic: r.topic,
        type: r.type,
        payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<
          string,
          unknown
        >,
        createdAt: new Date(r.created_at as string | Date).getTime(),
        attempts: Number(r.attempts),
        correlationId: r.correlation_id ?? undefined,
        privateTopic: r.private_topic === true,
      };
      try {
        // A trace of its own per notification, joined to the bid's by the correlation id.
        await inSpan(
          'notification.send',
          {
            kind: 'producer',
            parent: null,
            attributes: {
              ...correlationAttrs(n.correlationId),
              'gavel.notification.id': n.id,
              'gavel.notification.type': n.type,
              'gavel.notification.attempt': n.attempts + 1,
              'gavel.notification.channels': channels.map((ch) => ch.name),
            },
          },
          async () => {
            for (const ch of channels) await ch.deliver(n);
          },
        );
        await db.query(
          `UPDATE outbox_events SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`,
          [n.id],
        );
        this.delivered++;
        logger.info(
          { notificationId: n.id, type: n.type, topic: n.topic, correlationId: n.correlationId },
          'notification delivered',
        );
      } catch (err) {
        this.failed++;
        const delay = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** n.attempts);
        await db.query(
          `UPDATE outbox_events SET attempts = attempts + 1, last_error = $2,
                  available_at = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1`,
          [n.id, err instanceof Error ? err.message.slice(0, 500) : String(err), delay],
        );
        // Redis out of reach: its client logged the outage once; not a warning per notification and retry.
        logger[isRedisUnavailable(err) ? 'debug' : 'warn'](
          {
            err,
            notificationId: n.id,
            type: n.type,
            correlationId: n.correlationId,
            attempts: n.attempts + 1,
            retryInMs: delay,
          },
          'notification not delivered; will retry',
        );
      }
    }
    return rows.length;
  }

  /** Events not yet delivered (for /healthz and metrics). */
  async pending(): Promise<number> {
    const rows = await this.opts.db.query<{ n: unknown }>(
      'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL',
    );
    return Number(rows[0]?.n ?? 0);
  }
}
