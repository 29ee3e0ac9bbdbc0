import type { AuctionSetup, BiddingStore } from '../../bidding/index.ts';
import { staticCatalogue, type Catalogue } from '../../common/catalogue.ts';
import type { SaleCatalogue } from '../../common/contracts/index.ts';
import type { DemoUser } from './sign-in.ts';

/** The seeded demo sale of the embedded default: three demo bidders, a timed sale with soft close and a live sale. */
/** Phone numbers from Ofcom's range for drama (+44 7700 900000–900999): never a real subscriber. */
export const DEMO_BIDDERS = [
  { id: 'bidder-alice', name: 'Alice Martin', limit: 50_000_000, phone: '+447700900101' },
  { id: 'bidder-bob', name: 'Bob Okafor', limit: 50_000_000, phone: '+447700900102' },
  { id: 'bidder-carol', name: 'Carol Jensen', limit: 2_000_000, phone: '+447700900103' },
] as const;

/** Who can sign in to the demo (POST /v1/demo/sign-in): the bidders and the auctioneer of the floor console. */
export const DEMO_USERS: readonly DemoUser[] = [
  ...DEMO_BIDDERS.map((b) => ({ id: b.id, name: b.name, role: 'bidder' as const })),
  { id: 'demo-auctioneer', name: 'Auctioneer', role: 'auctioneer' },
];

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

/** A small inline picture per lot: the demo makes no external fetches. */
function lotImage(hue: number, label: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">` +
    `<rect width="400" height="300" fill="hsl(${hue} 35% 88%)"/>` +
    `<rect x="90" y="50" width="220" height="200" rx="6" fill="hsl(${hue} 45% 45%)"/>` +
    `<circle cx="200" cy="150" r="60" fill="hsl(${(hue + 180) % 360} 50% 75%)"/>` +
    `<text x="200" y="285" font-family="sans-serif" font-size="22" text-anchor="middle" fill="#333">${label}</text>` +
    `</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

const lot = (
  id: string,
  lotNumber: string,
  title: string,
  description: string,
  estimate: [string, string],
  hue: number,
): SaleCatalogue['lots'][number] => ({
  id,
  lotNumber,
  title,
  description,
  imageUrl: lotImage(hue, `Lot ${lotNumber}`),
  estimateLow: estimate[0],
  estimateHigh: estimate[1],
});

/** The catalogue of the seeded demo sale: the same lot ids as demoAuctions. */
export const DEMO_SALES: readonly SaleCatalogue[] = [
  {
    id: 'evening-live',
    title: 'Evening Sale — Modern & Contemporary (live)',
    mode: 'live',
    currency: 'EUR',
    lots: [
      lot(
        'live-1',
        '1',
        'Blue Interior, 1962',
        'Oil on canvas, 92 × 73 cm. Signed and dated lower right.',
        ['15000.00', '20000.00'],
        210,
      ),
      lot(
        'live-2',
        '2',
        'Bronze Figure, Reclining',
        'Patinated bronze, edition 3 of 6, 41 cm.',
        ['3000.00', '5000.00'],
        30,
      ),
    ],
  },
  {
    id: 'autumn-timed',
    title: 'Autumn Online Sale — Design & Decorative Arts (timed)',
    mode: 'timed',
    currency: 'EUR',
    lots: [
      lot(
        'timed-1',
        '101',
        'Walnut Sideboard',
        'Danish, c. 1960; teak and walnut veneers, 180 cm.',
        ['2000.00', '3000.00'],
        25,
      ),
      lot(
        'timed-2',
        '102',
        'Pair of Opaline Vases',
        'French, 19th century, gilt rims, 28 cm.',
        ['5000.00', '7000.00'],
        160,
      ),
      lot(
        'timed-3',
        '103',
        'Silver Tea Service',
        'Four pieces, London 1898, 2.1 kg.',
        ['25000.00', '35000.00'],
        280,
      ),
    ],
  },
];

export function demoCatalogue(): Catalogue {
  // The demo bidders' online paddles, numbered as the back office's seed registers them (1000, 1001, …).
  const paddles = Object.fromEntries(DEMO_BIDDERS.map((b, i) => [b.id, String(1000 + i)]));
  return staticCatalogue(DEMO_SALES, new Map(), new Map(DEMO_SALES.map((s) => [s.id, paddles])));
}
