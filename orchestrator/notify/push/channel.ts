/**
 * The Web Push channel (docs/push-notifications.md): the outbox's bidder events that are pushed
 * (payload.ts) go to every browser the bidder subscribed, encrypted for it (aes128gcm, RFC 8291) and
 * signed with the house's VAPID key (RFC 8292) by the `web-push` library; the POST itself is ours
 * (fetch), so a push service on loopback http works in tests and no redirect is ever followed.
 *
 * Once per notification and browser: a send the push service took (or refused for good) is recorded
 * in `push_deliveries`, and the outbox's repeat skips it. A 404 or 410 means the browser dropped the
 * subscription: it is deleted. A push service that is down (5xx, 429, no answer) fails the event, so
 * the outbox retries it with its back-off — up to `maxAttempts`, then the push is given up (the hub
 * and the messages have gone already; a push hours late is worse than none).
 */
import webpush from 'web-push';
import type { PushMessage } from '../../../common/contracts/push.ts';
import type { Logger } from '../../../common/logger.ts';
import type { Database } from '../../ledger/db.ts';
import type { BackOfficeMetrics } from '../../service/metrics.ts';
import type { Notification, NotificationChannel } from '../outbox.ts';
import { pushMessageFor } from './payload.ts';
import type { VapidKeys } from './vapid.ts';

export interface PushChannelOptions {
  vapid: VapidKeys;
  db: Database;
  logger: Logger;
  /** How long the push service keeps a message for a browser that is offline (seconds). Default 1 hour. */
  ttlSeconds?: number | undefined;
  /** Outbox attempts after which a push service that keeps failing is given up on for this event. Default 5. */
  maxAttempts?: number;
  timeoutMs?: number;
  /** Counts each push sent or failed (`gavel_notifications_total{channel="push"}`); unset = not counted. */
  metrics?: BackOfficeMetrics | undefined;
}

/** Consecutive transient failures after which a subscription is dropped (its push service never answers). */
export const MAX_SUBSCRIPTION_FAILURES = 10;

type SubscriptionRow = {
  id: unknown;
  endpoint: string;
  p256dh: string;
  auth: string;
};

type Outcome = 'sent' | 'gone' | 'refused' | 'transient';

export class PushChannel implements NotificationChannel {
  readonly name = 'push';
  private readonly o: PushChannelOptions;
  constructor(o: PushChannelOptions) {
    this.o = o;
  }

  async deliver(n: Notification): Promise<void> {
    const message = pushMessageFor(n);
    if (message === undefined) return;
    const { db } = this.o;
    // None when the bidder turned this kind off (`bidders.push_muted`, per bidder, all browsers).
    const subs = await db.query<SubscriptionRow>(
      `SELECT s.id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s JOIN bidders b ON b.id = s.bidder_id
        WHERE s.bidder_id = $1 AND NOT ($3 = ANY (b.push_muted))
          AND NOT EXISTS (SELECT 1 FROM push_deliveries d WHERE d.notification_id = $2 AND d.subscription_id = s.id)
        ORDER BY s.id`,
      [n.payload.bidderId, n.id, message.kind],
    );
    let failed: string | undefined;
    for (const s of subs) {
      const r = await this.sendOne(n, message, s);
      if (r.outcome === 'transient') failed = r.why;
      // A subscription the browser dropped (`gone`) is no failure of the push service: not counted.
      if (r.outcome !== 'gone')
        this.o.metrics?.notification('push', r.outcome === 'sent' ? 'sent' : 'failed');
    }
    // Thrown: the outbox retries the event; every browser already reached is skipped then.
    if (failed !== undefined && n.attempts + 1 < (this.o.maxAttempts ?? 5))
      throw new Error(`push service failed: ${failed}`);
  }

  private async sendOne(
    n: Notification,
    message: PushMessage,
    s: SubscriptionRow,
  ): Promise<{ outcome: Outcome; why?: string }> {
    const { db, vapid } = this.o;
    const subId = Number(s.id);
    const log = this.o.logger.child({
      notificationId: n.id,
      type: n.type,
      channel: 'push',
      subscriptionId: subId,
      correlationId: n.correlationId,
    });
    const details = webpush.generateRequestDetails(
      { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } },
      JSON.stringify(message),
      {
        vapidDetails: vapid,
        TTL: this.o.ttlSeconds ?? 3600,
        contentEncoding: 'aes128gcm',
        // Outbid and closing soon are worth waking a phone for; the rest may wait for the next wake.
        urgency: message.kind === 'outbid' || message.kind === 'closing_soon' ? 'high' : 'normal',
      },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(details.headers))
      if (k.toLowerCase() !== 'content-length') headers[k] = String(v);
    let status: number;
    try {
      const res = await fetch(details.endpoint, {
        method: 'POST',
        headers,
        body: new Uint8Array(details.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      const why = `no answer: ${err instanceof Error ? err.message : String(err)}`;
      await this.failed(subId);
      log.warn({ err: why }, 'push service unreachable; will retry');
      return { outcome: 'transient', why };
    }
    if (status >= 200 && status < 300) {
      await db.query(
        `INSERT INTO push_deliveries (notification_id, subscription_id, status) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [n.id, subId, status],
      );
      await db.query('UPDATE push_subscriptions SET last_success_at = now(), failures = 0 WHERE id = $1', [
        subId,
      ]);
      log.info({ status }, 'push sent');
      return { outcome: 'sent' };
    }
    if (status === 404 || status === 410) {
      // The browser unsubscribed, or the subscription expired: it will never work again.
      await db.query('DELETE FROM push_subscriptions WHERE id = $1', [subId]);
      log.info({ status }, 'push subscription gone; removed');
      return { outcome: 'gone' };
    }
    if (status === 429 || status >= 500 || (status >= 300 && status < 400)) {
      await this.failed(subId);
      log.warn({ status }, 'push service did not take the message; will retry');
      return { outcome: 'transient', why: `answered ${status}` };
    }
    // Any other refusal (a payload too large, a key the service does not accept): retrying cannot help.
    await db.query(
      `INSERT INTO push_deliveries (notification_id, subscription_id, status, error) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [n.id, subId, status, `refused with ${status}`],
    );
    await this.failed(subId);
    log.warn({ status }, 'push service refused the message; not retried');
    return { outcome: 'refused' };
  }

  /** One more failure; a subscription that has failed too often in a row is dropped. */
  private async failed(subId: number): Promise<void> {
    await this.o.db.query('UPDATE push_subscriptions SET failures = failures + 1 WHERE id = $1', [subId]);
    await this.o.db.query('DELETE FROM push_subscriptions WHERE id = $1 AND failures >= $2', [
      subId,
      MAX_SUBSCRIPTION_FAILURES,
    ]);
  }
}
