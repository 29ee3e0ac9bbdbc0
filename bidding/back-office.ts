/**
 * The bidding engine as the back office (orchestrator/) uses it: the stores it configures and
 * reads, restoring an auction after the engine lost its state, restating a timed auction's standing
 * after a cancelled bid (replayStanding), mapping ledger rows back to the engine's bid answers, the
 * recorded events the ledger writer copies, and where those live on Redis.
 */
export type {
  AuctionSetup,
  AuctionSnapshot,
  AuctionStatus,
  BidDecision,
  BidRequest,
  BiddingStore,
  BidSource,
  IncrementBand,
  LeaderKind,
  RecordedBid,
  RecordedEvent,
  RecordedFloorAction,
  RecordedRestate,
  RejectReason,
  RestateRequest,
  RestateResult,
  RestoreResult,
  RestoreState,
} from './core/types.ts';
export { isBidRecord, isFloorRecord, isRestateRecord, seqOfRecord } from './core/types.ts';
export { bandsError } from './core/increments.ts';
export { BidderMasks } from './core/masks.ts';
export { viewFromSnapshot, type LotResultUpdate, type PublicAuctionUpdate } from './core/view.ts';
export { isReplayableBid, replayStanding, type ReplayBid, type ReplayedStanding } from './core/replay.ts';
export { bidAnswersFromLedger, type LedgerBidRow, type LedgerStandingRow } from './core/ledger-answers.ts';
export { MemoryBiddingStore } from './stores/memory-store.ts';
export { RedisBiddingStore } from './stores/redis-store.ts';
export { auctionRegistryKey, decisionStreamKeyParts } from './keys.ts';
