import { HubPublishError, type HubPublisher, type HubUpdate } from '../../common/hub-publisher.ts';
import type { Logger } from '../../common/logger.ts';
import { correlationAttrs, inSpan } from '../../common/tracing.ts';
import type { Outbox, Queued } from './outbox.ts';
import type { WorkTracker } from './work-tracker.ts';

/**
 * Private notices in flight per auction. The HTTP publisher pipelines them on one connection (the
 * notices started together leave in one write and the hub takes them in one read), so many in flight
 * cost little more than a few: at 8, a hot auction with many bidders left notices queued for seconds.
 */
const NOTICE_CONCURRENCY = 32;

/**
 * Whether a failed publish is worth retrying. The hub being down, Redis away, no hub yet on the
 * stream (503), a key an operator is fixing (401/403), a wrong path (404): yes, until it works.
 * A refusal of the update itself (too large, a bad topic: other 4xx) never goes away.
 */
export function retryable(err: unknown): boolean {
  if (!(err instanceof HubPublishError)) return true;
  return err.status >= 500 || [401, 403, 404, 408, 425, 429].includes(err.status);
}

/** Updates waiting to be published for one auction: public states in seq order, the newest notice per bidder. */
interface Pending {
  public: Queued[];
  notices: Map<string, Queued>;
}

export interface PublishingLanesOptions {
  publisher: HubPublisher;
  logger: Logger;
  work: WorkTracker;
  /** A round of public states went out: the newest one's seq and hub id (the auction's resume point). */
  published: (auctionId: string, seq: number, eventId: string) => void;
}

/**
 * The two publishing lanes of each auction. Public states go one round at a time; private notices
 * a bounded number at a time. While a round is in flight, a newer public state replaces a queued
 * price tick (a bid's state is superseded by the next), and a waiting notice is replaced by the
 * same bidder's newer one — a burst costs a few rounds, not one per bid, nobody is shown an older
 * state after a newer one, and a flood of notices never delays the public price. Floor actions are
 * never replaced: they come at the auctioneer's pace, and every screen must show each call (fair
 * warning, then the hammer), not just the last state. Retries reuse the update id, so the hub
 * applies each once.
 */
export class PublishingLanes {
  private readonly opts: PublishingLanesOptions;
  private readonly pending = new Map<string, Pending>();
  private readonly pumps = new Map<string, Promise<void>>();
  /** Highest public seq handed to the hub, per auction. */
  private readonly sentSeq = new Map<string, number>();
  /** Auctions with an update given up because the engine stopped (logged by stop()). */
  private readonly leftBehind = new Set<string>();

  constructor(opts: PublishingLanesOptions) {
    this.opts = opts;
  }

  /** The highest seq this process has queued or handed to the hub for the auction. */
  handledSeq(auctionId: string): number {
    return Math.max(this.sentSeq.get(auctionId) ?? 0, this.pending.get(auctionId)?.public.at(-1)?.seq ?? 0);
  }

  /** The lanes at work, for stop() to wait on. */
  running(): Promise<void>[] {
    return [...this.pumps.values()];
  }

  /** Auctions with updates never published (queued, or given up at stop). */
  unpublished(): string[] {
    for (const [id, p] of this.pending)
      if (p.public.length > 0 || p.notices.size > 0) this.leftBehind.add(id);
    return [...this.leftBehind];
  }

  /** Queues a decision's updates (see the class comment for what replaces what). */
  enqueue(auctionId: string, batch: Outbox): void {
    const { work } = this.opts;
    let pending = this.pending.get(auctionId);
    if (pending === undefined) this.pending.set(auctionId, (pending = { public: [], notices: new Map() }));
    const p = batch.public;
    if (p !== undefined && p.seq > (this.sentSeq.get(auctionId) ?? 0)) {
      const list = pending.public;
      const last = list.at(-1);
      if (last === undefined || p.seq > last.seq) {
        if (last !== undefined && !last.keep) work.settle(list.pop());
        list.push(p);
        work.queued(p);
      } else if (p.keep && !list.some((q) => q.seq === p.seq)) {
        // Queued behind newer updates (its auction's facts were still loading): keep seq order.
        list.splice(
          list.findIndex((q) => q.seq > p.seq),
          0,
          p,
        );
        work.queued(p);
      }
      // An older price tick than what is queued is dropped: the queued state includes it.
    }
    for (const [bidder, n] of batch.notices) {
      const prev = pending.notices.get(bidder);
      if (prev === undefined || n.seq >= prev.seq) {
        pending.notices.set(bidder, n);
        work.queued(n);
        if (prev !== undefined) work.settle(prev);
      }
    }
    // Something newer for this auction: a publish waiting out a back-off tries again (or gives way) now.
    work.changed(auctionId);
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
      if (published !== undefined) this.opts.published(auctionId, published.seq, published.id);
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
      await Promise.race([...inFlight.values(), this.opts.work.nextChange(auctionId)]);
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
    const { work, logger } = this.opts;
    let u: HubUpdate;
    try {
      u = q.update();
    } catch (err) {
      work.settle(q);
      logger.error({ err, auctionId, lane, seq: q.seq }, 'could not build an update');
      return undefined;
    }
    const trace = q.trace;
    if (trace === undefined) return this.publishAttempts(auctionId, lane, q, u, superseded);
    return inSpan(
      'hub.publish',
      {
        kind: 'producer',
        parent: trace.parent,
        attributes: {
          ...correlationAttrs(trace.correlationId),
          'gavel.auction_id': auctionId,
          'gavel.seq': q.seq,
          'gavel.hub.lane': lane,
          'gavel.hub.update_id': u.id ?? '',
          'gavel.hub.update_type': u.type ?? '',
        },
      },
      async (span) => {
        const id = await this.publishAttempts(auctionId, lane, q, u, superseded);
        span.setAttribute('gavel.hub.published', id !== undefined);
        return id;
      },
    );
  }

  /** publishUntilDone's attempts, once the update is built. */
  private async publishAttempts(
    auctionId: string,
    lane: 'public' | 'notices',
    q: Queued,
    u: HubUpdate,
    superseded: () => boolean,
  ): Promise<string | undefined> {
    const { work, logger } = this.opts;
    for (let attempt = 1; ; attempt++) {
      let failure: { err: unknown } | undefined;
      try {
        await this.opts.publisher.publish(u);
      } catch (err) {
        failure = { err };
      } finally {
        if (attempt === 1) work.settle(q);
      }
      if (failure === undefined) {
        work.streak('hub publish').succeeded();
        return u.id;
      }
      if (!retryable(failure.err)) {
        logger.error(
          { err: failure.err, auctionId, lane, id: u.id, attempt },
          'the hub refused the update itself; not retried (the sweep republishes the lot)',
        );
        return undefined;
      }
      if (superseded()) return undefined;
      if (work.stopped) {
        this.leftBehind.add(auctionId);
        return undefined;
      }
      // One line per outage, not per update: every lot's updates fail together while the hub is away.
      work.streak('hub publish').failed(failure.err, { auctionId, lane, id: u.id });
      await work.pause(auctionId, attempt);
    }
  }
}
