/** The real-time bidding engine's public surface. */
export * from './types.ts';
export { BiddingEngine, type BiddingEngineOptions, type BidderNotice } from './engine.ts';
export { RedisBiddingStore, type RedisBiddingStoreOptions } from './redis-store.ts';
export { MemoryBiddingStore } from './memory-store.ts';
export { maskBidder, viewFromSnapshot, type PublicAuctionView, type AuctionMeta } from './view.ts';
export { bandsError, incrementAt } from './increments.ts';
