import { isReplay } from './latency.ts';
import {
  backOfficeEventSchemas,
  bidderNoticeSchema,
  type LotClosingSoonEvent,
  type LotExtendedEvent,
  type LotLostEvent,
  type LotWithdrawnEvent,
  type LotWonEvent,
  type SaleEvent,
  NOTICE_TYPES,
  PUBLIC_EVENT,
  publicAuctionUpdateSchema,
  RESTATED_EVENT,
  SALE_MESSAGE_EVENT,
  saleMessageSchema,
  type BidderNotice,
  type SaleMessage,
} from '../../common/contracts/index.ts';
import type { LiveUpdate, UpdateVia } from './types.ts';
import { parseWire } from './wire.ts';

/**
 * The back office's events a bidder's page acts on (events.ts): on the sale topic, closing soon, a
 * withdrawn lot, a cancelled sale; on the bidder's own topic, closing soon, an extension, and the
 * result — won (with the invoice) or lost.
 */
export const PAGE_EVENTS = [
  'lot.closing_soon',
  'lot.extended',
  'lot.won',
  'lot.lost',
  'lot.withdrawn',
  'sale.cancelled',
] as const;
export type PageEvent =
  | ({ type: 'lot.closing_soon' } & LotClosingSoonEvent)
  | ({ type: 'lot.extended' } & LotExtendedEvent)
  | ({ type: 'lot.won' } & LotWonEvent)
  | ({ type: 'lot.lost' } & LotLostEvent)
  | ({ type: 'lot.withdrawn' } & LotWithdrawnEvent)
  | ({ type: 'sale.cancelled' } & SaleEvent);

