import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);
const DIR = fileURLToPath(new URL('../deploy/prometheus/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * The alert rules operators load into Prometheus: valid (`promtool check rules`), and each alert
 * fires on the series that should raise it and stays quiet on healthy ones (`promtool test rules`
 * with deploy/prometheus/alerts.test.yml). Debian's prometheus package has promtool; .ci/run installs it.
 */
describe('the alert rules (promtool)', () => {
  it('are valid rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: DIR });
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  // Every rule at every step of every case: the backup case's 27 hours at 1 m steps alone take
  // 8–25 s of a loaded 2-core machine.
  it('fire when they should, and only then', { timeout: 120_000 }, async () => {
    const { stdout } = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: DIR });
    expect(stdout).toContain('SUCCESS');
  });
});

/**
 * The scrape configuration compose's Prometheus runs (deploy/prometheus/prometheus.yml): valid with
 * the rules it loads (`promtool check config` reads them too), and it scrapes every app service of
 * docker-compose.yml, each under a `gavel-…` job (what GavelServiceDown and the dashboard select on).
 */
describe('the scrape configuration (promtool)', () => {
  it('is valid and loads the alert rules', async () => {
    const { stdout } = await run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: DIR });
    expect(stdout).toMatch(/SUCCESS: 1 rule files found/);
    expect(stdout).toMatch(/SUCCESS: prometheus\.yml is valid prometheus config file syntax/);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('scrapes every app service of docker-compose.yml, at its metrics port, under a gavel job', () => {
    const config = parse(readFileSync(`${DIR}prometheus.yml`, 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['alerts.yml']);
    const targets = new Map<string, string>();
    for (const job of config.scrape_configs) {
      expect(job.job_name).toMatch(/^gavel-/);
      for (const t of job.static_configs.flatMap((c) => c.targets)) targets.set(t.split(':')[0]!, t);
    }
    const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as {
      services: Record<
        string,
        { build?: unknown; command?: string[]; environment?: Record<string, unknown> }
      >;
    };
    const apps = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
    expect([...targets.keys()].sort()).toEqual(apps.map(([name]) => name).sort());
    for (const [name, s] of apps) {
      const env = s.environment ?? {};
      const role = s.command?.find((a) => a.startsWith('dist/')) ?? '';
      // Where each role serves /metrics: the hub on its own listener, the orchestrator on PORT; the
      // engine and the gateways on their own listeners.
      const port =
        role === 'dist/hub/main.js'
          ? env.MERCURE_METRICS_PORT
          : role === 'dist/orchestrator/main.js'
            ? env.PORT
            : role === 'dist/bidding/main.js'
              ? env.BIDDING_METRICS_PORT
              : env.GATEWAY_METRICS_PORT;
      expect(targets.get(name), name).toBe(`${name}:${String(port)}`);
      // A metrics listener on loopback could not be scraped from another container.
      const host =
        role === 'dist/hub/main.js'
          ? env.MERCURE_METRICS_HOST
          : role === 'dist/bidding/main.js'
            ? env.BIDDING_METRICS_HOST
            : role === 'dist/orchestrator/main.js'
              ? '0.0.0.0'
              : env.GATEWAY_METRICS_HOST;
      expect(host, name).toBe('0.0.0.0');
    }
  });
});

/**
 * The dashboard's queries are PromQL Prometheus accepts: each becomes a recording rule in a
 * temporary rules file for `promtool check rules` (Grafana's `$__rate_interval` read as 5m).
 */
describe('the Grafana dashboard queries (promtool)', () => {
  it('parse as PromQL', async () => {
    const dashboard = JSON.parse(readFileSync(`${ROOT}deploy/grafana/gavel-dashboard.json`, 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    const rules = {
      groups: [
        {
          name: 'dashboard',
          rules: exprs.map((e, i) => ({
            record: `gavel:dashboard_query:${i}`,
            expr: e.replaceAll('$__rate_interval', '5m'),
          })),
        },
      ],
    };
    const dir = await mkdtemp(join(tmpdir(), 'gavel-dashboard-'));
    try {
      await writeFile(join(dir, 'queries.yml'), stringify(rules));
      const { stdout } = await run('promtool', ['check', 'rules', 'queries.yml'], { cwd: dir });
      expect(stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
