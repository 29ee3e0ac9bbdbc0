/** What the run observes through the gateways' public API: a lot's snapshot, screens against it, waiting. */
import { sleep } from '../topology/index.ts';
import { compareScreens, type SCREEN_FIELDS, type StaleScreen } from './checks.ts';
import type { AuctionState, ChaosSubscriber } from './subscriber.ts';

/** The gateway's public snapshot of a lot (from the first gateway that answers). */
export async function snapshot(gateways: readonly string[], lot: string): Promise<AuctionState | undefined> {
  for (const g of gateways) {
    try {
      const res = await fetch(`${g}/v1/auctions/${encodeURIComponent(lot)}`, {
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return ((await res.json()) as { auction: AuctionState }).auction;
      await res.body?.cancel();
    } catch {
      // the next gateway
    }
  }
  return undefined;
}

/** Each lot's seq as the snapshots show it (0 when no gateway answers). */
export async function snapshotSeqs(
  gateways: readonly string[],
  lots: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const lot of lots) out.set(lot, (await snapshot(gateways, lot))?.seq ?? 0);
  return out;
}

/** Compares every screen with the snapshots until all agree or `by` passes; the last comparison and when it was made. */
export async function converge(
  subscribers: readonly ChaosSubscriber[],
  gateways: readonly string[],
  lots: readonly string[],
  by: number,
  fields: typeof SCREEN_FIELDS,
): Promise<{ stale: StaleScreen[]; at: number }> {
  for (;;) {
    const snaps = new Map<string, AuctionState>();
    for (const lot of lots) {
      const s = await snapshot(gateways, lot);
      if (s !== undefined) snaps.set(lot, s);
    }
    const stale = compareScreens(
      subscribers.map((s) => ({ name: s.name, hub: s.hubUrl, states: s.states })),
      snaps,
      fields,
    );
    const at = Date.now();
    if ((stale.length === 0 && snaps.size === lots.length) || at > by) return { stale, at };
    await sleep(250);
  }
}

/** Polls `probe` every 250 ms until it answers true; throws after `withinMs`. A throwing probe counts as false. */
export async function waitFor(what: string, withinMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await sleep(250);
  }
}
