/** The real-time bidding engine's public surface. */
export * from './core/types.ts';
export { BiddingEngine, type BiddingEngineOptions } from './service/engine.ts';
export type { BidderNotice } from './core/notices.ts';
export { RedisBiddingStore, type RedisBiddingStoreOptions } from './stores/redis-store.ts';
export { MemoryBiddingStore } from './stores/memory-store.ts';
export {
  publicUpdateId,
  stateVersionOf,
  viewFromSnapshot,
  type AuctionMeta,
  type LotChange,
  type LotResultUpdate,
  type PublicAuctionUpdate,
  type PublicAuctionView,
} from './core/view.ts';
export { BidderMasks, paddleOf } from './core/masks.ts';
export { bandsError, incrementAt } from './core/increments.ts';
export type { BiddingService, AuctionSnapshotWithResume } from './service/bidding-service.ts';
export { RemoteBiddingService } from './service/remote.ts';
export { createRedisEngine, type RedisEngineOptions } from './service/factory.ts';
export {
  startBiddingService,
  biddingConfigFromEnv,
  type BiddingConfig,
  type RunningBidding,
} from './service/server.ts';
export { standingProblem, restoreProblem } from './core/restore.ts';
export {
  bidAnswerFromLedger,
  bidAnswersFromLedger,
  type LedgerBidRow,
  type LedgerStandingRow,
} from './core/ledger-answers.ts';
export { replayStanding, isReplayableBid, type ReplayBid, type ReplayedStanding } from './core/replay.ts';
export { auctionKeys, auctionRegistryKey, type AuctionKeys } from './keys.ts';
