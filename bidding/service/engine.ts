import type { HubPublisher } from '../../common/hub-publisher.ts';
import type { Logger } from '../../common/logger.ts';
import type { Topics } from '../../common/topics.ts';
import { correlationAttrs, currentContext, inSpan, tracingEnabled, type Span } from '../../common/tracing.ts';
import type { BidderMasks } from '../core/masks.ts';
import { bidNotices, floorNotices, underbidderNotice } from '../core/notices.ts';
import type {
  AcceptedBid,
  AcceptedBidsQuery,
  AuctionSnapshot,
  BidDecision,
  BidRequest,
  BiddingStore,
  FloorActionRequest,
  FloorActionResult,
  RecordedEvent,
  WaitingAbsentee,
} from '../core/types.ts';
import { UnderbidderSearch } from '../core/underbidder.ts';
import { decidedLotOfBid, decidedLotOfFloor, viewFromSnapshot, type AuctionMeta } from '../core/view.ts';
import type { AuctionSnapshotWithResume, BiddingService } from './bidding-service.ts';
import { PublishingLanes } from './lanes.ts';
import {
  outboxOf,
  queuedDecision,
  queuedState,
  traced,
  type QueuedTrace,
  type UpdateContext,
} from './outbox.ts';
import { RepublishSweep } from './sweep.ts';
import { WorkTracker } from './work-tracker.ts';
import { PublishTimer, type EngineMetrics } from './metrics.ts';

export interface BiddingEngineOptions {
  store: BiddingStore;
  publisher: HubPublisher;
  topics: Topics;
  logger: Logger;
  /**
   * How often start()'s sweep looks for lots whose newest state nobody published (a peer engine
   * that died mid-publish, a decision whose answer was lost with Redis). Default 5,000 ms.
   */
  sweepMs?: number | undefined;
  /** Back-off of a publish or read that fails: the first delay and the cap (ms). Default 100 and 5,000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** The keyed bidder masks of public updates (the gateway and the back office hold the same key). */
  masks: BidderMasks;
  /** The bid path's Prometheus metrics (bids by channel and outcome, decision and publish times). */
  metrics?: EngineMetrics | undefined;
}

/** Decision events read per page when looking for a sale's underbidder. */
const UNDERBIDDER_PAGE = 500;

/**
 * The real-time bidding engine: one atomic decision per bid or floor action in the store, then
 * the result pushed through the hub — a public update on the auction and sale topics, and private
 * notices to the bidders whose position changed (core/notices.ts), in two lanes per auction
 * (lanes.ts). Publishing never delays the caller's answer; retries reuse the update id, so the hub
 * applies each once.
 */
export class BiddingEngine implements BiddingService {
  private readonly opts: BiddingEngineOptions;
  private readonly ctx: UpdateContext;
  private readonly meta = new Map<string, AuctionMeta>();
  private readonly work: WorkTracker;
  private readonly lanes: PublishingLanes;
  private readonly sweep: RepublishSweep;
  private readonly metrics: EngineMetrics | undefined;
  private readonly publishTimer: PublishTimer | undefined;

  constructor(opts: BiddingEngineOptions) {
    this.opts = opts;
    this.ctx = { topics: opts.topics, masks: opts.masks };
    this.metrics = opts.metrics;
    this.publishTimer =
      opts.metrics === undefined ? undefined : new PublishTimer(opts.metrics.publishSeconds);
    this.work = new WorkTracker(opts);
    this.lanes = new PublishingLanes({
      publisher: opts.publisher,
      logger: opts.logger,
      work: this.work,
      published: (auctionId, seq, eventId) => {
        this.publishTimer?.published(auctionId, seq);
        this.markPublished(auctionId, seq, eventId);
      },
    });
    this.sweep = new RepublishSweep({
      store: opts.store,
      logger: opts.logger,
      work: this.work,
      handledSeq: (id) => this.lanes.handledSeq(id),
      republish: (id) => this.republish(id),
    });
  }

  get store(): BiddingStore {
    return this.opts.store;
  }

  placeBid(req: BidRequest): Promise<BidDecision> {
    if (!tracingEnabled()) return this.decideBid(req, undefined);
    return inSpan(
      'bid.decide',
      {
        attributes: {
          ...correlationAttrs(req.correlationId),
          'gavel.auction_id': req.auctionId,
          'gavel.bid.source': req.source,
        },
      },
      (span) => this.decideBid(req, span),
    );
  }

