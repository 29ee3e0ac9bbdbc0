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

/** A private message to one bidder about their position. */
export type BidderNotice =
  | {
      type: 'leading';
      auctionId: string;
      seq: number;
      price: string;
      currency: string;
      yourMaximum: string | null;
    }
  | {
      type: 'outbid';
      auctionId: string;
      seq: number;
      price: string;
      currency: string;
      yourPreviousBid: string;
      asking: string;
    }
  | {
      type: 'max_raised';
      auctionId: string;
      seq: number;
      price: string;
      currency: string;
      yourMaximum: string;
    }
  | { type: 'proxy_bid'; auctionId: string; seq: number; price: string; currency: string };

/**
 * The real-time bidding engine: one atomic decision per bid in the store, then the result
 * pushed through the hub — a public update on the auction and sale topics, and private
 * notices to the bidders whose position changed. Publishing is ordered per auction and never
 * delays the bidder's answer; retries reuse the update id, so the hub applies each once.
 */
export class BiddingEngine {
  private readonly opts: BiddingEngineOptions;
  private readonly meta = new Map<string, AuctionMeta>();
  private readonly chains = new Map<string, Promise<void>>();

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
    if (decision.priceChanged && !decision.replayed)
      this.enqueue(req.auctionId, () => this.publishDecision(decision, req));
    else if (decision.kind === 'max_raised' && !decision.replayed)
      this.enqueue(req.auctionId, () => this.publishDecision(decision, req));
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

  /** Resolves when every queued publish has been attempted (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private enqueue(auctionId: string, task: () => Promise<void>): void {
    const prev = this.chains.get(auctionId) ?? Promise.resolve();
    const next = prev
      .then(task)
      .catch((err: unknown) => this.opts.logger.error({ err, auctionId }, 'publishing a decision failed'));
    this.chains.set(auctionId, next);
    void next.then(() => {
      if (this.chains.get(auctionId) === next) this.chains.delete(auctionId);
    });
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

  private async metaOf(auctionId: string): Promise<AuctionMeta> {
    const m = await this.auctionMeta(auctionId);
    if (m === undefined) throw new Error(`auction ${auctionId} vanished`);
    return m;
  }

  private async publishDecision(d: BidDecision, req: BidRequest): Promise<void> {
    const meta = await this.metaOf(d.auctionId);
    const { topics } = this.opts;
    const money = (minor: number): string => formatAmount(minor, meta.currency);
    const base = `urn:gavel:auction:${d.auctionId}:${d.seq}`;
    const updates: HubUpdate[] = [];
    let publicId: string | undefined;
    if (d.priceChanged) {
      const view = viewFromDecision(d, meta);
      publicId = base;
      updates.push({
        id: base,
        type: 'auction',
        topics: [topics.auction(d.auctionId), topics.sale(meta.saleId)],
        data: JSON.stringify({ ...view, extended: d.extended }),
      });
    }
    const notice = (bidderId: string, n: BidderNotice): void => {
      updates.push({
        id: `${base}:${n.type}:${bidderId}`,
        type: n.type,
        private: true,
        topics: [topics.bidder(bidderId)],
        data: JSON.stringify(n),
      });
    };
    const common = { auctionId: d.auctionId, seq: d.seq, price: money(d.price), currency: meta.currency };
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
    for (const u of updates) await this.publishWithRetry(u);
    if (publicId !== undefined) await this.opts.store.markPublished(d.auctionId, d.seq, publicId);
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
