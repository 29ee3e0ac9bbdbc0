/** The real-time bidding engine's public surface. */
export * from './types.ts';
export { BiddingEngine, type BiddingEngineOptions, type BidderNotice } from './engine.ts';
export { RedisBiddingStore, type RedisBiddingStoreOptions } from './redis-store.ts';
export { MemoryBiddingStore } from './memory-store.ts';
export {
  BidderMasks,
  paddleOf,
  publicUpdateId,
  stateVersionOf,
  viewFromSnapshot,
  type AuctionMeta,
  type LotChange,
  type LotResultUpdate,
  type PublicAuctionUpdate,
  type PublicAuctionView,
} from './view.ts';
export { bandsError, incrementAt } from './increments.ts';
export type { BiddingService, AuctionSnapshotWithResume } from './service.ts';
export { RemoteBiddingService } from './remote.ts';
export { createRedisEngine, type RedisEngineOptions } from './factory.ts';
export {
  startBiddingService,
  biddingConfigFromEnv,
  type BiddingConfig,
  type RunningBidding,
} from './server.ts';
export {
  bidAnswerFromLedger,
  bidAnswersFromLedger,
  standingProblem,
  restoreProblem,
  type LedgerBidRow,
  type LedgerStandingRow,
} from './restore.ts';
export { replayStanding, isReplayableBid, type ReplayBid, type ReplayedStanding } from './replay.ts';
export { auctionKeys, auctionRegistryKey, type AuctionKeys } from './keys.ts';
