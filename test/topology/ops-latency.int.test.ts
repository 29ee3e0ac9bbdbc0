import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../../tools/chaos/sale.ts';
import { TokenMint } from '../../tools/chaos/tokens.ts';
import type { RunningCluster } from '../../tools/cluster/cluster.ts';
import { seedClusterSale, waitSaleOpen } from '../../tools/cluster/demo.ts';
import type { OpsLatencyReport } from '../../tools/ops-latency/run.ts';
import { runUntilExit } from '../support/process.ts';
import { startTestCluster } from '../support/cluster.ts';

/**
 * `npm run ops:latency` as an ops team runs it: a child process against the public origin of
 * `npm run cluster`'s topology (HAProxy in front of two gateways and two hubs), given only tokens —
 * on a lot of the seeded sale with a generous budget (exit 0, sane figures) and with a budget of
 * 0 ms (exit 1); on a throw-away sale it makes and cancels through the admin API (cancelled after,
 * as the admin API says); and a bad flag (exit 2, naming it).
 */
describe('npm run ops:latency against npm run cluster (HAProxy, real Redis and PostgreSQL)', () => {
  let cluster: RunningCluster;
  let mint: TokenMint;
  let admin: AdminClient;
  let alice = '';
  let bob = '';

  beforeAll(async () => {
    // The throw-away sale opens on the back office's next tick.
    cluster = await startTestCluster({ LIFECYCLE_TICK_MS: '200' });
    mint = new TokenMint(cluster.topo.secrets);
    admin = new AdminClient(cluster.topo.orchestrator.url, () => mint.user('ops', 'admin'));
    const saleId = await seedClusterSale(admin, Date.now());
    alice = await mint.user('alice', 'bidder');
    bob = await mint.user('bob', 'bidder');
    await waitSaleOpen(cluster.origin, saleId, 3);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  const opsLatency = (args: string[]) => runUntilExit('tools/ops-latency/main.ts', {}, 150_000, args);
  const reportOf = (out: string): OpsLatencyReport => {
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0]!) as OpsLatencyReport;
  };

  it('measures a named lot (exit 0), fails a 0 ms budget (exit 1), and cleans up its throw-away sale', async () => {
    // Three checks at once, each under the gateways' per-bidder limit (alice and bob share two).
    const flags = (line: string): string[] => line.split(' ');
    const bidders = ['--token', alice, '--token', bob];
    const probes = [await mint.user('ops-probe-1', 'bidder'), await mint.user('ops-probe-2', 'bidder')];
    const [named, overBudget, throwaway] = await Promise.all([
      opsLatency([
        ...flags(`--url ${cluster.origin} --lot cluster-timed-1 --rate 4 --seconds 4 --budget-ms 20000`),
        ...bidders,
      ]),
      opsLatency([
        ...flags(`--url ${cluster.origin} --lot cluster-timed-2 --rate 4 --seconds 3 --budget-ms 0`),
        ...bidders,
      ]),
      opsLatency([
        ...flags(`--url ${cluster.origin} --rate 4 --seconds 3 --budget-ms 20000 --subscribers 3`),
        ...['--admin-url', cluster.topo.orchestrator.url, '--admin-token', await mint.user('ops', 'admin')],
        ...['--token', probes[0]!, '--token', probes[1]!],
      ]),
    ]);

    expect(named.code, named.err).toBe(0);
    const r = reportOf(named.out);
    expect(r).toMatchObject({
      check: 'ops-latency',
      lot: 'cluster-timed-1',
      verdict: 'ok',
      throwawaySale: null,
    });
    expect(r.bids.errors).toEqual({});
    expect(r.bids.accepted).toBeGreaterThan(3);
    expect(r.bids.answered).toBeLessThanOrEqual(r.bids.sent);
    expect(r.bids.accepted + Object.values(r.bids.refused).reduce((s, v) => s + v, 0)).toBe(r.bids.answered);
    expect(r.bidToScreenMs.samples).toBeGreaterThan(0);
    expect(r.bidToScreenMs.missing).toBe(0);
    for (const m of [r.bidMs, r.bidToScreenMs]) {
      expect(m.p50).toBeGreaterThan(0);
      expect(m.p50).toBeLessThanOrEqual(m.p99);
      expect(m.p99).toBeLessThanOrEqual(m.max);
      expect(m.max).toBeLessThan(20_000);
    }
    expect(named.err).toMatch(/^OK: /m);
    expect(named.err).toMatch(/bid→screen: +p50 [\d.]+ ms, p99 [\d.]+ ms/);

    expect(overBudget.code, overBudget.err).toBe(1);
    const o = reportOf(overBudget.out);
    expect(o.verdict).toBe('over budget');
    expect(o.bidToScreenMs.p99).toBeGreaterThan(0);
    expect(o.reasons.join('\n')).toMatch(/over the budget of 0 ms/);
    expect(overBudget.err).toMatch(/^OVER BUDGET: /m);

    expect(throwaway.code, throwaway.err).toBe(0);
    const t = reportOf(throwaway.out);
    expect(t.throwawaySale).toMatchObject({
      status: 'cancelled',
      createdBidders: ['ops-probe-1', 'ops-probe-2'],
    });
    expect(t.lot).toBe(`${t.throwawaySale!.id}-1`);
    expect(t.bidToScreenMs.samples).toBeGreaterThan(0);
    expect(t.subscribers).toBe(3);
    // The back office says so too: the sale and its lot are cancelled, and bids on it are refused.
    const sale = await admin.call<{ sale: { status: string } }>('GET', `/sales/${t.throwawaySale!.id}`);
    expect(sale.sale.status).toBe('cancelled');
    const lot = await admin.call<{ lot: { status: string } }>('GET', `/lots/${t.lot}`);
    expect(lot.lot.status).toBe('cancelled');
  }, 200_000);

  it('leaves /admin to a back-office gateway: the public ones serve no panel', async () => {
    // Without PANEL the proxy sends /admin to the first gateway, which holds no ADMIN_JWT_KEY.
    const res = await fetch(`${cluster.origin}/admin`, { redirect: 'manual' });
    await res.body?.cancel();
    expect(res.status).toBe(404);
  }, 30_000);

  it('refuses bad flags with exit 2, naming what to pass', async () => {
    const noToken = await opsLatency(['--url', cluster.origin, '--lot', 'cluster-timed-1']);
    expect(noToken.code).toBe(2);
    expect(noToken.err).toMatch(/--token: pass a bidder token/);
    const badUrl = await opsLatency(['--url', 'bids.example.com', '--token', alice, '--lot', 'x']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.err).toMatch(/--url: an http\(s\) origin/);
    expect(badUrl.out).toBe('');
  }, 60_000);
});
