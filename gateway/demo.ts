import type { AuctionSetup, BiddingStore } from '../bidding/index.ts';

/** The seeded demo sale of the embedded default: three demo bidders, a timed sale with soft close and a live sale. */
export const DEMO_BIDDERS = [
  { id: 'bidder-alice', name: 'Alice Martin', limit: 50_000_000 },
  { id: 'bidder-bob', name: 'Bob Okafor', limit: 50_000_000 },
  { id: 'bidder-carol', name: 'Carol Jensen', limit: 2_000_000 },
] as const;

const INCREMENTS = [
  { from: 0, step: 5_000 },
  { from: 100_000, step: 10_000 },
  { from: 500_000, step: 25_000 },
  { from: 1_000_000, step: 50_000 },
  { from: 5_000_000, step: 100_000 },
];

export function demoAuctions(now: number): AuctionSetup[] {
  const timed = (id: string, hours: number, opening: number, reserve: number): AuctionSetup => ({
    id,
    saleId: 'autumn-timed',
    mode: 'timed',
    currency: 'EUR',
    status: 'open',
    startsAt: now - 60_000,
    endsAt: now + hours * 3_600_000,
    graceMs: 2_000,
    softCloseMs: 120_000,
    softCloseCapMs: 0,
    increments: INCREMENTS,
    opening,
    reserve,
  });
  const live = (id: string, opening: number, reserve: number): AuctionSetup => ({
    ...timed(id, 24, opening, reserve),
    saleId: 'evening-live',
    mode: 'live',
    // Live lots wait for the auctioneer's "open"; until then bids with a maximum are absentee bids.
    status: 'scheduled',
    softCloseMs: 0,
    graceMs: 0,
  });
  return [
    timed('timed-1', 48, 100_000, 250_000),
    timed('timed-2', 49, 500_000, 0),
    timed('timed-3', 50, 2_000_000, 3_000_000),
    live('live-1', 1_000_000, 1_500_000),
    live('live-2', 250_000, 0),
  ];
}

export async function seedDemo(store: BiddingStore, now = Date.now()): Promise<AuctionSetup[]> {
  const auctions = demoAuctions(now);
  for (const a of auctions) {
    await store.configure(a);
    for (const b of DEMO_BIDDERS) await store.setEligibility(a.id, b.id, b.limit);
  }
  return auctions;
}
