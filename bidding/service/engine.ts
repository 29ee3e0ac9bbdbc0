import type { Logger } from '../../common/logger.ts';
import { FailureStreak } from '../../common/failure-streak.ts';
import type { BiddingService } from './bidding-service.ts';
import { HubPublishError, type HubPublisher, type HubUpdate } from '../../common/hub-publisher.ts';
import type { Topics } from '../../common/topics.ts';
import { formatAmount } from '../../common/money.ts';
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
} from '../core/types.ts';
import {
  decidedLotOfBid,
  decidedLotOfFloor,
  publicUpdateId,
  stateUpdateOf,
  viewFromDecision,
  viewFromSnapshot,
  type AuctionMeta,
  type BidderMasks,
  type DecidedLot,
  type LotChange,
  type PublicAuctionUpdate,
  type PublicAuctionView,
} from '../core/view.ts';

export interface BiddingEngineOptions {
  store: BiddingStore;
  publisher: HubPublisher;
  topics: Topics;
  logger: Logger;
  /**
   * How often start()'s sweep looks for lots whose newest state nobody published (a peer engine
   * that died mid-publish, a decision whose answer was lost with Redis). Default 5,000 ms.
   */
  sweepMs?: number;
  /** Back-off of a publish or read that fails: the first delay and the cap (ms). Default 100 and 5,000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** The keyed bidder masks of public updates (the gateway and the back office hold the same key). */
  masks: BidderMasks;
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
  | (NoticeBase & { type: 'proxy_bid' })
  /** Live lots: the auctioneer gave your standing bid to a floor bidder at the same amount. */
  | (NoticeBase & { type: 'overruled'; yourBid: string; leader: string | null; asking: string })
  /** Live lots: the auctioneer rejected your standing bid; the price went back to the bid before it. */
  | (NoticeBase & { type: 'bid_rejected'; yourBid: string; asking: string })
  /** Live lots: you lead again — the bid after yours was rejected, or the auctioneer undid an action. */
  | (NoticeBase & { type: 'reinstated'; asking: string })
  /** Live lots: your absentee maximum took the lead when the lot opened. */
  | (NoticeBase & { type: 'absentee_executed'; asking: string })
  /** Live lots: the hammer fell on your bid. */
  | (NoticeBase & { type: 'won'; hammerPrice: string })
  /** Live lots: sold to another bidder (you were the underbidder), or unsold with you leading (reserve not met). */
  | (NoticeBase & { type: 'lost'; lotStatus: 'sold' | 'unsold'; hammerPrice: string | null });

/**
 * Private notices in flight per auction. The HTTP publisher pipelines them on one connection (the
 * notices started together leave in one write and the hub takes them in one read), so many in flight
 * cost little more than a few: at 8, a hot auction with many bidders left notices queued for seconds.
 */
const NOTICE_CONCURRENCY = 32;

/** Auctions whose publish progress one sweep reads at a time (autopipelined: one round trip each). */
const SWEEP_BATCH = 500;

/**
 * Whether a failed publish is worth retrying. The hub being down, Redis away, no hub yet on the
 * stream (503), a key an operator is fixing (401/403), a wrong path (404): yes, until it works.
 * A refusal of the update itself (too large, a bad topic: other 4xx) never goes away.
 */
function retryable(err: unknown): boolean {
  if (!(err instanceof HubPublishError)) return true;
  return err.status >= 500 || [401, 403, 404, 408, 425, 429].includes(err.status);
}

interface Queued {
  seq: number;
  /**
   * Builds the update when it is published. Under load most queued states and notices are
   * superseded before their turn, so their view (masked leader, amounts, dates) and JSON are
   * never built; what is captured is immutable decision data, so building late gives the same bytes.
   */
  update: () => HubUpdate;
  /** Floor actions are each published, never replaced by a later state: every screen shows every call. */
  keep: boolean;
}

/** The updates one decision produces: its public state (if it changed), and a notice per bidder. */
interface Outbox {
  public: Queued | undefined;
  notices: Map<string, Queued>;
}

/** Updates waiting to be published for one auction: public states in seq order, the newest notice per bidder. */
interface Pending {
  public: Queued[];
  notices: Map<string, Queued>;
}

/** A live lot's floor bidders are `paddle:<n>`: they have no private topic. */
function hasPrivateTopic(bidderId: string | undefined): bidderId is string {
  return bidderId !== undefined && !bidderId.startsWith('paddle:');
}

/**
 * The real-time bidding engine: one atomic decision per bid or floor action in the store, then
 * the result pushed through the hub — a public update on the auction and sale topics, and private
 * notices to the bidders whose position changed. Publishing never delays the caller's answer;
 * retries reuse the update id, so the hub applies each once.
 */
export class BiddingEngine implements BiddingService {
  private readonly opts: BiddingEngineOptions;
  private readonly meta = new Map<string, AuctionMeta>();
  private readonly pending = new Map<string, Pending>();
  private readonly pumps = new Map<string, Promise<void>>();
  /** Work that will queue updates later (look-ups before a notice, the sweep, resume points). */
  private readonly tasks = new Set<Promise<void>>();
  /** Highest public seq handed to the hub, per auction. */
  private readonly sentSeq = new Map<string, number>();
  /**
   * Queued updates not yet tried once, and tasks doing something (not waiting out a back-off):
   * drain() waits for both to be none — it never waits for a hub that is down.
   */
  private readonly untried = new Set<Queued>();
  private busyTasks = 0;
  private drainWaiters: (() => void)[] = [];
  /** Per auction: resolved at its next enqueue (or stop), so a back-off ends when something newer comes. */
  private readonly changes = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  /** Lots found behind (newest state unpublished) by the last sweep, with the seq they were at. */
  private behind = new Map<string, number>();
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private swept = false;
  private sweeping = false;
  private stopped = false;
  /** Auctions with an update given up because the engine stopped (logged by stop()). */
  private readonly leftBehind = new Set<string>();
  /** Failing retries, logged once per outage and kind of work (a hub outage fails every lot's publishes). */
  private readonly streaks = new Map<string, FailureStreak>();

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
    if (!(decision.priceChanged || decision.kind === 'max_raised')) return decision;
    if (decision.replayed) {
      // The first answer may have been lost with its process or its connection before anything
      // was published: unless this process has that seq in hand, make sure the lot's newest state is out.
      if (decision.seq > this.handledSeq(req.auctionId)) this.track(this.republish(req.auctionId));
      return decision;
    }
    const meta = this.meta.get(req.auctionId);
    // The common case (meta cached) queues synchronously, so updates enter the queue in decision order.
    if (meta !== undefined) this.enqueue(req.auctionId, this.outboxFor(decision, req, meta));
    else {
      this.track(
        this.retrying(req.auctionId, 'reading the auction’s details', () => this.metaOf(req.auctionId)).then(
          (m) => {
            if (m !== undefined) this.enqueue(req.auctionId, this.outboxFor(decision, req, m));
          },
        ),
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
    const r = await this.opts.store.floorAction(req);
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
      if (r.seq > this.handledSeq(req.auctionId)) this.track(this.republish(req.auctionId));
      return r;
    }
    this.enqueue(req.auctionId, this.floorOutbox(r, lot, meta));
    if (r.action === 'hammer' && r.status === 'sold') this.track(this.noticeUnderbidder(r, meta));
    return r;
  }

