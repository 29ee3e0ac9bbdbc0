/**
 * Web Push (docs/push-notifications.md): the subscription a bidder's browser posts when they turn
 * notifications on (the shape of `PushSubscription.toJSON()`), what the account page needs to offer
 * it, and the message the service worker receives — decrypted by the browser, shown as a system
 * notification. The message carries nothing confidential: no maximum, no reserve, no other bidder.
 */
import * as z from 'zod/mini';

/** `PushSubscription.toJSON()`: the push service's URL for this browser and its encryption keys (base64url). */
export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export const PUSH_ENDPOINT_MAX = 1024;

/** What the account page needs to offer notifications on this device. */
export interface PushSettings {
  /** The VAPID public key (base64url) to subscribe with; null when push is not set up here. */
  publicKey: string | null;
  /** How many browsers of this bidder are subscribed. */
  devices: number;
  /** The kinds the bidder turned off, for all their browsers (the others are pushed). */
  muted: PushKind[];
}

export const PUSH_KINDS = ['outbid', 'closing_soon', 'coming_up', 'won'] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

export const pushSettingsSchema = z.object({
  publicKey: z.nullable(z.string()),
  devices: z.number(),
  muted: z.array(z.enum(PUSH_KINDS)),
});

/** PATCH /v1/me/push: which kinds of push the bidder turns off (the list replaces the previous one). */
export interface PushKindsInput {
  muted: PushKind[];
}

/** The decrypted payload the service worker receives. */
export interface PushMessage {
  kind: PushKind;
  /** The notification's title and text, ready to show. */
  title: string;
  body: string;
  /** Where a click on it goes: a path on this site (the lot on the bidder page). */
  url: string;
  /** One notification per lot and kind on the device: a newer one replaces the older. */
  tag: string;
  lotId: string;
  saleId: string;
  /** When it happened (ISO 8601). */
  at: string;
}

export const pushMessageSchema = z.object({
  kind: z.enum(PUSH_KINDS),
  title: z.string(),
  body: z.string(),
  url: z.string(),
  tag: z.string(),
  lotId: z.string(),
  saleId: z.string(),
  at: z.string(),
});
