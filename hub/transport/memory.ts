import type { SubscriptionRecord } from '../core/subscriptions.ts';
import type { Update } from '../core/update.ts';
import type { EventsListener, HistoryLimits, HistoryResult, Transport, UpdateListener } from './transport.ts';

interface Entry {
  seq: number;
  at: number;
  update: Update;
}

/**
 * In-process transport: bounded history (count and age), cursor lookup by index, and
 * synchronous delivery to this process's listeners. One hub instance only.
 */
export class MemoryTransport implements Transport {
  readonly kind = 'memory' as const;
  private entries: Entry[] = [];
  private head = 0; // index of the oldest retained entry in `entries`
  private nextSeq = 1;
  /** Highest seq ever trimmed: a cursor below it has a gap after it. */
  private trimmedThrough = 0;
  private readonly index = new Map<string, number>();
  private readonly listeners: UpdateListener[] = [];
  private readonly eventListeners: EventsListener[] = [];
  private watching = false;
  private readonly subscriptions = new Map<string, SubscriptionRecord>();

  private readonly limits: HistoryLimits;
  private readonly now: () => number;

  constructor(limits: HistoryLimits, now: () => number = Date.now) {
    this.limits = limits;
    this.now = now;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  publish(update: Update): Promise<{ duplicate: boolean }> {
    if (this.index.has(update.id)) return Promise.resolve({ duplicate: true });
    const entry: Entry = { seq: this.nextSeq++, at: this.now(), update };
    if (this.limits.size > 0) {
      this.entries.push(entry);
      this.index.set(update.id, entry.seq);
      this.trim();
    }
    for (const l of this.listeners) l(update);
    return Promise.resolve({ duplicate: false });
  }

  private trim(): void {
    const oldest = this.now() - this.limits.maxAgeMs;
    while (
      this.entries.length - this.head > this.limits.size ||
      (this.head < this.entries.length && this.entries[this.head]!.at < oldest)
    ) {
      const e = this.entries[this.head++]!;
      this.index.delete(e.update.id);
      this.trimmedThrough = e.seq;
    }
    // Compact occasionally so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  onUpdate(listener: UpdateListener): void {
    this.listeners.push(listener);
  }

  since(cursor: string): Promise<HistoryResult> {
    this.trim();
    const retained = this.entries.slice(this.head);
    const seq = cursor === 'earliest' ? undefined : this.index.get(cursor);
    if (seq === undefined || seq < this.trimmedThrough) {
      return Promise.resolve({ found: false, updates: retained.map((e) => e.update) });
    }
    // Entries are consecutive by seq, so the cursor's position is arithmetic, not a scan.
    const first = retained[0]?.seq ?? seq + 1;
    return Promise.resolve({ found: true, updates: retained.slice(seq + 1 - first).map((e) => e.update) });
  }

  lastEventId(): Promise<string | undefined> {
    return Promise.resolve(
      this.entries.length > this.head ? this.entries[this.entries.length - 1]!.update.id : undefined,
    );
  }

  publishEvents(events: Update[]): Promise<boolean> {
    if (!this.watching || events.length === 0) return Promise.resolve(false);
    for (const l of this.eventListeners) l(events);
    return Promise.resolve(true);
  }

  onEvents(listener: EventsListener): void {
    this.eventListeners.push(listener);
  }

  setWatching(watching: boolean): void {
    this.watching = watching;
  }

  eventsWanted(): boolean {
    return this.watching;
  }

  addSubscriptions(records: SubscriptionRecord[]): void {
    for (const r of records) this.subscriptions.set(r.id, r);
  }

  removeSubscriptions(ids: string[]): void {
    for (const id of ids) this.subscriptions.delete(id);
  }

  listSubscriptions(): Promise<SubscriptionRecord[]> {
    return Promise.resolve([...this.subscriptions.values()]);
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