  /** The public snapshot and the hub event id to subscribe from (undefined before the first update). */
  async snapshot(
    auctionId: string,
  ): Promise<
    { view: PublicAuctionView; lastEventId: string | undefined; snapshot: AuctionSnapshot } | undefined
  > {
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
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Publishes, now, the newest state of every lot whose last update nobody published — this
   * process's predecessor died between a decision and its publish, or a publish failed for good —
   * and then, every `sweepMs`, of each lot still in that state a whole period later (a peer engine
   * that is alive publishes its own well within it). Idempotent: the update id is the seq's, so a
   * hub that has the update already deduplicates it.
   */
  start(): void {
    if (this.sweepTimer !== undefined || this.stopped) return;
    const run = (): void => {
      if (this.sweeping || this.stopped) return;
      this.sweeping = true;
      this.track(
        this.sweep()
          .catch((err: unknown) =>
            this.opts.logger.warn({ err }, 'republish sweep failed; trying again at the next one'),
          )
          .finally(() => {
            this.sweeping = false;
          }),
      );
    };
    run();
    this.sweepTimer = setInterval(run, this.opts.sweepMs ?? 5_000);
    this.sweepTimer.unref();
  }

  /**
   * Stops the sweep and, after letting what is in flight finish for up to `graceMs`, the retries.
   * What is left unpublished is logged; the next start() republishes each lot's newest state (the
   * private notices among it are lost with the process: see the README).
   */
  async stop(graceMs = 2_000): Promise<void> {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.within(graceMs, this.drain());
    this.stopped = true;
    for (const c of [...this.changes.values()]) c.resolve();
    this.changes.clear();
    await this.within(graceMs, Promise.all([...this.pumps.values(), ...this.tasks]));
    for (const [id, p] of this.pending)
      if (p.public.length > 0 || p.notices.size > 0) this.leftBehind.add(id);
    if (this.leftBehind.size > 0)
      this.opts.logger.warn(
        { auctions: [...this.leftBehind] },
        'stopped with updates unpublished: the next start republishes each lot’s newest state (their private notices are lost)',
      );
  }

  private within(ms: number, work: Promise<unknown>): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([work, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() =>
      clearTimeout(timer),
    );
  }

  private idle(): boolean {
    return this.untried.size === 0 && this.busyTasks === 0;
  }

  private settle(q?: Queued): void {
    if (q !== undefined) this.untried.delete(q);
    if (!this.idle() || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private cacheMeta(s: AuctionSnapshot): AuctionMeta {
    const m = { saleId: s.saleId, currency: s.currency, mode: s.mode };
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

  /** The highest seq this process has queued or handed to the hub for the auction. */
  private handledSeq(auctionId: string): number {
    return Math.max(this.sentSeq.get(auctionId) ?? 0, this.pending.get(auctionId)?.public.at(-1)?.seq ?? 0);
  }

  /**
   * Records the resume point (the newest published update) with the auction, retried until Redis
   * takes it. Not awaited by the lane: the resume point only moves forward (the store keeps the
   * highest seq) and these calls reach the store in order; drain() still waits for it.
   */
  private markPublished(auctionId: string, seq: number, eventId: string): void {
    this.track(
      this.retrying(auctionId, 'recording the resume point', () =>
        this.opts.store.markPublished(auctionId, seq, eventId),
      ),
    );
  }

  private track(work: Promise<unknown>): void {
    this.busyTasks++;
    const task: Promise<void> = work
      .then(
        () => undefined,
        (err: unknown) => this.opts.logger.error({ err }, 'could not prepare updates'),
      )
      .finally(() => {
        this.tasks.delete(task);
        this.busyTasks--;
        this.settle();
      });
    this.tasks.add(task);
  }

  /** Resolves at the auction's next enqueue, or at stop(). */
  private nextChange(auctionId: string): Promise<void> {
    let c = this.changes.get(auctionId);
    if (c === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.changes.set(auctionId, (c = { promise, resolve }));
    }
    return c.promise;
  }

  private streak(what: string): FailureStreak {
    let s = this.streaks.get(what);
    if (s === undefined) this.streaks.set(what, (s = new FailureStreak(this.opts.logger, what)));
    return s;
  }

  private backoff(attempt: number): number {
    const base = this.opts.retryBaseMs ?? 100;
    const cap = Math.min(this.opts.retryMaxMs ?? 5_000, base * 2 ** Math.min(attempt - 1, 20));
    // Jittered (half fixed, half random): engines that failed together do not retry together.
    return cap / 2 + Math.random() * (cap / 2);
  }

  /** Waits out a back-off; an enqueue for the auction (something newer) or stop() ends it early. */
  private async pause(auctionId: string, attempt: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise((r) => (timer = setTimeout(r, this.backoff(attempt)))),
      this.nextChange(auctionId),
    ]);
    clearTimeout(timer);
  }

  /**
   * A store call the updates need, retried with back-off until it answers; undefined once the
   * engine stops. While it waits out a back-off it does not hold up drain().
   */
  private async retrying<T>(auctionId: string, what: string, call: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await call();
        this.streak(what).succeeded();
        return answer;
      } catch (err) {
        if (this.stopped) return undefined;
        this.streak(what).failed(err, { auctionId });
        this.busyTasks--;
        this.settle();
        try {
          await this.pause(auctionId, attempt);
        } finally {
          this.busyTasks++;
        }
      }
    }
  }

