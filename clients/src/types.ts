/** The payloads the pages read, as the gateway and the hub send them (type-only imports: nothing of the server is bundled). */
import type { BidderNotice, PublicAuctionUpdate, PublicAuctionView } from '../../bidding/index.ts';
import type { CatalogueLot, SaleCatalogue, SaleSummary } from '../../gateway/index.ts';

export type {
  BidderNotice,
  CatalogueLot,
  PublicAuctionUpdate,
  PublicAuctionView,
  SaleCatalogue,
  SaleSummary,
};

/** GET /v1/auctions/{id} */
export interface SnapshotResponse {
  auction: PublicAuctionView;
  hub: { url: string; topics: string[]; lastEventId: string };
}

/** POST /v1/hub-token */
export interface HubTokenResponse {
  token: string;
  hubUrl: string;
  expiresAt: string;
  privateTopic: string | null;
}

/** A public update as the pages read it; `decidedAt` (the engine's decision time) feeds the latency figure. */
export type LiveUpdate = PublicAuctionUpdate;

/** How an update reached the page: live, or replayed by the hub (decided before the connection opened). */
export type UpdateVia = 'live' | 'replay';

/** Every private notice type the engine sends on a bidder's topic (the SSE event type). */
export const NOTICE_TYPES: readonly BidderNotice['type'][] = [
  'leading',
  'outbid',
  'max_raised',
  'proxy_bid',
  'overruled',
  'bid_rejected',
  'reinstated',
  'absentee_executed',
  'won',
  'lost',
];

/** The SSE event type of public updates on auction and sale topics. */
export const PUBLIC_EVENT = 'auction';

/**
 * The back office's announcement (on the sale topic) that a lot's standing was changed outside the
 * bidding — an admin cancelled a bid: the pages fetch their snapshots again (the new standing has a
 * higher seq, so it replaces what is shown).
 */
export const RESTATED_EVENT = 'auction.restated';
