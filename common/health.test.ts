import { describe, expect, it } from 'vitest';
import { healthRoutes, readiness } from './health.ts';

describe('readiness', () => {
  it('names what is not ready and why: a rejection, a false, a check that does not answer', async () => {
    const r = await readiness(
      {
        redis: () => Promise.resolve('PONG'),
        database: () => Promise.reject(new Error('connection refused')),
        engine: () => Promise.resolve(false),
        stuck: () => new Promise(() => undefined),
      },
      50,
    );
    expect(r).toEqual({
      ready: false,
      notReady: ['database', 'engine', 'stuck'],
      checks: {
        redis: 'ok',
        database: 'connection refused',
        engine: 'not ready',
        stuck: 'no answer within 50 ms',
      },
    });
  });

  it('serves /health/live always, and /health/ready as 200 or 503 with the JSON body', async () => {
    let up = true;
    const app = healthRoutes(() => ({
      redis: () => (up ? Promise.resolve() : Promise.reject(new Error('down'))),
    }));
    const live = await app.request('/health/live');
    expect([live.status, await live.json()]).toEqual([200, { status: 'live' }]);
    const ready = await app.request('/health/ready');
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks: { redis: 'ok' } }]);
    up = false;
    const not = await app.request('/health/ready');
    expect(not.headers.get('cache-control')).toBe('no-store');
    expect([not.status, await not.json()]).toEqual([
      503,
      { status: 'not ready', notReady: ['redis'], checks: { redis: 'down' } },
    ]);
    expect((await app.request('/health/live')).status).toBe(200);
  });
});