  /**
   * Builds and publishes one queued update, retrying with back-off until the hub takes it,
   * `superseded()` says a newer state (or notice) has taken its place, or the engine stops; a
   * refusal of the update itself is logged and ends it. Its first attempt settles it for drain().
   * Resolves with the hub id when published, undefined otherwise.
   */
  private async publishUntilDone(
    auctionId: string,
    lane: 'public' | 'notices',
    q: Queued,
    superseded: () => boolean,
  ): Promise<string | undefined> {
    let u: HubUpdate;
    try {
      u = q.update();
    } catch (err) {
      this.settle(q);
      this.opts.logger.error({ err, auctionId, lane, seq: q.seq }, 'could not build an update');
      return undefined;
    }
    for (let attempt = 1; ; attempt++) {
      let failure: { err: unknown } | undefined;
      try {
        await this.opts.publisher.publish(u);
      } catch (err) {
        failure = { err };
      } finally {
        if (attempt === 1) this.settle(q);
      }
      if (failure === undefined) {
        this.streak('hub publish').succeeded();
        return u.id;
      }
      if (!retryable(failure.err)) {
        this.opts.logger.error(
          { err: failure.err, auctionId, lane, id: u.id, attempt },
          'the hub refused the update itself; not retried (the sweep republishes the lot)',
        );
        return undefined;
      }
      if (superseded()) return undefined;
      if (this.stopped) {
        this.leftBehind.add(auctionId);
        return undefined;
      }
      // One line per outage, not per update: every lot's updates fail together while the hub is away.
      this.streak('hub publish').failed(failure.err, { auctionId, lane, id: u.id });
      await this.pause(auctionId, attempt);
    }
  }

