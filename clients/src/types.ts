/** The pages' own types; the shapes they read from the gateway and the hub are in common/contracts. */
import type { PublicAuctionUpdate } from '../../common/contracts/index.ts';

/** A public update as the pages read it; `decidedAt` (the engine's decision time) feeds the latency figure. */
export type LiveUpdate = PublicAuctionUpdate;

/** How an update reached the page: live, or replayed by the hub (decided before the connection opened). */
export type UpdateVia = 'live' | 'replay';
