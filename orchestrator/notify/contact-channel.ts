import type { Logger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import type { Notification, NotificationChannel } from './outbox.ts';
import type { NotifyChannel } from '../ledger/records.ts';
import type { BackOfficeMetrics } from '../service/metrics.ts';
import { SendError, type Sender } from './senders.ts';
import { messageFor } from './templates.ts';

export interface ContactChannelOptions {
  channel: NotifyChannel;
  sender: Sender;
  db: Database;
  logger: Logger;
  /**
   * Where a message goes when this channel refuses it for good — WhatsApp outside its 24-hour
   * session window (free text needs a session) falls back to SMS on the same number.
   */
  fallback?: ContactChannel | undefined;
  /** Counts each message sent or failed (`gavel_notifications_total`); unset = not counted. */
  metrics?: BackOfficeMetrics | undefined;
}

/**
 * A bidder's own notification by SMS, WhatsApp or email — for bidders who asked for that channel
 * (`bidders.notify_channels`) and have its address (a phone for SMS and WhatsApp, an email).
 *
 * The outbox delivers at least once; this sends once per notification and channel: a sent (or
 * finally refused) message is recorded in `notification_deliveries`, and a repeat finds it. A crash
 * after the provider took a message and before the record is written still repeats it: the one
 * window that cannot be closed without the provider's own idempotency.
 */
export class ContactChannel implements NotificationChannel {
  readonly name: string;
  private readonly o: ContactChannelOptions;
  constructor(o: ContactChannelOptions) {
    this.o = o;
    this.name = o.channel;
  }

  async deliver(n: Notification): Promise<void> {
    const bidderId = n.payload.bidderId;
    if (typeof bidderId !== 'string') return;
    const message = messageFor(n);
    if (message === undefined) return;
    const { db, channel } = this.o;
    const [b] = await db.query<{
      email: string | null;
      phone_e164: string | null;
      notify_channels: string[];
    }>('SELECT email, phone_e164, notify_channels FROM bidders WHERE id = $1', [bidderId]);
    if (b === undefined || !b.notify_channels.includes(channel)) return;
    const to = channel === 'email' ? b.email : b.phone_e164;
    if (to === null) return;
    const outcome = await this.sendOnce(n, to, message);
    if (outcome === 'refused' && this.o.fallback !== undefined) {
      const fallbackTo = this.o.fallback.o.channel === 'email' ? b.email : b.phone_e164;
      if (fallbackTo !== null) await this.o.fallback.sendOnce(n, fallbackTo, message);
    }
  }

  /** Sends unless this notification already went out on this channel; records what happened. */
  private async sendOnce(
    n: Notification,
    to: string,
    message: NonNullable<ReturnType<typeof messageFor>>,
  ): Promise<'sent' | 'refused' | 'already'> {
    const { db, channel, logger } = this.o;
    const sent = await db.query(
      'SELECT 1 FROM notification_deliveries WHERE notification_id = $1 AND channel = $2',
      [n.id, channel],
    );
    if (sent.length > 0) return 'already';
    const log = logger.child({ notificationId: n.id, type: n.type, channel, correlationId: n.correlationId });
    let ref: string | null = null;
    let error: string | null = null;
    try {
      ref = await this.o.sender.send(to, message, n.id);
    } catch (err) {
      // A refusal for good or a provider that failed to take it (retried by the outbox): failed either way.
      this.o.metrics?.notification(channel, 'failed');
      if (!(err instanceof SendError) || !err.permanent) throw err;
      // Retrying cannot help: recorded, and the rest of the notification goes ahead.
      error = err.message.slice(0, 500);
      log.warn({ err: err.message }, 'the provider refused the message for good; not retried');
    }
    await db.query(
      `INSERT INTO notification_deliveries (notification_id, channel, recipient, provider_ref, error)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [n.id, channel, to, ref, error],
    );
    if (error !== null) return 'refused';
    this.o.metrics?.notification(channel, 'sent');
    log.info({ providerRef: ref }, 'notification sent');
    return 'sent';
  }
}
