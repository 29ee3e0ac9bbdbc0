import type { BidderMasks, BiddingService } from '../../bidding/index.ts';
import type { Catalogue } from '../../common/catalogue.ts';
import {
  MISSED_BID_EVENT,
  MISSED_BID_WINDOW_MS,
  type FloorActionName,
  type MissedBid,
} from '../../common/contracts/index.ts';
import type { HubPublisher } from '../../common/hub-publisher.ts';
import type { Logger } from '../../common/logger.ts';
import { formatAmount } from '../../common/money.ts';
import type { Topics } from '../../common/topics.ts';
import { GATEWAY_VIEWER } from './floor-room.ts';

/** The floor actions that finish a lot: a bid just after one of them was missed. */
const FINISHING: ReadonlySet<FloorActionName> = new Set(['hammer', 'pass', 'withdraw']);

/** An internet bid the engine refused as CLOSED. */
export interface ClosedBid {
  auctionId: string;
  bidderId: string;
  amount: number;
  /** When the engine refused it (its clock, ms). */
  decidedAt: number;
}

export interface MissedBidDeps {
  engine: BiddingService;
  masks: BidderMasks;
  topics: Topics;
  catalogue: Catalogue;
  publisher: HubPublisher;
  logger: Logger;
}

/**
 * Whether a bid refused as CLOSED was missed — a live lot finished (hammer, pass, withdraw) at most
 * MISSED_BID_WINDOW_MS before it — and if so the warning, published as a private update on the
 * sale's staff-only topic (the floor console follows it). The finishing action is found in the
 * lot's decision stream, whose ids are the engine's decision times: only the window is read.
 */
export async function reportMissedBid(deps: MissedBidDeps, bid: ClosedBid): Promise<MissedBid | undefined> {
  const meta = await deps.engine.auctionMeta(bid.auctionId);
  if (meta?.mode !== 'live') return undefined;
  const since = bid.decidedAt - MISSED_BID_WINDOW_MS;
  const events = await deps.engine.decisions(bid.auctionId, `${Math.max(0, since - 1)}-0`, 1000);
  let finish: { action: FloorActionName; status: MissedBid['status']; at: number } | undefined;
  for (const e of events) {
    if (e.type !== 'floor') continue;
    const r = e.result;
    if (r.outcome !== 'accepted' || r.decidedAt > bid.decidedAt || r.status === undefined) continue;
    if (FINISHING.has(r.action)) finish = { action: r.action, status: r.status, at: r.decidedAt };
    // Reopened since (undo): the bid was refused for another finish, or not missed.
    else if (r.action === 'undo') finish = undefined;
  }
  if (finish === undefined || bid.decidedAt - finish.at > MISSED_BID_WINDOW_MS) return undefined;
  const paddles = await deps.catalogue.paddles?.(meta.saleId, GATEWAY_VIEWER).catch(() => undefined);
  const missed: MissedBid = {
    auctionId: bid.auctionId,
    saleId: meta.saleId,
    currency: meta.currency,
    amount: formatAmount(bid.amount, meta.currency),
    paddle: paddles?.[bid.bidderId] ?? null,
    bidder: deps.masks.bidder(meta.saleId, bid.bidderId) ?? '',
    closedBy: finish.action,
    status: finish.status,
    lateByMs: Math.max(0, bid.decidedAt - finish.at),
    at: new Date(bid.decidedAt).toISOString(),
  };
  await deps.publisher.publish({
    topics: [deps.topics.staffSale(meta.saleId)],
    type: MISSED_BID_EVENT,
    data: JSON.stringify(missed),
    private: true,
  });
  return missed;
}

/** The bid route's hook: reports in the background, never failing or delaying the bidder's answer. */
export function missedBidReporter(deps: MissedBidDeps): (bid: ClosedBid) => void {
  return (bid) => {
    reportMissedBid(deps, bid).catch((err: unknown) =>
      deps.logger.warn({ err, auctionId: bid.auctionId }, 'could not report a missed bid'),
    );
  };
}
