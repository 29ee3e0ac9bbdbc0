import type { Logger } from '../common/logger.ts';
import type { HubPublisher, HubUpdate } from '../common/hub-publisher.ts';
import type { Topics } from '../common/topics.ts';
import { formatAmount } from '../common/money.ts';
import type { AuctionSnapshot, BidDecision, BidRequest, BiddingStore } from './types.ts';
import { viewFromDecision, viewFromSnapshot, type AuctionMeta, type PublicAuctionView } from './view.ts';

export interface BiddingEngineOptions {
  store: BiddingStore;
  publisher: HubPublisher;
  topics: Topics;
  logger: Logger;
}

interface NoticeBase {
  auctionId: string;
  seq: number;
  price: string;
  currency: string;
}

/** A private message to one bidder about their position. */
export type BidderNotice =
  | (NoticeBase & { type: 'leading'; yourMaximum: string | null })
  | (NoticeBase & { type: 'outbid'; yourPreviousBid: string; asking: string })
  | (NoticeBase & { type: 'max_raised'; yourMaximum: string })
  | (NoticeBase & { type: 'proxy_bid' });

const NOTICE_CONCURRENCY = 8;

interface Queued {
  seq: number;
  update: HubUpdate;
}

/** Updates waiting to be published for one auction: the newest public state, the newest notice per bidder. */
interface Outbox {
  public: Queued | undefined;
  notices: Map<string, Queued>;
}

/**
 * The real-time bidding engine: one atomic decision per bid in the store, then the result
 * pushed through the hub — a public update on the auction and sale topics, and private
 * notices to the bidders whose position changed. Publishing never delays the bidder's answer;
 * retries reuse the update id, so the hub applies each once.
 */
export class BiddingEngine {
  private readonly opts: BiddingEngineOptions;
  private readonly meta = new Map<string, AuctionMeta>();
  private readonly pending = new Map<string, Outbox>();
  private readonly pumps = new Map<string, Promise<void>>();
  /** Highest public seq handed to the hub, per auction. */
  private readonly sentSeq = new Map<string, number>();

  constructor(opts: BiddingEngineOptions) {
    this.opts = opts;
  }

  get store(): BiddingStore {
    return this.opts.store;
  }

  async placeBid(req: BidRequest): Promise<BidDecision> {
    const decision = await this.opts.store.placeBid(req);
    this.opts.logger.info(
      {
        correlationId: req.correlationId,
        auctionId: req.auctionId,
        bidderId: req.bidderId,
        seq: decision.seq,
        outcome: decision.outcome,
        reason: decision.reason,
        source: req.source,
        replayed: decision.replayed,
      },
      'bid decided',
    );
    if (!decision.replayed && (decision.priceChanged || decision.kind === 'max_raised')) {
      const meta = this.meta.get(req.auctionId);
      // The common case (meta cached) queues synchronously, so updates enter the queue in decision order.
      if (meta !== undefined) this.enqueue(req.auctionId, this.outboxFor(decision, req, meta));
      else {
        this.metaOf(req.auctionId).then(
          (m) => this.enqueue(req.auctionId, this.outboxFor(decision, req, m)),
          (err: unknown) =>
            this.opts.logger.error({ err, auctionId: req.auctionId }, 'could not prepare updates'),
        );
      }
    }
    return decision;
  }

  /** The public snapshot and the hub event id to subscribe from (undefined before the first update). */
  async snapshot(
    auctionId: string,
  ): Promise<
    { view: PublicAuctionView; lastEventId: string | undefined; snapshot: AuctionSnapshot } | undefined
  > {
    const s = await this.opts.store.snapshot(auctionId);
    if (s === undefined) return undefined;
    return { view: viewFromSnapshot(s), lastEventId: s.publishedEventId, snapshot: s };
  }

  /** An auction's immutable facts (sale, currency, mode), cached; undefined for an unknown auction. */
  async auctionMeta(auctionId: string): Promise<AuctionMeta | undefined> {
    let m = this.meta.get(auctionId);
    if (m === undefined) {
      const s = await this.opts.store.snapshot(auctionId);
      if (s === undefined) return undefined;
      m = { saleId: s.saleId, currency: s.currency, mode: s.mode };
      this.meta.set(auctionId, m);
    }
    return m;
  }

