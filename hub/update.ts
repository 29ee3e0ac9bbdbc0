import { encodeEvent } from '../common/sse.ts';

/** One Mercure update, as published and as kept in history. */
export interface Update {
  /** The update's id (the SSE `id`), unique in the hub's history. */
  id: string;
  /** The first topic is canonical; the others are alternates. */
  topics: string[];
  data: string;
  private: boolean;
  type?: string | undefined;
  retry?: number | undefined;
}

const frames = new WeakMap<Update, Buffer>();

/** The SSE bytes of an update, encoded once and shared by every subscriber. */
export function frameOf(update: Update): Buffer {
  let f = frames.get(update);
  if (f === undefined) {
    f = encodeEvent({ id: update.id, event: update.type, retry: update.retry, data: update.data });
    frames.set(update, f);
  }
  return f;
}

/** The hub's reserved subscription topic for one (selector, subscriber) pair. */
export function subscriptionTopic(selector: string, subscriberId: string): string {
  return `/.well-known/mercure/subscriptions/${encodeURIComponent(selector)}/${encodeURIComponent(subscriberId)}`;
}
