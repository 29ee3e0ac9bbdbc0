import type { LotChange, PublicAuctionUpdate } from '../../common/contracts/auction.ts';
import type { BidderNotice } from '../../common/contracts/notices.ts';
import type { HubUpdate } from '../../common/hub-publisher.ts';
import type { Topics } from '../../common/topics.ts';
import type { TraceContext } from '../../common/tracing.ts';
import type { AddressedNotice } from '../core/notices.ts';
import type { BidderMasks } from '../core/masks.ts';
import type { AuctionSnapshot } from '../core/types.ts';
import {
  publicUpdateId,
  stateUpdateOf,
  viewFromDecision,
  type AuctionMeta,
  type DecidedLot,
} from '../core/view.ts';

/** One update waiting for its turn in a publishing lane. */
export interface Queued {
  seq: number;
  /**
   * Builds the update when it is published. Under load most queued states and notices are
   * superseded before their turn, so their view (masked leader, amounts, dates) and JSON are
   * never built; what is captured is immutable decision data, so building late gives the same bytes.
   */
  update: () => HubUpdate;
  /** Floor actions are each published, never replaced by a later state: every screen shows every call. */
  keep: boolean;
  /** The decision's span and correlation id, when tracing is on: its `hub.publish` span is a child of it. */
  trace?: QueuedTrace | undefined;
}

/** Where a queued update's `hub.publish` span goes in the trace. */
export interface QueuedTrace {
  parent: TraceContext;
  correlationId: string | undefined;
}

/** Marks every update of `out` as caused by the decision traced by `trace` (nothing when undefined). */
export function traced(out: Outbox, trace: QueuedTrace | undefined): Outbox {
  if (trace === undefined) return out;
  if (out.public !== undefined) out.public.trace = trace;
  for (const n of out.notices.values()) n.trace = trace;
  return out;
}

/** The updates one decision produces: its public state (if it changed), and a notice per bidder. */
export interface Outbox {
  public: Queued | undefined;
  notices: Map<string, Queued>;
}

/** What building updates needs: where they go, and how leaders are masked. */
export interface UpdateContext {
  topics: Topics;
  masks: BidderMasks;
}

/**
 * The hub update of a public state, on the auction and sale topics, under the seq's id. An
 * invite-only sale's is a private update: the hub gives it (live or replayed) only to subscribers
 * whose token's `mercure.subscribe` covers one of those topics — staff and the invited.
 */
export function publicHubUpdate(
  topics: Topics,
  auctionId: string,
  seq: number,
  meta: AuctionMeta,
  data: PublicAuctionUpdate,
): HubUpdate {
  return {
    id: publicUpdateId(auctionId, seq),
    type: 'auction',
    topics: [topics.auction(auctionId), topics.sale(meta.saleId)],
    data: JSON.stringify(data),
    ...(meta.private === true ? { private: true } : {}),
  };
}

/** The hub update of a private notice, on the bidder's own topic. */
export function noticeHubUpdate(topics: Topics, bidderId: string, n: BidderNotice): HubUpdate {
  return {
    id: `urn:gavel:auction:${n.auctionId}:${n.seq}:${n.type}:${bidderId}`,
    type: n.type,
    private: true,
    topics: [topics.bidder(bidderId)],
    data: JSON.stringify(n),
  };
}

/** The public update of one decision, queued to be built when its turn comes. */
export function queuedDecision(
  ctx: UpdateContext,
  lot: DecidedLot,
  meta: AuctionMeta,
  lastAction: LotChange,
  extra: Pick<PublicAuctionUpdate, 'extended' | 'undone' | 'decidedAt'>,
  keep: boolean,
): Queued {
  return {
    seq: lot.seq,
    keep,
    update: () =>
      publicHubUpdate(ctx.topics, lot.auctionId, lot.seq, meta, {
        ...viewFromDecision(lot, meta, ctx.masks),
        lastAction,
        ...extra,
      } satisfies PublicAuctionUpdate),
  };
}

/** The lot as it stands (`lastAction: "state"`), queued: what a republish sends. */
export function queuedState(ctx: UpdateContext, s: AuctionSnapshot, meta: AuctionMeta): Queued {
  return {
    seq: s.lastSeq,
    keep: false,
    update: () => publicHubUpdate(ctx.topics, s.id, s.lastSeq, meta, stateUpdateOf(s, ctx.masks)),
  };
}

/** An outbox of a public update (or none) and the given notices, in their order. */
export function outboxOf(
  ctx: UpdateContext,
  publicUpdate: Queued | undefined,
  notices: readonly AddressedNotice[],
): Outbox {
  const out: Outbox = { public: publicUpdate, notices: new Map() };
  for (const { bidderId, notice } of notices) {
    out.notices.set(bidderId, {
      seq: notice.seq,
      keep: false,
      update: () => noticeHubUpdate(ctx.topics, bidderId, notice),
    });
  }
  return out;
}
