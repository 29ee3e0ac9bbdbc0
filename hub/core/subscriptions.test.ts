import { describe, expect, it } from 'vitest';
import {
  mergeRuns,
  subscriptionEvent,
  subscriptionRecords,
  subscriptionResource,
  subscriptionTopic,
  SUBSCRIPTION_TOPIC_PREFIX,
  type SubscriptionRecord,
} from './subscriptions.ts';

const record = (topic: string, payload?: unknown): SubscriptionRecord => ({
  id: subscriptionTopic(topic, 'urn:uuid:s1'),
  subscriber: 'urn:uuid:s1',
  topic,
  ...(payload === undefined ? {} : { payload }),
});

describe('subscriptions', () => {
  it('names a subscription by its percent-encoded selector and subscriber under the reserved prefix', () => {
    expect(subscriptionTopic('https://h/{id}', 'urn:uuid:1')).toBe(
      `${SUBSCRIPTION_TOPIC_PREFIX}https%3A%2F%2Fh%2F%7Bid%7D/urn%3Auuid%3A1`,
    );
  });

  it('makes one record per selector of a subscriber, carrying its payload', () => {
    expect(subscriptionRecords(['a', 'b'], 'urn:uuid:s1', { user: 7 })).toEqual([
      {
        id: subscriptionTopic('a', 'urn:uuid:s1'),
        subscriber: 'urn:uuid:s1',
        topic: 'a',
        payload: { user: 7 },
      },
      {
        id: subscriptionTopic('b', 'urn:uuid:s1'),
        subscriber: 'urn:uuid:s1',
        topic: 'b',
        payload: { user: 7 },
      },
    ]);
  });

  it('shows a subscription as the JSON-LD resource, with a payload only when there is one', () => {
    expect(subscriptionResource(record('a'), true)).toEqual({
      id: record('a').id,
      type: 'Subscription',
      subscriber: 'urn:uuid:s1',
      topic: 'a',
      active: true,
    });
    expect(subscriptionResource(record('a', null), false)).toMatchObject({ active: false, payload: null });
  });

  it('announces a subscription as a private, live-only update on its own topic', () => {
    const r = record('a', { user: 7 });
    const e = subscriptionEvent(r, false);
    expect(e).toMatchObject({ topics: [r.id], private: true, liveOnly: true });
    expect(e.id).toMatch(/^urn:uuid:/);
    expect(subscriptionEvent(r, false).id).not.toBe(e.id);
    expect(JSON.parse(e.data)).toEqual({
      '@context': 'https://mercure.rocks/',
      id: r.id,
      type: 'Subscription',
      subscriber: 'urn:uuid:s1',
      topic: 'a',
      active: false,
      payload: { user: 7 },
    });
  });

  it('merges consecutive changes of one kind, keeping their order', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((t) => record(t));
    const queued = [
      { active: true, records: [a!] },
      { active: true, records: [b!] },
      { active: false, records: [a!] },
      { active: true, records: [c!, d!] },
    ];
    expect(mergeRuns(queued)).toEqual([
      { active: true, records: [a, b] },
      { active: false, records: [a] },
      { active: true, records: [c, d] },
    ]);
    // The queued changes themselves are left as they were.
    expect(queued[0]!.records).toEqual([a]);
    expect(mergeRuns([])).toEqual([]);
  });
});
