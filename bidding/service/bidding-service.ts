import type { PublicAuctionView } from '../../common/contracts/auction.ts';
import type { AuctionMeta } from '../core/view.ts';
import type {
  AcceptedBid,
  AcceptedBidsQuery,
  AuctionSnapshot,
  BidDecision,
  BidRequest,
  FloorActionRequest,
  FloorActionResult,
  RecordedEvent,
  WaitingAbsentee,
} from '../core/types.ts';

export interface AuctionSnapshotWithResume {
  view: PublicAuctionView;
  /** Hub event id to subscribe from; undefined before the first update. */
  lastEventId: string | undefined;
  snapshot: AuctionSnapshot;
}

/**
 * What the gateway needs from the bidding engine. `BiddingEngine` provides it in-process (the
 * embedded default, or a gateway that embeds the engine on Redis); `RemoteBiddingService` provides
 * it over HTTP from a separate bidding process (the distributed topology).
 */
export interface BiddingService {
  placeBid(req: BidRequest): Promise<BidDecision>;
  floorAction(req: FloorActionRequest): Promise<FloorActionResult>;
  snapshot(auctionId: string): Promise<AuctionSnapshotWithResume | undefined>;
  /** The absentee maximums waiting on a scheduled live lot (staff only: the commission bar). */
  waitingAbsentees(auctionId: string): Promise<WaitingAbsentee[]>;
  auctionMeta(auctionId: string): Promise<AuctionMeta | undefined>;
  decisions(auctionId: string, afterStreamId?: string, count?: number): Promise<RecordedEvent[]>;
  /** A page of the accepted bids that took the lead (the bid listing), from the store's index. */
  acceptedBids(auctionId: string, query?: AcceptedBidsQuery): Promise<AcceptedBid[]>;
  /** Resolves when queued publishing work is done (tests, shutdown). */
  drain(): Promise<void>;
}
