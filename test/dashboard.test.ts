import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The Grafana dashboard (deploy/grafana/gavel-dashboard.json) and the alert rules
 * (deploy/prometheus/alerts.yml) query only metrics Gavel serves: every name they use is registered
 * in the services' source (prom-client's `name: '…'`), or Prometheus' own `up`. The dashboard is
 * importable: valid JSON, a Prometheus datasource variable, each panel with a unique id and a query.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

/** Prometheus' own series about its scrapes. */
const PROMETHEUS_OWN = ['up'];

/** The services' TypeScript sources, tests left out. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every series name Gavel's source registers with prom-client (a histogram's `_bucket`, `_sum`, `_count`). */
function registeredSeries(): Set<string> {
  const names = new Set<string>(PROMETHEUS_OWN);
  const add = (name: string, kind: string): void => {
    if (kind === 'histogram' || kind === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (kind !== 'histogram') names.add(name);
  };
  for (const file of ['common', 'hub', 'bidding', 'gateway', 'orchestrator'].flatMap(sources)) {
    for (const m of read(file).matchAll(
      /new\s+(Counter|Gauge|Histogram|Summary)\b[\s\S]{0,200}?name:\s*'([a-z_:][a-z0-9_:]*)'/g,
    ))
      add(m[2]!, m[1]!.toLowerCase());
  }
  return names;
}

/** PromQL's keywords and aggregation operators (which may stand before `by (…)` rather than `(`). */
const PROMQL_WORDS = new Set(
  'by without on ignoring group_left group_right and or unless bool offset sum min max avg group stddev stdvar count count_values bottomk topk quantile'.split(
    ' ',
  ),
);

/** The metric names a PromQL expression selects: identifiers that are not functions, keywords or labels. */
function metricsIn(expr: string): string[] {
  // Strings and label matchers hold label values and names, never metric names.
  const bare = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}');
  const labels = labelNamesIn(bare);
  return [...bare.matchAll(/(?<![\w$:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((n) => !PROMQL_WORDS.has(n) && !labels.has(n));
}

/** The labels named in `by (…)` / `without (…)` / `on (…)` / `ignoring (…)` clauses. */
function labelNamesIn(expr: string): Set<string> {
  const out = new Set<string>();
  for (const m of expr.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g))
    for (const l of m[1]!.split(',')) if (l.trim() !== '') out.add(l.trim());
  return out;
}

interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  templating: { list: { name: string; type: string; query: string }[] };
  panels: Panel[];
}

const dashboardText = read('deploy/grafana/gavel-dashboard.json');
const allPanels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(dashboardText) as Dashboard;
  const panels = allPanels(dashboard.panels);
  const queried = panels.filter((p) => p.type !== 'row');

  it('is a dashboard Grafana imports, on a Prometheus datasource variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ query: 'prometheus' });
    for (const p of queried) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: `\${${variable!.name}}` });
    }
  });

  it('gives every panel a unique id, and every panel but the rows a query', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(queried.length).toBeGreaterThan(0);
    for (const p of queried) {
      expect(p.targets?.length ?? 0, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.expr?.trim() ?? '', p.title).not.toBe('');
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
    }
  });

  it('has the rows operators look for', () => {
    expect(panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual([
      'Bidding',
      'Hub',
      'Back office',
      'Edge',
      'Redis and services',
    ]);
  });
});

describe('the metric names the dashboard and the alerts query', () => {
  const registered = registeredSeries();

  it('are found by the scan (the scan itself works)', () => {
    // One of each kind, from different services: the hub's counter, the orchestrator's histogram, Redis' gauge.
    for (const n of ['mercure_deliveries_total', 'gavel_lifecycle_drift_seconds_bucket', 'gavel_redis_up'])
      expect(registered, n).toContain(n);
    expect(registered).not.toContain('gavel_lifecycle_drift_seconds');
    expect(metricsIn('sum by (le, mode) (rate(gavel_x_bucket{mode="timed"}[5m])) > 30 or up == 0')).toEqual([
      'gavel_x_bucket',
      'up',
    ]);
  });

  it('are all metrics Gavel serves: the dashboard', () => {
    const dashboard = JSON.parse(dashboardText) as Dashboard;
    const used = allPanels(dashboard.panels).flatMap((p) =>
      (p.targets ?? []).flatMap((t) => metricsIn(t.expr ?? '').map((m) => `${p.title}: ${m}`)),
    );
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((u) => !registered.has(u.split(': ')[1]!))).toEqual([]);
  });

  it('are all metrics Gavel serves: the alert rules', () => {
    const rules = parse(read('deploy/prometheus/alerts.yml')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const used = rules.groups
      .flatMap((g) => g.rules)
      .flatMap((r) => metricsIn(String(r.expr)).map((m) => `${r.alert}: ${m}`));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((u) => !registered.has(u.split(': ')[1]!))).toEqual([]);
  });
});
