/**
 * A bidder's push subscriptions (`push_subscriptions`, docs/push-notifications.md): one per browser
 * that turned notifications on. The endpoint is the browser's: when another account signs in on
 * the same browser and turns them on, the subscription moves to that bidder.
 */
import {
  PUSH_KINDS,
  type PushKind,
  type PushSettings,
  type PushSubscriptionInput,
} from '../../../common/contracts/push.ts';
import { AppError } from '../../../common/errors.ts';
import type { Queryable } from '../../ledger/db.ts';

/** The most browsers one bidder may have subscribed. */
export const MAX_PUSH_DEVICES = 10;

export async function pushSettings(
  q: Queryable,
  bidderId: string,
  publicKey: string | null,
): Promise<PushSettings> {
  const [r] = await q.query<{ n: unknown; muted: unknown }>(
    `SELECT (SELECT count(*)::int FROM push_subscriptions WHERE bidder_id = $1) AS n,
            (SELECT push_muted FROM bidders WHERE id = $1) AS muted`,
    [bidderId],
  );
  const muted = Array.isArray(r?.muted) ? (r.muted as unknown[]) : [];
  return {
    publicKey,
    devices: Number(r?.n ?? 0),
    muted: PUSH_KINDS.filter((k) => muted.includes(k)),
  };
}

/** The kinds of push the bidder turns off, for all their browsers (migration 0017 `bidders.push_muted`). */
export async function setMutedKinds(
  q: Queryable,
  bidderId: string,
  muted: readonly PushKind[],
): Promise<void> {
  await q.query('UPDATE bidders SET push_muted = $2::text[] WHERE id = $1', [
    bidderId,
    PUSH_KINDS.filter((k) => muted.includes(k)),
  ]);
}

/** Adds (or refreshes, or takes over) the subscription of this browser; the input is already checked. */
export async function addSubscription(
  q: Queryable,
  bidderId: string,
  s: PushSubscriptionInput,
): Promise<void> {
  const [mine] = await q.query<{ n: unknown }>(
    `SELECT count(*)::int AS n FROM push_subscriptions WHERE bidder_id = $1 AND endpoint <> $2`,
    [bidderId, s.endpoint],
  );
  if (Number(mine?.n ?? 0) >= MAX_PUSH_DEVICES)
    throw new AppError(
      'TOO_MANY_PUSH_DEVICES',
      `notifications are on for ${MAX_PUSH_DEVICES} browsers already: turn them off on one first`,
    );
  await q.query(
    `INSERT INTO push_subscriptions (bidder_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)
     ON CONFLICT (endpoint) DO UPDATE
        SET bidder_id = EXCLUDED.bidder_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
            failures = 0,
            created_at = CASE WHEN push_subscriptions.bidder_id = EXCLUDED.bidder_id
                              THEN push_subscriptions.created_at ELSE now() END`,
    [bidderId, s.endpoint, s.keys.p256dh, s.keys.auth],
  );
}

/** Removes this browser's subscription of this bidder (none: nothing to do). */
export async function removeSubscription(q: Queryable, bidderId: string, endpoint: string): Promise<void> {
  await q.query('DELETE FROM push_subscriptions WHERE bidder_id = $1 AND endpoint = $2', [
    bidderId,
    endpoint,
  ]);
}
