import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { stopChild } from './support/hub-redis.ts';
import { trackChild } from './support/registry.ts';
import { freePort } from './support/net.ts';
import { until } from './support/orchestrator.ts';

/**
 * The hub's Prometheus metrics (subscriber counts, delivery rates, process memory) are not for the
 * public: in the embedded default the hub is mounted on the gateway's public origin, and it used to
 * answer `/metrics` there. They are served on a listener of their own (MERCURE_METRICS_HOST,
 * loopback by default, and MERCURE_METRICS_PORT), by `npm start` and by `npm run hub` alike.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await stopChild(child, 10_000);
});

async function run(script: string, env: Record<string, string>, ready: string): Promise<() => string> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  trackChild(script, child, { graceMs: 10_000 });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  await until(
    `${script} to answer`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${out}`);
      try {
        return (await fetch(ready)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    45_000,
  );
  return () => out;
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
    // The mounted hub takes its client limits from the same variables as `npm run hub`.
    const three = await fetch(`http://127.0.0.1:${port}/.well-known/mercure?topic=a&topic=b&topic=c`);
    expect(three.status).toBe(400);
    expect(((await three.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_TOPICS');
    await until('the start-up lines', () => (out().includes('Stop with Ctrl-C') ? true : undefined));
    expect(out()).toContain(`Hub metrics:  http://127.0.0.1:${metricsPort}/metrics`);
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
