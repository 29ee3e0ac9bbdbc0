import type { Logger } from '../../common/logger.ts';
import { encodeComment } from '../../common/sse.ts';
import {
  mergeRuns,
  subscriptionEvent,
  subscriptionRecords,
  type SubscriptionChange,
} from '../core/subscriptions.ts';
import { selectorKind } from '../core/topic-selector.ts';
import { frameOf, type Update } from '../core/update.ts';
import type { HubMetrics } from '../service/metrics.ts';
import type { Transport } from '../transport/transport.ts';
import type { Subscriber } from './subscriber.ts';

export interface HubOptions {
  transport: Transport;
  logger: Logger;
  metrics: HubMetrics;
  heartbeatMs: number;
  retryMs: number;
  /** Maximum connection lifetime; each connection gets a random lifetime in [max/2, max]. 0 = unlimited. */
  maxConnectionMs: number;
  subscriberBufferBytes: number;
  subscriptions: boolean;
}

export interface AttachResult {
  /** Value of the response's `Last-Event-ID` header. */
  lastEventId: string;
}

/**
 * The hub core, transport- and HTTP-agnostic: keeps the subscribers of this instance,
 * dispatches each update (encoded once) to those allowed to see it, replays history on
 * reconnection with no gap and no duplicate, and drops subscribers that fall behind.
 */
export class Hub {
  private readonly exact = new Map<string, Set<Subscriber>>();
  private readonly patterned = new Set<Subscriber>();
  private readonly all = new Set<Subscriber>();
  /** Subscribers whose claims may cover subscription events: the only ones those are dispatched to. */
  private readonly watchers = new Set<Subscriber>();
  private readonly timer: NodeJS.Timeout;
  private lastHeartbeat = Date.now();
  private readonly heartbeat = encodeComment();
  private closing = false;
  private readonly opts: HubOptions;

