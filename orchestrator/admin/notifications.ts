/**
 * What a bidder was told, and how: each notification on their topic, with its delivery per channel.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { mustBidder } from './lookups.ts';

export function notificationRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db, topics } = deps;
  app.get('/bidders/:id/notifications', async (c) => {
    const id = c.req.param('id');
    await mustBidder(db, id);
    const events = await db.query<{
      id: string;
      type: string;
      payload: unknown;
      created_at: Date | string;
      published_at: Date | string | null;
      attempts: number;
      last_error: string | null;
    }>(
      `SELECT id, type, payload, created_at, published_at, attempts, last_error FROM outbox_events
        WHERE topic = $1 ORDER BY id DESC LIMIT 200`,
      [topics.bidder(id)],
    );
    const deliveries =
      events.length === 0
        ? []
        : await db.query<{
            notification_id: string;
            channel: string;
            recipient: string;
            provider_ref: string | null;
            error: string | null;
            delivered_at: Date | string;
            status: string | null;
            status_at: Date | string | null;
          }>(
            `SELECT notification_id, channel, recipient, provider_ref, error, delivered_at, status, status_at FROM notification_deliveries
              WHERE notification_id = ANY($1::bigint[]) ORDER BY channel`,
            [events.map((e) => e.id)],
          );
    const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());
    return c.json({
      notifications: events.map((e) => ({
        id: Number(e.id),
        type: e.type,
        payload: typeof e.payload === 'string' ? (JSON.parse(e.payload) as unknown) : e.payload,
        createdAt: iso(e.created_at),
        deliveredAt: iso(e.published_at),
        attempts: e.attempts,
        lastError: e.last_error,
        channels: deliveries
          .filter((d) => String(d.notification_id) === String(e.id))
          .map((d) => ({
            channel: d.channel,
            recipient: d.recipient,
            providerRef: d.provider_ref,
            error: d.error,
            at: iso(d.delivered_at),
            status: d.status,
            statusAt: iso(d.status_at),
          })),
      })),
    });
  });
}
