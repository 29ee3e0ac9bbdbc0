import type { SubscriptionRecord } from '../core/subscriptions.ts';
import type { Update } from '../core/update.ts';

/** The result of a history lookup from a cursor. */
export interface HistoryResult {
  /**
   * True when the cursor was found and nothing after it has been trimmed: `updates` are
   * exactly the ones after it. False when the cursor is unknown (or `earliest`): `updates`
   * are all retained history, and the hub answers `Last-Event-ID: earliest`.
   */
  found: boolean;
  updates: Update[];
}

export type UpdateListener = (update: Update) => void;
export type EventsListener = (events: Update[]) => void;

/**
 * Where updates and history live. Every update reaches the listeners in one total order
 * (the order of history), whichever hub instance published it.
 */
export interface Transport {
  readonly kind: 'memory' | 'redis';
  start(): Promise<void>;
  /** Appends the update; `duplicate` when an update with that id is already in history (no second effect). */
  publish(update: Update): Promise<{ duplicate: boolean }>;
  onUpdate(listener: UpdateListener): void;
  /** Updates after `cursor` in order; `earliest` asks for all retained history. */
  since(cursor: string): Promise<HistoryResult>;
  lastEventId(): Promise<string | undefined>;
  /**
   * Publishes subscription events (the hub's own private updates about subscriptions): delivered
   * live to the event listeners of every instance, never kept in history (so no number of
   * connections can push an update out of it), and dropped unless some instance has declared,
   * with `setWatching`, a subscriber who may read them. Resolves to whether they were published;
   * never rejects (a failure is logged: these events are best effort, the subscription API is the record).
   */
  publishEvents(events: Update[]): Promise<boolean>;
  onEvents(listener: EventsListener): void;
  /**
   * Whether this instance has a subscriber whose claims may cover subscription events. Declared
   * before that subscriber's stream opens, so every event published after it opened reaches it.
   */
  setWatching(watching: boolean): void;
  /** False when no subscriber anywhere may read subscription events (building them is wasted work). */
  eventsWanted(): boolean;
  addSubscriptions(records: SubscriptionRecord[]): void;
  removeSubscriptions(ids: string[]): void;
  listSubscriptions(): Promise<SubscriptionRecord[]>;
  /** Liveness of the backing store, for /healthz. */
  healthy(): Promise<boolean>;
  /**
   * Shared transports only: whether this instance's reader has delivered everything the shared
   * log holds now, waiting up to `withinMs` (readiness). Absent: nothing to catch up with.
   */
  caughtUp?(withinMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface HistoryLimits {
  size: number;
  maxAgeMs: number;
}
