/**
 * A screen as the hub sees it: one SSE connection to one hub for every lot's auction topic, that
 * reconnects to the same hub with `Last-Event-ID` whenever the stream ends or fails (the hub was
 * killed, or ended the stream), and keeps, per lot, the newest state it was sent. It never fetches
 * a snapshot: what it shows comes from the stream alone, so a state the hub never delivered shows.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { isWaiting, type AuctionStatus } from '../../common/contracts/lot.ts';
import { sleep } from '../topology/index.ts';

/** The public fields of an auction update the comparison uses. */
export interface AuctionState {
  auctionId: string;
  seq: number;
  /** Orders states of one seq (0 decided, 1 closed by the clock, 2 final): screens keep the greater (seq, stateVersion). */
  stateVersion: number;
  status: string;
  price: string;
  bidCount: number;
  leader: string | null;
  asking: string;
  endsAt: string | null;
  reserveMet: boolean;
}

/** The ids the back office's outbox gives its hub updates (orchestrator/notify/outbox.ts). */
const NOTIFICATION_ID_PREFIX = 'urn:gavel:notification:';

export interface SubscriberStats {
  name: string;
  hub: string;
  events: number;
  reconnects: number;
  /** Reconnects the hub answered with `Last-Event-ID: earliest` (our cursor was unknown to it). */
  earliest: number;
  /**
   * The engine's updates older than the state already held: the hub delivered one publisher's
   * stream out of order (a screen that trusted arrival order would have gone backwards).
   */
  regressions: number;
  /**
   * The back office's announcements (a lot opened, closed, its result) that arrived after a newer
   * state: a second publisher, at-least-once, with no order across the engine's stream — screens
   * ignore them by the same (seq, stateVersion) rule. Counted, not a failure.
   */
  lateNotices: number;
}

export class ChaosSubscriber {
  readonly name: string;
  readonly hubUrl: string;
  readonly states = new Map<string, AuctionState & { receivedAt: number }>();
  readonly stats: SubscriberStats;
  private lastEventId: string | undefined;
  private controller: AbortController | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly url: string;
  private readonly token: string;
  private opened: (() => void) | undefined;

  constructor(name: string, hubUrl: string, topics: string[], token: string) {
    this.name = name;
    this.hubUrl = hubUrl;
    this.token = token;
    const q = new URLSearchParams();
    for (const t of topics) q.append('topic', t);
    this.url = `${hubUrl}?${q.toString()}`;
    this.stats = { name, hub: hubUrl, events: 0, reconnects: 0, earliest: 0, regressions: 0, lateNotices: 0 };
  }

  /** Resolves once the first connection is open (200). */
  start(): Promise<void> {
    const first = new Promise<void>((resolve) => (this.opened = resolve));
    this.loop = this.run();
    return first;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.connectOnce();
        attempt = 0;
      } catch {
        attempt++;
      }
      if (this.stopped) return;
      this.stats.reconnects++;
      // A killed hub takes seconds to come back; ask often enough to be back within a second of it.
      await sleep(Math.min(1000, 100 * attempt + 100));
    }
  }

  private async connectOnce(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const res = await fetch(this.url, {
      headers: {
        Accept: 'text/event-stream',
        Authorization: `Bearer ${this.token}`,
        ...(this.lastEventId === undefined ? {} : { 'Last-Event-ID': this.lastEventId }),
      },
      signal: controller.signal,
    });
    if (res.status !== 200 || res.body === null) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status}`);
    }
    if (this.lastEventId !== undefined && res.headers.get('last-event-id') === 'earliest')
      this.stats.earliest++;
    this.opened?.();
    this.opened = undefined;
    const reader = res.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value.id !== undefined && value.id !== '') this.lastEventId = value.id;
      this.onEvent(value.data, value.id);
    }
  }

  private onEvent(data: string, id: string | undefined): void {
    let u: AuctionState;
    try {
      u = JSON.parse(data) as AuctionState;
    } catch {
      return;
    }
    if (typeof u.auctionId !== 'string' || typeof u.seq !== 'number') return;
    this.stats.events++;
    const version = typeof u.stateVersion === 'number' ? u.stateVersion : 0;
    const held = this.states.get(u.auctionId);
    // The clients' rule (clients/src/lots.ts isNewer): a state wins when its (seq, stateVersion) is
    // greater than the one shown, or, at an equal pair, when it is an offered lot over a waiting one
    // (a timed lot opened by the clock moves neither).
    const opened =
      held !== undefined && isWaiting(held.status as AuctionStatus) && !isWaiting(u.status as AuctionStatus);
    const order =
      held === undefined ? 1 : u.seq - held.seq || version - held.stateVersion || (opened ? 1 : 0);
    if (order <= 0) {
      if (order < 0) {
        if (id?.startsWith(NOTIFICATION_ID_PREFIX) === true) this.stats.lateNotices++;
        else this.stats.regressions++;
      }
      return;
    }
    this.states.set(u.auctionId, {
      auctionId: u.auctionId,
      seq: u.seq,
      stateVersion: version,
      status: u.status,
      price: u.price,
      bidCount: u.bidCount,
      leader: u.leader,
      asking: u.asking,
      endsAt: u.endsAt,
      reserveMet: u.reserveMet,
      receivedAt: Date.now(),
    });
  }
}
