import { randomUUID } from 'node:crypto';
import type { Update } from './update.ts';

/** An active subscription as listed by the subscription API: one per (selector, subscriber). */
export interface SubscriptionRecord {
  /** `/.well-known/mercure/subscriptions/{topic}/{subscriber}` */
  id: string;
  subscriber: string;
  topic: string;
  payload?: unknown;
}

/** Every subscription event's topic starts with this. */
export const SUBSCRIPTION_TOPIC_PREFIX = '/.well-known/mercure/subscriptions/';

/** The hub's reserved subscription topic for one (selector, subscriber) pair. */
export function subscriptionTopic(selector: string, subscriberId: string): string {
  return `${SUBSCRIPTION_TOPIC_PREFIX}${encodeURIComponent(selector)}/${encodeURIComponent(subscriberId)}`;
}

/** A subscriber's subscriptions: one record per selector it asked for. */
export function subscriptionRecords(
  selectors: readonly string[],
  subscriberId: string,
  payload: unknown,
): SubscriptionRecord[] {
  return selectors.map((topic) => ({
    id: subscriptionTopic(topic, subscriberId),
    subscriber: subscriberId,
    topic,
    payload,
  }));
}

/** A subscription as the spec's JSON-LD resource (the API's entries and the events' data). */
export function subscriptionResource(record: SubscriptionRecord, active: boolean): Record<string, unknown> {
  return {
    id: record.id,
    type: 'Subscription',
    subscriber: record.subscriber,
    topic: record.topic,
    active,
    ...(record.payload === undefined ? {} : { payload: record.payload }),
  };
}

/**
 * The subscription event announcing a subscription active or gone: a private update on the
 * subscription's own topic, live only (never kept in history, framed without an SSE id).
 */
export function subscriptionEvent(record: SubscriptionRecord, active: boolean): Update {
  return {
    id: `urn:uuid:${randomUUID()}`,
    topics: [record.id],
    data: JSON.stringify({ '@context': 'https://mercure.rocks/', ...subscriptionResource(record, active) }),
    private: true,
    liveOnly: true,
  };
}

/** A change to the subscription list: these records became active, or went. */
export interface SubscriptionChange {
  active: boolean;
  records: SubscriptionRecord[];
}

/** Changes in order, each run of the same kind merged into one (one transport call per run). */
export function mergeRuns(changes: readonly SubscriptionChange[]): SubscriptionChange[] {
  const runs: SubscriptionChange[] = [];
  for (const change of changes) {
    const last = runs.at(-1);
    if (last !== undefined && last.active === change.active) last.records.push(...change.records);
    else runs.push({ active: change.active, records: [...change.records] });
  }
  return runs;
}
