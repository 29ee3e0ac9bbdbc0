import { FailureStreak } from '../../common/failure-streak.ts';
import type { Logger } from '../../common/logger.ts';

export interface WorkTrackerOptions {
  logger: Logger;
  /** Back-off of a publish or read that fails: the first delay and the cap (ms). Default 100 and 5,000. */
  retryBaseMs?: number | undefined;
  retryMaxMs?: number | undefined;
}

/**
 * The engine's accounting of publishing work, and its patience: which queued updates have not been
 * tried once and which tasks are doing something (drain() waits for both to be none — never for a
 * hub that is down), the jittered back-off of a retry, which something newer for the auction (or
 * stop) cuts short, and one log line per outage and kind of work.
 */
export class WorkTracker {
  private readonly opts: WorkTrackerOptions;
  /** Work that will queue updates later (look-ups before a notice, the sweep, resume points). */
  private readonly tasks = new Set<Promise<void>>();
  /** Queued updates not yet tried once. */
  private readonly untried = new Set<object>();
  /** Tasks doing something (not waiting out a back-off). */
  private busyTasks = 0;
  private drainWaiters: (() => void)[] = [];
  /** Per auction: resolved at its next enqueue (or stop), so a back-off ends when something newer comes. */
  private readonly changes = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  /** Failing retries, logged once per outage and kind of work (a hub outage fails every lot's publishes). */
  private readonly streaks = new Map<string, FailureStreak>();
  private stoppedFlag = false;

  constructor(opts: WorkTrackerOptions) {
    this.opts = opts;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Resolves when every queued update has been tried once and no task is doing something. */
  drain(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** An update queued and not yet tried. */
  queued(q: object): void {
    this.untried.add(q);
  }

  /** An update tried (or replaced), if given; wakes drain() when nothing is left. */
  settle(q?: object): void {
    if (q !== undefined) this.untried.delete(q);
    if (!this.idle() || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Runs work that will queue updates: drain() waits for it; a failure is logged. */
  track(work: Promise<unknown>): void {
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

  /** Every tracked task, for stop() to wait on. */
  pendingTasks(): Promise<void>[] {
    return [...this.tasks];
  }

  /** Something newer for the auction: a back-off waiting on it ends now. */
  changed(auctionId: string): void {
    const change = this.changes.get(auctionId);
    this.changes.delete(auctionId);
    change?.resolve();
  }

  /** Resolves at the auction's next change, or at stop(). */
  nextChange(auctionId: string): Promise<void> {
    let c = this.changes.get(auctionId);
    if (c === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.changes.set(auctionId, (c = { promise, resolve }));
    }
    return c.promise;
  }

  /** No more retries: every back-off ends now, and retrying() gives up at its next failure. */
  stop(): void {
    this.stoppedFlag = true;
    for (const c of [...this.changes.values()]) c.resolve();
    this.changes.clear();
  }

  streak(what: string): FailureStreak {
    let s = this.streaks.get(what);
    if (s === undefined) this.streaks.set(what, (s = new FailureStreak(this.opts.logger, what)));
    return s;
  }

  /** Waits out a back-off; a change for the auction (something newer) or stop() ends it early. */
  async pause(auctionId: string, attempt: number): Promise<void> {
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
  async retrying<T>(auctionId: string, what: string, call: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await call();
        this.streak(what).succeeded();
        return answer;
      } catch (err) {
        if (this.stoppedFlag) return undefined;
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

  private idle(): boolean {
    return this.untried.size === 0 && this.busyTasks === 0;
  }

  private backoff(attempt: number): number {
    const base = this.opts.retryBaseMs ?? 100;
    const cap = Math.min(this.opts.retryMaxMs ?? 5_000, base * 2 ** Math.min(attempt - 1, 20));
    // Jittered (half fixed, half random): engines that failed together do not retry together.
    return cap / 2 + Math.random() * (cap / 2);
  }
}
