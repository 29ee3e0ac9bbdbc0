import { describe, expect, it } from 'vitest';
import { Poller } from './poller.ts';

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once `cond()` holds (checked every few ms), failing the test after `ms`. */
async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('Poller', () => {
  it('never runs two passes at once, even when the pause is 0 and start is called again', async () => {
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    const poller = new Poller(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 3));
        active--;
        passes++;
        return 0;
      },
      () => undefined,
    );
    poller.start(10);
    poller.start(10);
    await until(() => passes >= 20);
    await poller.stop();
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
  });

  it('stop waits for the pass in flight and starts no other', async () => {
    const gate = deferred();
    const entered = deferred();
    let started = 0;
    let finished = 0;
    const poller = new Poller(
      async () => {
        started++;
        entered.resolve();
        await gate.promise;
        finished++;
        return 0;
      },
      () => undefined,
    );
    poller.start(10);
    await entered.promise;
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    // The pass is held: stop must still be waiting for it.
    await Promise.resolve();
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(finished).toBe(1);
    expect(started).toBe(1);
  });

  it('a restart while the old pass finishes waits for it instead of overlapping', async () => {
    const gate = deferred();
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    const poller = new Poller(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (passes === 0) await gate.promise;
        active--;
        passes++;
        return 0;
      },
      () => undefined,
    );
    poller.start(10);
    await until(() => active === 1);
    void poller.stop();
    poller.start(10);
    gate.resolve();
    await until(() => passes >= 5);
    await poller.stop();
    expect(maxActive).toBe(1);
  });

  it('reports the first failure of a streak only, and goes on after the fallback pause', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const poller = new Poller(
      () => {
        calls++;
        return calls <= 3 || calls === 5 ? Promise.reject(new Error(`fail ${calls}`)) : Promise.resolve(0);
      },
      (err) => errors.push(err),
    );
    poller.start(1);
    await until(() => calls >= 8);
    await poller.stop();
    expect(errors.map((e) => (e as Error).message)).toEqual(['fail 1', 'fail 5']);
  });

  it('waits firstPauseMs before the first pass', async () => {
    let at = 0;
    const t0 = Date.now();
    const poller = new Poller(
      () => {
        at ||= Date.now();
        return Promise.resolve(1_000);
      },
      () => undefined,
    );
    poller.start(1_000, 50);
    await until(() => at > 0);
    await poller.stop();
    expect(at - t0).toBeGreaterThanOrEqual(45);
  });
});