  /**
   * Queues a decision's updates. Public states and private notices flow in two lanes per
   * auction: public states one round at a time, notices a bounded number at a time. While a round
   * is in flight, a newer public state replaces a queued price tick (a bid's state is superseded by
   * the next), and a waiting notice is replaced by the same bidder's newer one — a burst costs a
   * few rounds, not one per bid, nobody is shown an older state after a newer one, and a flood of
   * notices never delays the public price.
   * Floor actions are never replaced: they come at the auctioneer's pace, and every screen must
   * show each call (fair warning, then the hammer), not just the last state.
   */
  private enqueue(auctionId: string, batch: Outbox): void {
    let pending = this.pending.get(auctionId);
    if (pending === undefined) this.pending.set(auctionId, (pending = { public: [], notices: new Map() }));
    const p = batch.public;
    if (p !== undefined && p.seq > (this.sentSeq.get(auctionId) ?? 0)) {
      const list = pending.public;
      const last = list.at(-1);
      if (last === undefined || p.seq > last.seq) {
        if (last !== undefined && !last.keep) this.settle(list.pop());
        list.push(p);
        this.untried.add(p);
      } else if (p.keep && !list.some((q) => q.seq === p.seq)) {
        // Queued behind newer updates (its auction's facts were still loading): keep seq order.
        list.splice(
          list.findIndex((q) => q.seq > p.seq),
          0,
          p,
        );
        this.untried.add(p);
      }
      // An older price tick than what is queued is dropped: the queued state includes it.
    }
    for (const [bidder, n] of batch.notices) {
      const prev = pending.notices.get(bidder);
      if (prev === undefined || n.seq >= prev.seq) {
        pending.notices.set(bidder, n);
        this.untried.add(n);
        if (prev !== undefined) this.settle(prev);
      }
    }
    // Something newer for this auction: a publish waiting out a back-off tries again (or gives way) now.
    const change = this.changes.get(auctionId);
    this.changes.delete(auctionId);
    change?.resolve();
    for (const lane of ['public', 'notices'] as const) {
      const key = `${lane}\u0000${auctionId}`;
      if (this.pumps.has(key)) continue;
      const pump: Promise<void> = (
        lane === 'public' ? this.pumpPublic(auctionId, key) : this.pumpNotices(auctionId, key)
      )
        .catch((err: unknown) =>
          this.opts.logger.error(
            { err, auctionId, lane },
            'publishing decisions failed; the sweep republishes the lot’s newest state',
          ),
        )
        .finally(() => {
          if (this.pumps.get(key) === pump) this.pumps.delete(key);
        });
      this.pumps.set(key, pump);
    }
  }

