import { describe, expect, it } from 'vitest';
import { killDelay, KillPlan } from './kills.ts';

const topo = {
  gateways: [{ name: 'gateway-1' }, { name: 'gateway-2' }],
  hubs: [{ name: 'hub-1' }, { name: 'hub-2' }],
  bidding: { name: 'bidding' },
  orchestrator: { name: 'orchestrator' },
};

describe('KillPlan', () => {
  it('cycles gateway, engine, hub, orchestrator, redis, and each kind through its instances', () => {
    const plan = new KillPlan(topo);
    expect(Array.from({ length: 12 }, (_, i) => plan.next(i))).toEqual([
      'gateway-1',
      'bidding',
      'hub-1',
      'orchestrator',
      'redis',
      'gateway-2',
      'bidding',
      'hub-2',
      'orchestrator',
      'redis',
      'gateway-1',
      'bidding',
    ]);
  });
});

describe('killDelay', () => {
  it('spreads the kills evenly over the planned time, each in the middle of its slice', () => {
    // 4 kills over 0..40 s: at 5, 15, 25, 35 s.
    expect(killDelay(0, 4, 0, 40_000, 0)).toBe(5_000);
    expect(killDelay(1, 4, 0, 40_000, 10_000)).toBe(5_000);
    expect(killDelay(3, 4, 0, 40_000, 30_000)).toBe(5_000);
  });

  it('behind schedule, leaves a second of bidding between kills but none before the first', () => {
    expect(killDelay(0, 4, 0, 40_000, 20_000)).toBe(0);
    expect(killDelay(2, 4, 0, 40_000, 30_000)).toBe(1_000);
  });
});