  /** Resolves when every queued update has been attempted (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pumps.size > 0) await Promise.all([...this.pumps.values()]);
  }

  private async metaOf(auctionId: string): Promise<AuctionMeta> {
    const m = await this.auctionMeta(auctionId);
    if (m === undefined) throw new Error(`auction ${auctionId} vanished`);
    return m;
  }

  /**
   * Queues a decision's updates. Public states and private notices flow in two lanes per
   * auction, each publishing one round at a time. While a round is in flight, a newer public
   * state replaces an older one (a price tick is superseded by the next) and each bidder keeps
   * only their newest notice — a burst costs a few rounds, not one per bid, nobody is shown an
   * older state after a newer one, and a flood of notices never delays the public price.
   */
  private enqueue(auctionId: string, batch: Outbox): void {
    let pending = this.pending.get(auctionId);
    if (pending === undefined)
      this.pending.set(auctionId, (pending = { public: undefined, notices: new Map() }));
    const sent = this.sentSeq.get(auctionId) ?? 0;
    if (
      batch.public !== undefined &&
      batch.public.seq > sent &&
      batch.public.seq > (pending.public?.seq ?? 0)
    )
      pending.public = batch.public;
    for (const [bidder, n] of batch.notices) {
      const prev = pending.notices.get(bidder);
      if (prev === undefined || n.seq >= prev.seq) pending.notices.set(bidder, n);
    }
    for (const lane of ['public', 'notices'] as const) {
      const key = `${lane}\u0000${auctionId}`;
      if (this.pumps.has(key)) continue;
      const pump = this.pump(auctionId, lane).finally(() => this.pumps.delete(key));
      this.pumps.set(key, pump);
    }
  }

  private async pump(auctionId: string, lane: 'public' | 'notices'): Promise<void> {
    // Let the decisions of this tick join the first round.
    await Promise.resolve();
    for (;;) {
      const pending = this.pending.get(auctionId);
      if (pending === undefined) return;
      try {
        if (lane === 'public') {
          const latest = pending.public;
          if (latest === undefined) return;
          pending.public = undefined;
          this.sentSeq.set(auctionId, latest.seq);
          await this.publishWithRetry(latest.update);
          await this.opts.store.markPublished(auctionId, latest.seq, latest.update.id!);
        } else {
          if (pending.notices.size === 0) return;
          const round = [...pending.notices.values()];
          pending.notices = new Map();
          // A bounded number in flight, so notices never crowd the public lane's request at the hub.
          for (let i = 0; i < round.length; i += NOTICE_CONCURRENCY) {
            await Promise.all(
              round.slice(i, i + NOTICE_CONCURRENCY).map((n) => this.publishWithRetry(n.update)),
            );
          }
        }
      } catch (err) {
        this.opts.logger.error(
          { err, auctionId, lane },
          'publishing decisions failed; subscribers catch up from the next update or a snapshot',
        );
      }
    }
  }

  /** The updates one decision produces: the public state, and a notice per bidder whose position changed. */
  private outboxFor(d: BidDecision, req: BidRequest, meta: AuctionMeta): Outbox {
    const { topics } = this.opts;
    const money = (minor: number): string => formatAmount(minor, meta.currency);
    const base = `urn:gavel:auction:${d.auctionId}:${d.seq}`;
    const out: Outbox = { public: undefined, notices: new Map() };
    if (d.priceChanged) {
      const view = viewFromDecision(d, meta);
      out.public = {
        seq: d.seq,
        update: {
          id: base,
          type: 'auction',
          topics: [topics.auction(d.auctionId), topics.sale(meta.saleId)],
          data: JSON.stringify({ ...view, extended: d.extended }),
        },
      };
    }
    const notice = (bidderId: string, n: BidderNotice): void => {
      out.notices.set(bidderId, {
        seq: d.seq,
        update: {
          id: `${base}:${n.type}:${bidderId}`,
          type: n.type,
          private: true,
          topics: [topics.bidder(bidderId)],
          data: JSON.stringify(n),
        },
      });
    };
    const common: NoticeBase = {
      auctionId: d.auctionId,
      seq: d.seq,
      price: money(d.price),
      currency: meta.currency,
    };
    if (d.kind === 'bid' && d.leaderId !== undefined) {
      notice(d.leaderId, {
        type: 'leading',
        ...common,
        yourMaximum: req.max === undefined ? null : money(Math.max(req.max, req.amount)),
      });
      if (d.previousLeaderId !== undefined && d.previousLeaderId !== d.leaderId) {
        notice(d.previousLeaderId, {
          type: 'outbid',
          ...common,
          yourPreviousBid: money(d.previousPrice),
          asking: money(d.asking),
        });
      }
    } else if (d.kind === 'max_raised') {
      notice(d.bidderId, {
        type: 'max_raised',
        ...common,
        yourMaximum: money(Math.max(req.max ?? 0, req.amount)),
      });
    } else if (d.reason === 'OUTBID' && d.priceChanged && d.leaderId !== undefined) {
      notice(d.leaderId, { type: 'proxy_bid', ...common });
    }
    return out;
  }

  private async publishWithRetry(u: HubUpdate): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.opts.publisher.publish(u);
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        this.opts.logger.warn({ err, id: u.id, attempt }, 'hub publish failed; retrying with the same id');
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }
}
