/**
 * The bidding engine's face for the gateway and the tools: the `BiddingService` the gateway calls
 * (in-process engine, engine over HTTP), the stores it may embed, the service's runner, and the
 * engine's own types those take and give. The shapes that cross the wire are in common/contracts/;
 * the back office has its own narrow face: `bidding/back-office.ts`.
 */
export type {
  AuctionSetup,
  AuctionSnapshot,
  WaitingAbsentee,
  BidDecision,
  BiddingStore,
  FloorAction,
  FloorActionResult,
  RecordedBid,
} from './core/types.ts';
export { isBidRecord } from './core/types.ts';
export { BidderMasks, paddleOf } from './core/masks.ts';
export { stateVersionOf, type AuctionMeta } from './core/view.ts';
export type { AuctionSnapshotWithResume, BiddingService } from './service/bidding-service.ts';
export { BiddingEngine } from './service/engine.ts';
export { RemoteBiddingService } from './service/remote.ts';
export { createRedisEngine } from './service/factory.ts';
export { EngineMetrics } from './service/metrics.ts';
export {
  startBiddingService,
  biddingConfigFromEnv,
  type BiddingConfig,
  type RunningBidding,
} from './service/server.ts';
export { MemoryBiddingStore } from './stores/memory-store.ts';
export { RedisBiddingStore } from './stores/redis-store.ts';