  private async decideBid(req: BidRequest, span: Span | undefined): Promise<BidDecision> {
    const arrived = performance.now();
    const decision = await this.opts.store.placeBid(req);
    if (this.metrics !== undefined) {
      this.metrics.decisionSeconds.observe((performance.now() - arrived) / 1000);
      if (!decision.replayed) this.metrics.bid(req.source, decision.outcome, decision.reason);
    }
    span?.setAttributes({ 'gavel.bid.outcome': decision.outcome, 'gavel.seq': decision.seq });
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
    if (!(decision.priceChanged || decision.kind === 'max_raised')) return decision;
    if (decision.replayed) {
      // The first answer may have been lost with its process or its connection before anything
      // was published: unless this process has that seq in hand, make sure the lot's newest state is out.
      if (decision.seq > this.lanes.handledSeq(req.auctionId)) this.work.track(this.republish(req.auctionId));
      return decision;
    }
    if (decision.priceChanged) this.publishTimer?.queued(req.auctionId, decision.seq, arrived);
    const meta = this.meta.get(req.auctionId);
    // The hub publishes are children of this decision's span (tracing on; undefined otherwise).
    const parent = currentContext();
    const trace = parent === undefined ? undefined : { parent, correlationId: req.correlationId };
    // The common case (meta cached) queues synchronously, so updates enter the queue in decision order.
    if (meta !== undefined) this.queueBid(decision, req, meta, trace);
    else {
      this.work.track(
        this.work
          .retrying(req.auctionId, 'reading the auction’s details', () => this.metaOf(req.auctionId))
          .then((m) => {
            if (m !== undefined) this.queueBid(decision, req, m, trace);
          }),
      );
    }
    return decision;
  }

  /**
   * Decides one of the auctioneer's floor actions, then publishes what it changed: every applied
   * action as its own public update (with `lastAction`), and private notices to the internet
   * bidders it concerns — overruled, rejected, outbid by the floor, reinstated, won, lost. A
   * refused action publishes nothing, except a floor bid that an absentee maximum answered: that
   * one is refused yet moves the price, and every screen has to show it.
   */
  async floorAction(req: FloorActionRequest): Promise<FloorActionResult> {
    // Looked up before the decision (cached after the first), so the updates queue synchronously, in seq order.
    const meta = await this.auctionMeta(req.auctionId);
    const arrived = performance.now();
    const r = await this.opts.store.floorAction(req);
    // A floor bid is a bid of the `floor` channel; the other calls are the auctioneer's, not bids.
    if (this.metrics !== undefined && req.action === 'floor_bid') {
      this.metrics.decisionSeconds.observe((performance.now() - arrived) / 1000);
      if (!r.replayed) this.metrics.bid('floor', r.outcome, r.reason);
    }
    this.opts.logger.info(
      {
        correlationId: req.correlationId,
        auctionId: req.auctionId,
        action: r.action,
        seq: r.seq,
        outcome: r.outcome,
        reason: r.reason,
        status: r.status,
        previousStatus: r.previousStatus,
        undone: r.undone,
        replayed: r.replayed,
      },
      'floor action decided',
    );
    const lot = decidedLotOfFloor(r);
    // `superseded` only closes the undo window: nothing anyone sees changes.
    if (
      meta === undefined ||
      lot === undefined ||
      r.action === 'superseded' ||
      (r.outcome !== 'accepted' && !r.priceChanged)
    )
      return r;
    if (r.replayed) {
      if (r.seq > this.lanes.handledSeq(req.auctionId)) this.work.track(this.republish(req.auctionId));
      return r;
    }
    const extra = {
      extended: false,
      undone: r.undone ?? null,
      decidedAt: new Date(r.decidedAt).toISOString(),
    };
    const update = queuedDecision(this.ctx, lot, meta, r.action, extra, true);
    if (req.action === 'floor_bid') this.publishTimer?.queued(req.auctionId, r.seq, arrived);
    this.lanes.enqueue(req.auctionId, outboxOf(this.ctx, update, floorNotices(r, meta, this.opts.masks)));
    if (r.action === 'hammer' && r.status === 'sold') this.work.track(this.noticeUnderbidder(r, meta));
    return r;
  }

  waitingAbsentees(auctionId: string): Promise<WaitingAbsentee[]> {
    return this.opts.store.waitingAbsentees(auctionId);
  }

  /** The public snapshot and the hub event id to subscribe from (undefined before the first update). */
  async snapshot(auctionId: string): Promise<AuctionSnapshotWithResume | undefined> {
    const s = await this.opts.store.snapshot(auctionId);
    if (s === undefined) return undefined;
    return { view: viewFromSnapshot(s, this.opts.masks), lastEventId: s.publishedEventId, snapshot: s };
  }

  /** An auction's immutable facts (sale, currency, mode), cached; undefined for an unknown auction. */
  async auctionMeta(auctionId: string): Promise<AuctionMeta | undefined> {
    let m = this.meta.get(auctionId);
    if (m === undefined) {
      const s = await this.opts.store.snapshot(auctionId);
      if (s === undefined) return undefined;
      m = this.cacheMeta(s);
    }
    return m;
  }

  decisions(auctionId: string, afterStreamId?: string, count?: number): Promise<RecordedEvent[]> {
    return this.opts.store.decisions(auctionId, afterStreamId, count);
  }

  acceptedBids(auctionId: string, query?: AcceptedBidsQuery): Promise<AcceptedBid[]> {
    return this.opts.store.acceptedBids(auctionId, query);
  }

