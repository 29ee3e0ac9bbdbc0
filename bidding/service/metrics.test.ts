import { describe, expect, it } from 'vitest';
import { bidLabels, EngineMetrics, PublishTimer } from './metrics.ts';

describe('engine metrics', () => {
  it('keeps the labels of gavel_bids_total to a bounded set', () => {
    expect(bidLabels('sms', 'accepted', undefined)).toEqual({
      channel: 'sms',
      outcome: 'accepted',
      reason: 'none',
    });
    expect(bidLabels('api', 'rejected', 'OUTBID')).toEqual({
      channel: 'api',
      outcome: 'refused',
      reason: 'OUTBID',
    });
    // A floor refusal code is a known reason too; anything else is `other`, whatever a store answers.
    expect(bidLabels('floor', 'rejected', 'TOO_HIGH').reason).toBe('TOO_HIGH');
    expect(bidLabels('fax', 'rejected', 'SOMETHING_NEW')).toEqual({
      channel: 'other',
      outcome: 'refused',
      reason: 'other',
    });
  });

  it('times each bid to the first published state at or after its seq, and forgets the oldest beyond its cap', async () => {
    const m = new EngineMetrics();
    const timer = new PublishTimer(m.publishSeconds, 3);
    const count = async (): Promise<number> =>
      (await m.publishSeconds.get()).values.find((v) => v.metricName === 'gavel_bid_publish_seconds_count')
        ?.value ?? 0;
    const t0 = performance.now();
    timer.queued('a', 2, t0);
    timer.queued('a', 1, t0);
    timer.queued('a', 3, t0);
    timer.published('a', 2);
    expect(await count()).toBe(2);
    timer.published('b', 9);
    expect(await count()).toBe(2);
    for (const seq of [4, 5, 6, 7]) timer.queued('a', seq, t0);
    // seq 3 and 4 were dropped by the cap of 3: only 5, 6, 7 are timed.
    timer.published('a', 10);
    expect(await count()).toBe(5);
    timer.published('a', 11);
    expect(await count()).toBe(5);
  });
});