  /**
   * The public lane: rounds of queued states, each published in order, one at a time (the hub keeps
   * the order it receives them in). A state that fails is retried until it goes through; a price
   * tick gives way to a newer state queued meanwhile, a floor action never does (every call is
   * shown, in order). A pump leaves the map in the same step as it finds nothing to do, so an
   * update queued a moment later always starts a new one.
   */
  private async pumpPublic(auctionId: string, key: string): Promise<void> {
    // Let the decisions of this tick join the first round.
    await Promise.resolve();
    for (;;) {
      const pending = this.pending.get(auctionId);
      const round = pending?.public ?? [];
      if (pending === undefined || round.length === 0) {
        this.pumps.delete(key);
        return;
      }
      pending.public = [];
      this.sentSeq.set(auctionId, round.at(-1)!.seq);
      let published: { seq: number; id: string } | undefined;
      for (const q of round) {
        const newer = (): boolean => !q.keep && pending.public.length > 0;
        const id = await this.publishUntilDone(auctionId, 'public', q, newer);
        if (id !== undefined) published = { seq: q.seq, id };
      }
      if (published !== undefined) this.markPublished(auctionId, published.seq, published.id);
    }
  }

  /**
   * The notice lane: a bounded number of notices in flight, a freed slot taking the bidder who has
   * waited longest (a newer notice replaces a waiting one in its place in the queue, so nobody is sent
   * an older position after a newer one, and a bidder outbid again while waiting loses no turn). One
   * notice per bidder in flight at a time keeps each bidder's notices in order at the hub. A notice
   * that fails is retried until it goes through or the bidder's newer one replaces it.
   */
  private async pumpNotices(auctionId: string, key: string): Promise<void> {
    await Promise.resolve();
    const inFlight = new Map<string, Promise<void>>();
    for (;;) {
      const waiting = this.pending.get(auctionId)?.notices;
      if (waiting !== undefined && inFlight.size < NOTICE_CONCURRENCY) {
        for (const [bidder, n] of waiting) {
          if (inFlight.size >= NOTICE_CONCURRENCY) break;
          if (inFlight.has(bidder)) continue;
          waiting.delete(bidder);
          const sent: Promise<void> = this.publishUntilDone(auctionId, 'notices', n, () =>
            waiting.has(bidder),
          ).then(
            () => {
              inFlight.delete(bidder);
            },
            () => {
              inFlight.delete(bidder);
            },
          );
          inFlight.set(bidder, sent);
        }
      }
      if (inFlight.size === 0) {
        this.pumps.delete(key);
        return;
      }
      // A slot frees, or a notice arrives (a free slot takes it even while others wait out a back-off).
      await Promise.race([...inFlight.values(), this.nextChange(auctionId)]);
    }
  }

  /** The newest state of every lot that has one nobody published (see start()). */
  private async sweep(): Promise<void> {
    const first = !this.swept;
    const ids = await this.opts.store.listAuctions();
    const behind = new Map<string, number>();
    let republished = 0;
    for (let i = 0; i < ids.length && !this.stopped; i += SWEEP_BATCH) {
      const chunk = ids.slice(i, i + SWEEP_BATCH);
      const progress = await Promise.all(chunk.map((id) => this.opts.store.publishProgress(id)));
      for (const [j, p] of progress.entries()) {
        const id = chunk[j]!;
        if (p === undefined || p.lastSeq <= p.publishedSeq || p.lastSeq <= this.handledSeq(id)) continue;
        behind.set(id, p.lastSeq);
        // A live peer publishes its own decisions: only what stayed behind a whole period is ours.
        if (first || this.behind.get(id) === p.lastSeq) {
          if (await this.republish(id)) republished++;
        }
      }
    }
    this.behind = behind;
    this.swept = true;
    if (republished > 0)
      this.opts.logger.info(
        { republished, atStart: first },
        'republished the newest state of lots whose last update had not been published',
      );
  }

