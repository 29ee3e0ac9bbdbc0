/**
 * The bidding engine as the back office (orchestrator/) uses it: the stores it configures and
 * reads, restoring an auction after the engine lost its state, restating a timed auction's standing
 * after a cancelled bid (replayStanding), mapping ledger rows back to the engine's bid answers, the
 * recorded events the ledger writer copies, and where those live on Redis.
 */
export type {
  AuctionSetup,
  AuctionSnapshot,
  BidDecision,
  BidRequest,
  BiddingStore,
  IncrementBand,
  RecordedBid,
  RecordedEvent,
  RecordedFloorAction,
  RecordedRestate,
  RestateRequest,
  RestateResult,
  RestoreResult,
  RestoreState,
} from './core/types.ts';
// Wire shapes, still imported through this face by orchestrator/; their home is common/contracts/.
export type { AuctionStatus, LeaderKind } from '../common/contracts/lot.ts';
export type { BidRejectReason as RejectReason, BidSource } from '../common/contracts/bids.ts';
export type { LotResultUpdate, PublicAuctionUpdate } from '../common/contracts/auction.ts';
export { isBidRecord, isFloorRecord, isRestateRecord, seqOfRecord } from './core/types.ts';
export { bandsError } from './core/increments.ts';
export { BidderMasks } from './core/masks.ts';
export { viewFromSnapshot } from './core/view.ts';
export { isReplayableBid, replayStanding, type ReplayBid, type ReplayedStanding } from './core/replay.ts';
export { bidAnswersFromLedger, type LedgerBidRow, type LedgerStandingRow } from './core/ledger-answers.ts';
export { MemoryBiddingStore } from './stores/memory-store.ts';
export { RedisBiddingStore } from './stores/redis-store.ts';
export { auctionRegistryKey, decisionStreamKeyParts } from './keys.ts';
