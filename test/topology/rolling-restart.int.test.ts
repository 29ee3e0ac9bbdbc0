import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics as makeTopics } from '../../common/topics.ts';
import { placeBid, type BidRecord } from '../../tools/chaos/bids.ts';
import { compareLedger, compareScreens } from '../../tools/chaos/checks.ts';
import { readLedger } from '../../tools/chaos/ledger.ts';
import { AdminClient } from '../../tools/chaos/sale.ts';
import { ChaosSubscriber, type AuctionState } from '../../tools/chaos/subscriber.ts';
import { TokenMint } from '../../tools/chaos/tokens.ts';
import type { RunningCluster } from '../../tools/cluster/cluster.ts';
import { CLUSTER_BIDDERS, seedClusterSale, waitSaleOpen } from '../../tools/cluster/demo.ts';
import { sleep } from '../../tools/topology/index.ts';
import { startTestCluster } from '../support/cluster.ts';

/**
 * Deploys mid-auction without disrupting bidding: `npm run cluster`'s topology (two hubs, two
 * engines, two gateways, the orchestrator, HAProxy in front) with bidders bidding continuously
 * through the public origin and a subscriber on each hub, while every instance is restarted one at
 * a time (SIGTERM, then started again). Every bid a client saw accepted is in the ledger once, none
 * doubled or invented; no bid needed more than one retry; every subscriber ends on the final state,
 * having resumed by Last-Event-ID.
 */
describe('rolling restarts mid-sale (npm run cluster, HAProxy, real Redis and PostgreSQL)', () => {
  let cluster: RunningCluster;
  let mint: TokenMint;
  let saleId = '';
  const lots = ['cluster-timed-1', 'cluster-timed-2'];

  beforeAll(async () => {
    cluster = await startTestCluster({ LEDGER_POLL_MS: '100', LIFECYCLE_TICK_MS: '200' });
    mint = new TokenMint(cluster.topo.secrets);
    const admin = new AdminClient(cluster.topo.orchestrator.url, () => mint.user('ops', 'admin'));
    saleId = await seedClusterSale(admin, Date.now());
    // Open once the lifecycle has opened the sale and the engine holds its lots.
    await waitSaleOpen(cluster.origin, saleId, 3);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('loses, doubles and stalls nothing while every instance restarts in turn', async () => {
    const topic = makeTopics('https://gavel.local').sale(saleId);
    const subscriberToken = await mint.subscriber([topic]);
    const screens = cluster.topo.hubs.map(
      (h) => new ChaosSubscriber(`screen-${h.name}`, h.mercureUrl, [topic], subscriberToken),
    );
    await Promise.all(screens.map((s) => s.start()));

    const tokens = new Map<string, string>();
    for (const b of CLUSTER_BIDDERS) tokens.set(b.id, await mint.user(b.id, 'bidder'));
    const asking = new Map<string, number>([
      ['cluster-timed-1', 250_000],
      ['cluster-timed-2', 120_000],
    ]);
    const records: BidRecord[] = [];
    let bidding = true;
    const bidder = async (id: string, offset: number): Promise<void> => {
      for (let n = offset; bidding; n++) {
        const lot = lots[n % lots.length]!;
        const rec: BidRecord = {
          bidder: id,
          lot,
          key: randomUUID(),
          amount: asking.get(lot)!,
          sentAt: Date.now(),
          attempts: 0,
          outcome: 'pending',
          retriedOn: [],
        };
        records.push(rec);
        await placeBid(rec, tokens.get(id)!, {
          gateways: [cluster.origin],
          deadlineMs: 60_000,
          onAsking: (l, a) => asking.set(l, Math.max(asking.get(l) ?? 0, a)),
        });
        await sleep(40);
      }
    };
    const bidders = CLUSTER_BIDDERS.map((b, i) => bidder(b.id, i));

    // Every instance, one at a time: SIGTERM, then started again (ready before the next).
    const order = [
      ...cluster.topo.hubs.map((h) => h.name),
      ...cluster.topo.engines.map((e) => e.name),
      ...cluster.topo.gateways.map((g) => g.name),
      cluster.topo.orchestrator.name,
    ];
    await sleep(1500);
    for (const name of order) {
      await cluster.procs.get(name).restart('stop');
      await sleep(1500);
    }
    bidding = false;
    await Promise.all(bidders);

    // The answers the clients got against the ledger, once the writer has caught up.
    const accepted = records.filter((r) => r.outcome === 'accepted');
    expect(accepted.length).toBeGreaterThan(20);
    expect(records.filter((r) => r.outcome === 'unresolved' || r.outcome === 'pending')).toEqual([]);
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      let findings = compareLedger(records, (await readLedger(db, lots)).bids);
      for (const deadline = Date.now() + 30_000; findings.lost.count > 0 && Date.now() < deadline;) {
        await sleep(250);
        findings = compareLedger(records, (await readLedger(db, lots)).bids);
      }
      expect({
        lost: findings.lost,
        doubled: findings.doubled,
        phantom: findings.phantom,
        contradicted: findings.contradicted,
      }).toEqual({
        lost: { count: 0, examples: [] },
        doubled: { count: 0, examples: [] },
        phantom: { count: 0, examples: [] },
        contradicted: { count: 0, examples: [] },
      });
    } finally {
      await db.end();
    }
    // No client saw more than a retry (the proxy retries a refused connection or a 503 itself).
    const retried = records.filter((r) => r.attempts > 2).map((r) => ({ lot: r.lot, why: r.retriedOn }));
    expect(retried).toEqual([]);

    // Every screen ends on the snapshot's state, resumed by Last-Event-ID across its hub's restart.
    const snapshots = async (): Promise<Map<string, AuctionState>> => {
      const res = await fetch(`${cluster.origin}/v1/sales/${saleId}/snapshot`);
      const body = (await res.json()) as { auctions: AuctionState[] };
      return new Map(body.auctions.filter((a) => lots.includes(a.auctionId)).map((a) => [a.auctionId, a]));
    };
    const views = () => screens.map((s) => ({ name: s.name, hub: s.hubUrl, states: s.states }));
    let stale = compareScreens(views(), await snapshots());
    for (const deadline = Date.now() + 15_000; stale.length > 0 && Date.now() < deadline;) {
      await sleep(250);
      stale = compareScreens(views(), await snapshots());
    }
    expect(stale).toEqual([]);
    for (const s of screens) {
      expect(s.stats.regressions).toBe(0);
      // Its own hub's restart cost it a reconnection (or a few tries while the hub came back).
      expect(s.stats.reconnects).toBeGreaterThan(0);
      expect(s.stats.earliest).toBe(0);
    }
    await Promise.all(screens.map((s) => s.stop()));
  }, 300_000);
});
