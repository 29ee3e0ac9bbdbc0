/** Phase 2: a timed sale through the admin API, a token per bidder, and SSE screens on every hub. */
import type { GavelTopology } from '../../topology/index.ts';
import { BidBook } from '../bid-book.ts';
import { CURRENCY, OPENING, SOFT_CLOSE_S, STEP, type ChaosRun } from '../run-context.ts';
import { snapshot, waitFor } from '../observe.ts';
import { AdminClient, createTimedSale } from '../sale.ts';
import { ChaosSubscriber } from '../subscriber.ts';
import { TokenMint } from '../tokens.ts';

export interface RunSale {
  saleId: string;
  lots: string[];
  bidders: string[];
  /** Each bidder's token. */
  tokens: Map<string, string>;
  /** The gateways' base URLs, in the order bids try them. */
  gateways: string[];
  admin: AdminClient;
  mint: TokenMint;
  book: BidBook;
}

export async function openSale(run: ChaosRun, topo: GavelTopology): Promise<RunSale> {
  const { opts, runId, log } = run;
  const mint = new TokenMint(topo.secrets);
  const admin = new AdminClient(topo.orchestrator.url, () => mint.user('chaos-admin', 'admin'));
  const saleId = `${runId}-sale`;
  const lots = Array.from({ length: opts.lots }, (_, i) => `${runId}-lot${i + 1}`);
  const bidders = Array.from(
    { length: opts.bidders },
    (_, i) => `${runId}-b${String(i + 1).padStart(3, '0')}`,
  );
  // Set-up takes a few seconds per dozen bidders on a loaded machine; bidding past this end extends it (soft close).
  const startsAt = Date.now() + 1000;
  const endsAt = Date.now() + 10_000 + opts.bidders * 400 + opts.durationS * 1000;
  await createTimedSale(admin, {
    saleId,
    lotIds: lots,
    bidderIds: bidders,
    currency: CURRENCY,
    opening: OPENING,
    step: STEP,
    startsAt,
    endsAt,
    softCloseSeconds: SOFT_CLOSE_S,
  });
  const tokens = new Map<string, string>();
  for (const b of bidders) tokens.set(b, await mint.user(b, 'bidder'));
  const gateways = topo.gateways.map((g) => g.url);
  await waitFor('the lots to open', 30_000, async () => {
    for (const lot of lots) if ((await snapshot(gateways, lot))?.status !== 'open') return false;
    return true;
  });
  log(`sale ${saleId} open: ${lots.length} lots, ${bidders.length} bidders`);
  return { saleId, lots, bidders, tokens, gateways, admin, mint, book: new BidBook(runId, lots, OPENING) };
}

/** Opens the screens (run.subscribers): `subscribersPerHub` on every hub, all the sale's lots. */
export async function openScreens(run: ChaosRun, topo: GavelTopology, sale: RunSale): Promise<void> {
  const topics = sale.lots.map((l) => `https://gavel.local/auctions/${l}`);
  const subToken = await sale.mint.subscriber(topics);
  for (const hub of topo.hubs)
    for (let i = 0; i < run.opts.subscribersPerHub; i++)
      run.subscribers.push(new ChaosSubscriber(`${hub.name}#${i + 1}`, hub.mercureUrl, topics, subToken));
  await Promise.all(run.subscribers.map((s) => s.start()));
}