  /**
   * Resolves when every update queued so far has been tried at least once — published, replaced by a
   * newer one, or failed and waiting for its retry — and no look-up is in progress (tests, shutdown).
   * It does not wait for a hub that is down: the retries go on until stop().
   */
  drain(): Promise<void> {
    return this.work.drain();
  }

  /**
   * Publishes, now, the newest state of every lot whose last update nobody published — this
   * process's predecessor died between a decision and its publish, or a publish failed for good —
   * and then, every `sweepMs`, of each lot still in that state a whole period later (a peer engine
   * that is alive publishes its own well within it). Idempotent: the update id is the seq's, so a
   * hub that has the update already deduplicates it.
   */
  start(): void {
    this.sweep.start(this.opts.sweepMs ?? 5_000);
  }

  /**
   * Stops the sweep and, after letting what is in flight finish for up to `graceMs`, the retries.
   * What is left unpublished is logged; the next start() republishes each lot's newest state (the
   * private notices among it are lost with the process: see docs/bidding.md).
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.sweep.stop();
    await within(graceMs, this.drain());
    this.work.stop();
    await within(graceMs, Promise.all([...this.lanes.running(), ...this.work.pendingTasks()]));
    const leftBehind = this.lanes.unpublished();
    if (leftBehind.length > 0)
      this.opts.logger.warn(
        { auctions: leftBehind },
        'stopped with updates unpublished: the next start republishes each lot’s newest state (their private notices are lost)',
      );
  }

  private queueBid(d: BidDecision, req: BidRequest, meta: AuctionMeta, trace: QueuedTrace | undefined): void {
    const update = d.priceChanged
      ? queuedDecision(
          this.ctx,
          decidedLotOfBid(d, meta.mode),
          meta,
          'bid',
          { extended: d.extended, undone: null, decidedAt: new Date(d.decidedAt).toISOString() },
          false,
        )
      : undefined;
    this.lanes.enqueue(req.auctionId, traced(outboxOf(this.ctx, update, bidNotices(d, req, meta)), trace));
  }

  private cacheMeta(s: AuctionSnapshot): AuctionMeta {
    const m: AuctionMeta = {
      saleId: s.saleId,
      currency: s.currency,
      mode: s.mode,
      ...(s.private === true ? { private: true } : {}),
    };
    this.meta.set(s.id, m);
    return m;
  }

  private async metaOf(auctionId: string): Promise<AuctionMeta | undefined> {
    const m = await this.auctionMeta(auctionId);
    if (m === undefined)
      // Gone since it decided (its state was flushed): the sweep publishes it once it is restored.
      this.opts.logger.warn({ auctionId }, 'auction vanished before its update was built');
    return m;
  }

  /**
   * Records the resume point (the newest published update) with the auction, retried until Redis
   * takes it. Not awaited by the lane: the resume point only moves forward (the store keeps the
   * highest seq) and these calls reach the store in order; drain() still waits for it.
   */
  private markPublished(auctionId: string, seq: number, eventId: string): void {
    this.work.track(
      this.work.retrying(auctionId, 'recording the resume point', () =>
        this.opts.store.markPublished(auctionId, seq, eventId),
      ),
    );
  }

  /** Queues the lot's state as it stands, if its newest seq is not recorded as published. */
  private async republish(auctionId: string): Promise<boolean> {
    const s = await this.opts.store.snapshot(auctionId);
    if (s === undefined || s.lastSeq <= s.publishedSeq || s.lastSeq <= this.lanes.handledSeq(auctionId))
      return false;
    const meta = this.meta.get(auctionId) ?? this.cacheMeta(s);
    this.lanes.enqueue(auctionId, { public: queuedState(this.ctx, s, meta), notices: new Map() });
    return true;
  }

  /** On a sale: tells the underbidder, if an internet bidder, that the lot went to someone else. */
  private async noticeUnderbidder(r: FloorActionResult, meta: AuctionMeta): Promise<void> {
    const under = await this.work.retrying(r.auctionId, 'finding the underbidder', () =>
      this.underbidderOf(r),
    );
    const notice = underbidderNotice(r, meta, under);
    if (notice !== undefined) this.lanes.enqueue(r.auctionId, outboxOf(this.ctx, undefined, [notice]));
  }

  /** Reads the decision stream until the event that set the winning bid names the underbidder. Once per lot. */
  private async underbidderOf(r: FloorActionResult): Promise<string | undefined> {
    const search = new UnderbidderSearch(r);
    let cursor = '0';
    for (;;) {
      const page = await this.opts.store.decisions(r.auctionId, cursor, UNDERBIDDER_PAGE);
      for (const e of page) {
        cursor = e.streamId;
        const found = search.see(e);
        if (found !== undefined) return found.underbidder;
      }
      if (page.length < UNDERBIDDER_PAGE) return undefined;
    }
  }
}

function within(ms: number, work: Promise<unknown>): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([work, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