/** A back-office event as the page reads it, when it is one of PAGE_EVENTS and well formed. */
export function pageEventOf(type: PageEvent['type'], data: unknown): PageEvent | undefined {
  const parsed = parseWire(backOfficeEventSchemas[type], data);
  // The schema of `type` checked the payload: it is that member of the union.
  return parsed.ok ? ({ ...parsed.value, type } as PageEvent) : undefined;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveFeedOptions {
  hubUrl: string;
  topics: string[];
  /** Where to start: the snapshot's last-event-id ('earliest' or undefined: from now, the snapshot follows). */
  lastEventId: string | undefined;
  /** Sent as the `authorization` query parameter only when the hub is on another origin (no cookie there). */
  token: () => string | undefined;
  /** A public update; `via` tells a replay (decided before this connection opened) from a live one. */
  onUpdate(update: LiveUpdate, via: UpdateVia): void;
  onNotice(notice: BidderNotice): void;
  /** A back-office event of PAGE_EVENTS (pages that want them). */
  onPageEvent?(event: PageEvent): void;
  /** Other event types a page follows (the console's `sale.message`, `floor.missed_bid`): their JSON data, unchecked. */
  events?: Readonly<Record<string, (data: unknown) => void>>;
  /** The auctioneer's message to the sale's bidders (`sale.message` on the sale topic; pages that show them). */
  onSaleMessage?(message: SaleMessage): void;
  /**
   * The hub ended the stream for good (EventSource gave up: it answered an error such as 401, or
   * could not be reached). The page may check its session here; the feed reconnects after a backoff.
   */
  onRefused?(): void;
  /** A lot's standing changed outside the bidding (a cancelled bid): refetch snapshots. */
  onRestated(): void;
  onState(state: ConnectionState): void;
  /**
   * Called on every open, the first included. EventSource hides the hub's `Last-Event-ID` answer,
   * so a cursor the hub no longer knows (`earliest`) cannot be seen: the page refetches its
   * snapshots instead, which is always correct since older states are ignored by seq.
   */
  onOpen(reconnected: boolean): void;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * One EventSource for every topic a page needs. The browser reconnects by itself with
 * Last-Event-ID; when it gives up (the hub answered an error), a new EventSource resumes from the
 * last id seen via the `lastEventID` query parameter, after a full-jitter backoff.
 */
export class LiveFeed {
  private source: EventSource | undefined;
  private lastId: string | undefined;
  private opened = 0;
  /** When the current connection opened (this page's clock): what was decided before is a replay. */
  private openedAt: number | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly opts: LiveFeedOptions;

  constructor(opts: LiveFeedOptions) {
    this.opts = opts;
    this.lastId = opts.lastEventId === 'earliest' ? undefined : opts.lastEventId;
  }

  start(): void {
    this.opts.onState('connecting');
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.source?.close();
  }

  /** Drops the connection as a network loss would, and reconnects (a manual "reconnect" button, tests). */
  reconnectNow(): void {
    this.source?.close();
    this.scheduleReconnect(0);
  }

  private url(): string {
    const url = new URL(this.opts.hubUrl, location.href);
    for (const t of this.opts.topics) url.searchParams.append('topic', t);
    if (this.lastId !== undefined) url.searchParams.set('lastEventID', this.lastId);
    const token = this.opts.token();
    if (url.origin !== location.origin && token !== undefined) url.searchParams.set('authorization', token);
    return url.toString();
  }

  private connect(): void {
    const crossOrigin = new URL(this.opts.hubUrl, location.href).origin !== location.origin;
    const es = new EventSource(this.url(), { withCredentials: crossOrigin });
    this.source = es;
    es.onopen = () => {
      this.openedAt = Date.now();
      this.attempt = 0;
      this.opts.onState('live');
      this.opts.onOpen(this.opened++ > 0);
    };
    es.onerror = () => {
      if (this.stopped) return;
      if (es.readyState === EventSource.CLOSED) {
        this.scheduleReconnect();
        this.opts.onRefused?.();
      } else this.opts.onState('reconnecting');
    };
    es.addEventListener(PUBLIC_EVENT, (e) =>
      this.receive(e, (data) => {
        const u = parseWire(publicAuctionUpdateSchema, data);
        if (u.ok) this.opts.onUpdate(u.value, isReplay(u.value, this.openedAt) ? 'replay' : 'live');
      }),
    );
    es.addEventListener(RESTATED_EVENT, (e) => this.receive(e, () => this.opts.onRestated()));
    for (const type of NOTICE_TYPES)
      es.addEventListener(type, (e) =>
        this.receive(e, (data) => {
          // Not every message of these types on the bidder's topic is the engine's notice (the back
          // office sends its own `leading` after a cancelled bid): only those that are one count.
          const n = parseWire(bidderNoticeSchema, data);
          if (n.ok) this.opts.onNotice(n.value);
        }),
      );
    this.listenToPageEvents(es);
    for (const [type, deliver] of Object.entries(this.opts.events ?? {}))
      es.addEventListener(type, (e) => this.receive(e, deliver));
    if (this.opts.onSaleMessage !== undefined)
      es.addEventListener(SALE_MESSAGE_EVENT, (e) =>
        this.receive(e, (data) => {
          const m = parseWire(saleMessageSchema, data);
          if (m.ok) this.opts.onSaleMessage?.(m.value);
        }),
      );
  }

  private listenToPageEvents(es: EventSource): void {
    if (this.opts.onPageEvent === undefined) return;
    for (const type of PAGE_EVENTS)
      es.addEventListener(type, (e) =>
        this.receive(e, (data) => {
          const event = pageEventOf(type, data);
          if (event !== undefined) this.opts.onPageEvent?.(event);
        }),
      );
  }

  private receive(e: MessageEvent<unknown>, deliver: (data: unknown) => void): void {
    if (e.lastEventId !== '') this.lastId = e.lastEventId;
    if (typeof e.data !== 'string') return;
    let data: unknown;
    try {
      data = JSON.parse(e.data);
    } catch {
      return; // not ours: every Gavel update is JSON
    }
    deliver(data);
  }

  private scheduleReconnect(delay?: number): void {
    if (this.stopped) return;
    this.source?.close();
    this.opts.onState(navigator.onLine ? 'reconnecting' : 'offline');
    const cap = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt++);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay ?? Math.random() * cap);
  }
}
