/**
 * The bidding engine's face for the gateway, the clients' shared shapes and the tools: the
 * `BiddingService` the gateway calls (in-process engine, engine over HTTP), the stores it may embed,
 * the service's runner, and the engine's own types. The shapes that cross the wire are in
 * common/contracts/; the back office has its own narrow face: `bidding/back-office.ts`.
 */
export type {
  AcceptedBid,
  AcceptedBidsQuery,
  AuctionSetup,
  AuctionSnapshot,
  BidDecision,
  BidRequest,
  BiddingStore,
  FloorAction,
  FloorActionRequest,
  FloorActionResult,
  FloorRejectReason,
  RecordedBid,
  RecordedEvent,
  RecordedFloorAction,
  RecordedRestate,
} from './core/types.ts';
export { isBidRecord } from './core/types.ts';
export { BidderMasks, paddleOf } from './core/masks.ts';
export { stateVersionOf, type AuctionMeta } from './core/view.ts';
export type { AuctionSnapshotWithResume, BiddingService } from './service/bidding-service.ts';
export { BiddingEngine, type BiddingEngineOptions } from './service/engine.ts';
export { RemoteBiddingService } from './service/remote.ts';
export { createRedisEngine, type RedisEngineOptions } from './service/factory.ts';
export {
  startBiddingService,
  biddingConfigFromEnv,
  type BiddingConfig,
  type RunningBidding,
} from './service/server.ts';
export { MemoryBiddingStore } from './stores/memory-store.ts';
export { RedisBiddingStore, type RedisBiddingStoreOptions } from './stores/redis-store.ts';