  /** Queues the lot's state as it stands, if its newest seq is not recorded as published. */
  private async republish(auctionId: string): Promise<boolean> {
    const s = await this.opts.store.snapshot(auctionId);
    if (s === undefined || s.lastSeq <= s.publishedSeq || s.lastSeq <= this.handledSeq(auctionId))
      return false;
    const meta = this.meta.get(auctionId) ?? this.cacheMeta(s);
    this.enqueue(auctionId, {
      public: {
        seq: s.lastSeq,
        keep: false,
        update: () => this.publicHubUpdate(auctionId, s.lastSeq, meta, stateUpdateOf(s, this.opts.masks)),
      },
      notices: new Map(),
    });
    return true;
  }

  private publicHubUpdate(
    auctionId: string,
    seq: number,
    meta: AuctionMeta,
    data: PublicAuctionUpdate,
  ): HubUpdate {
    const { topics } = this.opts;
    return {
      id: publicUpdateId(auctionId, seq),
      type: 'auction',
      topics: [topics.auction(auctionId), topics.sale(meta.saleId)],
      data: JSON.stringify(data),
    };
  }

  /** The public update of one decision, on the auction and sale topics. */
  private publicUpdate(
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
        this.publicHubUpdate(lot.auctionId, lot.seq, meta, {
          ...viewFromDecision(lot, meta, this.opts.masks),
          lastAction,
          ...extra,
        }),
    };
  }

  private addNotice(out: Outbox, bidderId: string, n: BidderNotice): void {
    out.notices.set(bidderId, {
      seq: n.seq,
      keep: false,
      update: () => ({
        id: `urn:gavel:auction:${n.auctionId}:${n.seq}:${n.type}:${bidderId}`,
        type: n.type,
        private: true,
        topics: [this.opts.topics.bidder(bidderId)],
        data: JSON.stringify(n),
      }),
    });
  }

