import { describe, expect, it } from 'vitest';
import { isReplay, liveLatency } from './latency.ts';

const OPENED = Date.parse('2030-01-01T12:00:00.000Z');
const at = (ms: number): string => new Date(OPENED + ms).toISOString();

describe('the floor console’s latency figure', () => {
  it('treats an update decided before the connection opened as a replay', () => {
    // What the hub sends on opening (from the snapshot's resume point) or after a reconnect: 91 s old.
    expect(isReplay({ decidedAt: at(-91_484) }, OPENED)).toBe(true);
    expect(isReplay({ decidedAt: at(-1) }, OPENED)).toBe(true);
    expect(isReplay({ decidedAt: at(0) }, OPENED)).toBe(false);
    expect(isReplay({ decidedAt: at(40) }, OPENED)).toBe(false);
    // No decision time (a republished state), or not open yet: nothing to tell it by.
    expect(isReplay({ decidedAt: null }, OPENED)).toBe(false);
    expect(isReplay({ decidedAt: at(-5_000) }, undefined)).toBe(false);
  });

  it('counts live decisions only', () => {
    const arrived = OPENED + 1_000;
    expect(liveLatency({ decidedAt: at(960), lastAction: 'bid' }, 'live', arrived)).toBe(40);
    expect(liveLatency({ decidedAt: at(900), lastAction: 'hammer' }, 'live', arrived)).toBe(100);
    // A replay says nothing about how fast live updates arrive.
    expect(liveLatency({ decidedAt: at(-91_484), lastAction: 'bid' }, 'replay', arrived)).toBeUndefined();
    // Not decisions: the lot as it stands, the clock's close, the back office's result.
    expect(liveLatency({ decidedAt: null, lastAction: 'state' }, 'live', arrived)).toBeUndefined();
    expect(liveLatency({ decidedAt: at(990), lastAction: 'close' }, 'live', arrived)).toBeUndefined();
    expect(liveLatency({ decidedAt: at(990), lastAction: 'result' }, 'live', arrived)).toBeUndefined();
  });
});