  constructor(opts: HubOptions) {
    this.opts = opts;
    opts.transport.onUpdate((u) => this.dispatch(u));
    opts.transport.onEvents((events) => this.dispatchEvents(events));
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  get transport(): Transport {
    return this.opts.transport;
  }

  get size(): number {
    return this.all.size;
  }

  /** Publishes through the transport; delivery to subscribers happens in history order via dispatch. */
  async publish(update: Update): Promise<{ duplicate: boolean }> {
    const res = await this.opts.transport.publish(update);
    if (!res.duplicate) this.opts.metrics.published.inc();
    return res;
  }

  /**
   * Registers a subscriber and works out what to replay. The caller writes the response
   * head (with the returned `Last-Event-ID`), then calls `goLive`.
   */
  async attach(sub: Subscriber, cursor: string | undefined): Promise<AttachResult & { replay: Update[] }> {
    this.register(sub);
    try {
      if (cursor === undefined) {
        return { lastEventId: (await this.opts.transport.lastEventId()) ?? 'earliest', replay: [] };
      }
      const history = await this.opts.transport.since(cursor);
      return { lastEventId: history.found ? cursor : 'earliest', replay: history.updates };
    } catch (err) {
      this.detach(sub);
      throw err;
    }
  }

  /** Writes the replay, then whatever arrived meanwhile (minus what the replay held), then goes live. */
  goLive(sub: Subscriber, replay: Update[]): void {
    if (sub.closed) return;
    let count = 0;
    const seen = new Set<string>();
    for (const u of replay) {
      seen.add(u.id);
      if (sub.canReceive(u) && this.send(sub, frameOf(u), true)) count++;
    }
    const pending = sub.pending ?? [];
    sub.pending = null;
    for (const u of pending) if (!seen.has(u.id) && sub.canReceive(u)) this.send(sub, frameOf(u), true);
    // Held against the live bound, any replay over ~the bound plus kernel buffers (1.5 MB with the
    // defaults) dropped the subscriber before it read its first event, and it reconnected into the
    // same drop forever. See send().
    sub.replayBacklog = sub.sink.writableLength;
    this.opts.metrics.replayed.observe(count);
    if (this.opts.maxConnectionMs > 0) {
      sub.deadline = Date.now() + this.opts.maxConnectionMs * (0.5 + Math.random() / 2);
    }
    this.announce(sub, true);
  }

  /** Removes a subscriber (connection closed or dropped). Idempotent. */
  detach(sub: Subscriber): void {
    if (sub.closed) return;
    sub.closed = true;
    this.all.delete(sub);
    this.patterned.delete(sub);
    if (this.watchers.delete(sub) && this.watchers.size === 0) this.opts.transport.setWatching(false);
    for (const s of sub.selectors) {
      const set = this.exact.get(s);
      if (set === undefined) continue;
      set.delete(sub);
      if (set.size === 0) this.exact.delete(s);
    }
    this.opts.metrics.subscribers.set(this.all.size);
    if (sub.pending === null) this.announce(sub, false);
  }

  private register(sub: Subscriber): void {
    this.all.add(sub);
    if (sub.mayWatch && this.opts.subscriptions) {
      this.watchers.add(sub);
      if (this.watchers.size === 1) this.opts.transport.setWatching(true);
    }
    let patterned = false;
    for (const s of sub.selectors) {
      if (selectorKind(s) === 'exact') {
        let set = this.exact.get(s);
        if (set === undefined) this.exact.set(s, (set = new Set()));
        set.add(sub);
      } else patterned = true;
    }
    if (patterned) this.patterned.add(sub);
    this.opts.metrics.subscribers.set(this.all.size);
  }

  private dispatch(u: Update): void {
    this.opts.metrics.dispatched.inc();
    let frame: Buffer | undefined;
    const deliver = (sub: Subscriber): void => {
      if (sub.pending !== null) {
        sub.pending.push(u);
        return;
      }
      if (!sub.canReceive(u)) return;
      frame ??= frameOf(u);
      this.send(sub, frame);
    };
    if (u.topics.length === 1) {
      const set = this.exact.get(u.topics[0]!);
      if (set !== undefined) for (const sub of set) deliver(sub);
    } else {
      // A subscriber may match several alternate topics: deliver once.
      const seen = new Set<Subscriber>();
      for (const t of u.topics) {
        const set = this.exact.get(t);
        if (set === undefined) continue;
        for (const sub of set) {
          if (seen.has(sub)) continue;
          seen.add(sub);
          deliver(sub);
        }
      }
      for (const sub of this.patterned) if (!seen.has(sub)) deliver(sub);
      return;
    }
    for (const sub of this.patterned) if (!this.isExactMember(sub, u.topics[0]!)) deliver(sub);
  }

  /**
   * Subscription events go to watchers only: no other subscriber's selectors are evaluated against
   * them (a hostile selector of an anonymous client is never run on the hub's own announcements).
   */
  private dispatchEvents(events: Update[]): void {
    if (this.watchers.size === 0) return;
    for (const u of events) {
      for (const sub of this.watchers) {
        if (sub.pending !== null) sub.pending.push(u);
        else if (sub.canReceive(u)) this.send(sub, frameOf(u));
      }
    }
  }

  private isExactMember(sub: Subscriber, topic: string): boolean {
    return sub.selectors.includes(topic);
  }

  /** Writes to one subscriber without ever waiting on it; drops it when its backlog is over the bound. */
  private send(sub: Subscriber, frame: Buffer, replaying = false): boolean {
    if (sub.closed) return false;
    // A replay is the backlog the client asked for, written in one go: only a frame that can never
    // fit the bound drops it then. Live, the replay's remaining backlog (it only shrinks as the
    // client reads) is allowed on top of the bound.
    if (sub.sink.writableLength < sub.replayBacklog) sub.replayBacklog = sub.sink.writableLength;
    const bound = this.opts.subscriberBufferBytes;
    const over = replaying
      ? frame.length > bound
      : sub.sink.writableLength + frame.length > bound + sub.replayBacklog;
    if (over) {
      this.opts.metrics.dropped.inc();
      this.opts.logger.warn(
        { subscriber: sub.id, backlog: sub.sink.writableLength },
        'dropping slow subscriber; it will reconnect with Last-Event-ID',
      );
      this.detach(sub);
      sub.sink.destroy();
      return false;
    }
    sub.sink.write(frame);
    this.opts.metrics.deliveries.inc();
    return true;
  }

  private announce(sub: Subscriber, active: boolean): void {
    if (!this.opts.subscriptions || this.closing) return;
    // goLive announces after the replay, which may have dropped the subscriber already (its
    // detach announced nothing, as it was not live yet): it must not be listed as active forever.
    if (active && sub.closed) return;
    this.announcements.push({ active, records: subscriptionRecords(sub.selectors, sub.id, sub.payload) });
    if (this.announcements.length === 1) setImmediate(() => this.flushAnnouncements());
  }

  /**
   * Subscription list changes and their events, in order, applied once per event-loop turn: a burst
   * of connections makes one transport call per run of the same kind instead of one per subscriber
   * (with Redis, one HSET of many fields instead of thousands of commands in flight).
   */
  private announcements: SubscriptionChange[] = [];

  private flushAnnouncements(): void {
    const queued = this.announcements;
    this.announcements = [];
    for (const { active, records } of mergeRuns(queued)) {
      if (active) this.opts.transport.addSubscriptions(records);
      else this.opts.transport.removeSubscriptions(records.map((r) => r.id));
      // Events are built only when someone may read them, and never enter history (see Transport).
      if (!this.opts.transport.eventsWanted()) continue;
      const events = records.map((r) => subscriptionEvent(r, active));
      void this.opts.transport.publishEvents(events).then((sent) => {
        if (sent) this.opts.metrics.subscriptionEvents.inc(events.length);
      });
    }
  }

  private tick(): void {
    const now = Date.now();
    const beat = this.opts.heartbeatMs > 0 && now - this.lastHeartbeat >= this.opts.heartbeatMs;
    if (beat) this.lastHeartbeat = now;
    for (const sub of this.all) {
      if (sub.pending !== null) continue;
      if (sub.deadline <= now) {
        // Lifetime over: end the stream; the client reconnects with Last-Event-ID.
        this.detach(sub);
        sub.sink.end();
      } else if (beat) this.send(sub, this.heartbeat);
    }
  }

  /** Ends every stream after telling clients when to come back (jittered, so they don't stampede). */
  close(): void {
    this.flushAnnouncements();
    this.closing = true;
    clearInterval(this.timer);
    for (const sub of [...this.all]) {
      const retry = Math.round(this.opts.retryMs * (0.5 + Math.random()));
      if (sub.pending === null) sub.sink.write(Buffer.from(`retry: ${retry}\n\n`));
      this.detach(sub);
      sub.sink.end();
    }
  }
}