  /** The updates one decision produces: the public state, and a notice per bidder whose position changed. */
  private outboxFor(d: BidDecision, req: BidRequest, meta: AuctionMeta): Outbox {
    const money = (minor: number): string => formatAmount(minor, meta.currency);
    const out: Outbox = { public: undefined, notices: new Map() };
    if (d.priceChanged) {
      out.public = this.publicUpdate(
        decidedLotOfBid(d, meta.mode),
        meta,
        'bid',
        { extended: d.extended, undone: null, decidedAt: new Date(d.decidedAt).toISOString() },
        false,
      );
    }
    const notice = (bidderId: string, n: BidderNotice): void => this.addNotice(out, bidderId, n);
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
      const prev = d.previousLeaderId;
      // On a live lot the previous leader may be a floor bidder, who has no private topic.
      if (prev !== undefined && prev !== d.leaderId && (meta.mode === 'timed' || hasPrivateTopic(prev))) {
        notice(prev, {
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

  /** The updates of an applied floor action (or a floor bid an absentee answered). */
  private floorOutbox(r: FloorActionResult, lot: DecidedLot, meta: AuctionMeta): Outbox {
    const money = (minor: number): string => formatAmount(minor, meta.currency);
    const out: Outbox = {
      public: this.publicUpdate(
        lot,
        meta,
        r.action as LotChange,
        { extended: false, undone: r.undone ?? null, decidedAt: new Date(r.decidedAt).toISOString() },
        true,
      ),
      notices: new Map(),
    };
    const notice = (bidderId: string, n: BidderNotice): void => this.addNotice(out, bidderId, n);
    const common: NoticeBase = {
      auctionId: r.auctionId,
      seq: r.seq,
      price: money(r.price),
      currency: meta.currency,
    };
    const asking = money(r.asking);
    const prev = r.previousLeaderId;
    const cur = r.leaderId;
    if (r.action === 'hammer') {
      // The underbidder's 'lost' needs the decision stream: noticeUnderbidder.
      if (!hasPrivateTopic(cur)) return out;
      if (r.status === 'sold') notice(cur, { type: 'won', ...common, hammerPrice: money(r.price) });
      else notice(cur, { type: 'lost', ...common, lotStatus: 'unsold', hammerPrice: null });
    } else if (prev !== cur) {
      // Nobody outbids a leader whose lead an undo took back to no bid (an absentee before the lot opened).
      if (hasPrivateTopic(prev) && cur !== undefined) {
        const yourBid = money(r.previousPrice);
        if (r.action === 'overrule')
          notice(prev, {
            type: 'overruled',
            ...common,
            yourBid,
            leader: this.opts.masks.leader(meta.saleId, cur, r.leaderKind),
            asking,
          });
        else if (r.action === 'reject_bid')
          notice(prev, { type: 'bid_rejected', ...common, yourBid, asking });
        else notice(prev, { type: 'outbid', ...common, yourPreviousBid: yourBid, asking });
      }
      if (hasPrivateTopic(cur))
        notice(cur, { type: r.action === 'open' ? 'absentee_executed' : 'reinstated', ...common, asking });
    } else if (r.outcome === 'rejected' && hasPrivateTopic(cur)) {
      // A floor bid that the leading absentee maximum answered.
      notice(cur, { type: 'proxy_bid', ...common });
    } else if (
      r.action === 'undo' &&
      hasPrivateTopic(cur) &&
      (r.previousStatus === 'sold' ||
        r.previousStatus === 'unsold' ||
        r.previousStatus === 'passed' ||
        r.previousStatus === 'withdrawn')
    ) {
      // The hammer (or pass, withdrawal) was undone: bidding is back on, and this bidder still leads.
      notice(cur, { type: 'reinstated', ...common, asking });
    }
    return out;
  }

  /** On a sale: tells the underbidder, if an internet bidder, that the lot went to someone else. */
  private async noticeUnderbidder(r: FloorActionResult, meta: AuctionMeta): Promise<void> {
    const under = await this.retrying(r.auctionId, 'finding the underbidder', () => this.underbidderOf(r));
    if (!hasPrivateTopic(under) || under === r.leaderId) return;
    const out: Outbox = { public: undefined, notices: new Map() };
    const price = formatAmount(r.price, meta.currency);
    this.addNotice(out, under, {
      type: 'lost',
      auctionId: r.auctionId,
      seq: r.seq,
      price,
      currency: meta.currency,
      lotStatus: 'sold',
      hammerPrice: price,
    });
    this.enqueue(r.auctionId, out);
  }

  /**
   * Who held the standing bid just below the winning one. The store keeps that stack in the lot's
   * state but does not return it, so it is read back from the decision stream: the event that set
   * the standing bid (r.standingSeq) names the leader it replaced — or the challenger, when it was
   * a bid an absentee maximum answered — and an absentee who took the lot on `open` was followed by
   * the second-best absentee maximum. Once per lot, on the hammer.
   */
  private async underbidderOf(r: FloorActionResult): Promise<string | undefined> {
    const PAGE = 500;
    /** Absentee maximums left before the lot opened: the newest per bidder. */
    const absentees = new Map<string, { max: number; seq: number }>();
    let cursor = '0';
    for (;;) {
      const page = await this.opts.store.decisions(r.auctionId, cursor, PAGE);
      for (const e of page) {
        cursor = e.streamId;
        if (e.type === 'bid') {
          const d = e.decision;
          if (d.kind === 'absentee')
            absentees.set(d.bidderId, { max: Math.max(e.max ?? 0, d.amount), seq: d.seq });
          if (d.seq !== r.standingSeq) continue;
          return d.kind === 'bid' ? d.previousLeaderId : d.bidderId;
        }
        // Restates are timed-only: a live lot's stream has none.
        if (e.type === 'restate' || e.result.seq !== r.standingSeq) continue;
        if (e.result.action === 'open') {
          let best: { bidderId: string; max: number; seq: number } | undefined;
          for (const [bidderId, a] of absentees) {
            if (bidderId === r.leaderId) continue;
            if (best === undefined || a.max > best.max || (a.max === best.max && a.seq < best.seq))
              best = { bidderId, ...a };
          }
          return best?.bidderId;
        }
        if (e.action.action === 'floor_bid' && e.result.outcome === 'rejected')
          return `paddle:${e.action.paddle}`;
        return e.result.previousLeaderId;
      }
      if (page.length < PAGE) return undefined;
    }
  }
}
