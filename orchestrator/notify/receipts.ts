/**
 * Delivery receipts from Twilio (`StatusCallback`): each message's status as the provider learns
 * it, recorded on its `notification_deliveries` row. Receipts may arrive out of order, so a status
 * only moves forward (queued → sent → delivered → read); undelivered and failed are final.
 */
import { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import { errorHandler } from '../../common/http-errors.ts';
import type { Logger } from '../../common/logger.ts';
import { twilioForm } from '../../common/twilio.ts';
import type { Database } from '../ledger/db.ts';

// A Map, not an object literal: a status is the provider's text, and `constructor` or `__proto__`
// would find what every object inherits.
const RANK: ReadonlyMap<string, number> = new Map([
  ['accepted', 0],
  ['queued', 1],
  ['sending', 2],
  ['sent', 3],
  ['delivered', 4],
  ['read', 5],
  ['undelivered', 9],
  ['failed', 9],
]);

export interface ReceiptRoutesOptions {
  db: Database;
  authToken: string;
  /** The public origin Twilio posts to (its signature covers that URL); unset: the request's own. */
  publicUrl: string | undefined;
  logger: Logger;
}

/** `POST /twilio/status`, mounted at `/notify`: the receipt for one message. */
export function receiptRoutes(o: ReceiptRoutesOptions): Hono {
  const app = new Hono();
  app.onError(errorHandler(o.logger));
  app.post('/twilio/status', async (c) => {
    const form = await twilioForm(c, o.authToken, o.publicUrl, 'TWILIO_AUTH_TOKEN and NOTIFY_PUBLIC_URL');
    const sid = form.get('MessageSid');
    const status = (form.get('MessageStatus') ?? '').toLowerCase();
    const rank = RANK.get(status);
    if (sid === null || sid === '' || rank === undefined)
      throw new AppError('VALIDATION_FAILED', 'a receipt needs MessageSid and a known MessageStatus', {
        details: { known: [...RANK.keys()] },
      });
    const code = form.get('ErrorCode');
    const rows = await o.db.query<{ notification_id: string }>(
      `UPDATE notification_deliveries
          SET status = $2, status_at = now(),
              error = CASE WHEN $3::text IS NULL THEN error ELSE $3 END
        WHERE provider_ref = $1
          AND (status IS NULL OR COALESCE(($4::jsonb ->> status)::int, 0) < $5)
        RETURNING notification_id`,
      [
        sid,
        status,
        code === null || code === '' ? null : `${status} (code ${code})`,
        JSON.stringify(Object.fromEntries(RANK)),
        rank,
      ],
    );
    o.logger.info({ providerRef: sid, status, recorded: rows.length > 0 }, 'delivery receipt');
    return c.body(null, 204);
  });
  return app;
}
