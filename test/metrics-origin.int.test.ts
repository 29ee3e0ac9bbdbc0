import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support/net.ts';
import { runUntilReady } from './support/process.ts';
import { until } from './support/orchestrator.ts';

/**
 * The hub's Prometheus metrics (subscriber counts, delivery rates, process memory) are not for the
 * public: in the embedded default the hub is mounted on the gateway's public origin, and it used to
 * answer `/metrics` there. They are served on a listener of their own (MERCURE_METRICS_HOST,
 * loopback by default, and MERCURE_METRICS_PORT), by `npm start` and by `npm run hub` alike.
 */
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function run(script: string, env: Record<string, string>, ready: string): Promise<() => string> {
  const running = await runUntilReady(script, env, ready, 45_000);
  stops.push(() => running.stop());
  return () => running.output();
}

async function expectMetricsOnlyOn(publicOrigin: string, metricsOrigin: string): Promise<void> {
  const pub = await fetch(`${publicOrigin}/metrics`);
  expect(pub.status).toBe(404);
  expect(await pub.text()).not.toMatch(/mercure_|nodejs_/);
  const metrics = await fetch(`${metricsOrigin}/metrics`);
  expect(metrics.status).toBe(200);
  const text = await metrics.text();
  expect(text).toMatch(/^# TYPE mercure_subscribers gauge$/m);
  expect(text).toMatch(/^mercure_updates_published_total \d+$/m);
}

describe('hub metrics are not on the public origin', { timeout: 60_000 }, () => {
  it('npm start (embedded): 404 on the public port, served on the metrics listener; hub limits from MERCURE_*', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const out = await run(
      'main.ts',
      {
        PORT: String(port),
        MERCURE_METRICS_PORT: String(metricsPort),
        GAVEL_MODE: 'embedded',
        GAVEL_LEDGER: 'false',
        GAVEL_DEMO: 'false',
        MERCURE_MAX_TOPICS: '2',
      },
      `http://127.0.0.1:${port}/healthz`,
    );
    await expectMetricsOnlyOn(`http://127.0.0.1:${port}`, `http://127.0.0.1:${metricsPort}`);
    // One listener for the whole process: the in-process engine's and the gateway's metrics too.
    const all = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(all).toMatch(/^# TYPE gavel_bids_total counter$/m);
    expect(all).toMatch(/^# TYPE gavel_bid_decision_seconds histogram$/m);
    expect(all).toMatch(/^# TYPE gavel_gateway_bids_received_total counter$/m);
    expect(all.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
    // The mounted hub takes its client limits from the same variables as `npm run hub`.
    const three = await fetch(`http://127.0.0.1:${port}/.well-known/mercure?topic=a&topic=b&topic=c`);
    expect(three.status).toBe(400);
    expect(((await three.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_TOPICS');
    await until('the start-up lines', () => (out().includes('Stop with Ctrl-C') ? true : undefined));
    expect(out()).toContain(`Metrics:      http://127.0.0.1:${metricsPort}/metrics`);
  });

  it('npm run hub (standalone): 404 on the public port, served on the metrics listener', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    await run(
      'hub/main.ts',
      { PORT: String(port), MERCURE_METRICS_PORT: String(metricsPort), MERCURE_ANONYMOUS: 'true' },
      `http://127.0.0.1:${port}/healthz`,
    );
    await expectMetricsOnlyOn(`http://127.0.0.1:${port}`, `http://127.0.0.1:${metricsPort}`);
  });
});
