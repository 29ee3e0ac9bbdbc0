/**
 * The back office's one loop mechanism: runs a pass again and again until stopped — the pass, then
 * a pause it chooses (0 = at once, for a pass that left work behind). Passes never overlap: the
 * next is scheduled only when the one in flight has ended, and a `start` while an old pass is still
 * finishing waits for it. A failed pass is retried after the normal pause, and reported when it is
 * the first failure since a pass succeeded (an outage fails every pass: one report, not one per
 * tick); `stop` resolves once the pass in flight has ended. The ledger writer, the lifecycle clock,
 * the outbox and the engine reconcile run on it.
 */
export class Poller {
  private readonly pass: () => Promise<number>;
  private readonly onError: (err: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failing = false;
  private fallbackPauseMs = 0;

  /** `pass` resolves with the pause before the next one, in ms. */
  constructor(pass: () => Promise<number>, onError: (err: unknown) => void) {
    this.pass = pass;
    this.onError = onError;
  }

  /**
   * Starts the loop: the first pass after `firstPauseMs` (at once by default), then as each pass
   * says; `fallbackPauseMs` after a failed pass. A no-op while already started.
   */
  start(fallbackPauseMs: number, firstPauseMs = 0): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.fallbackPauseMs = fallbackPauseMs;
    // A pass of the previous run still finishing schedules the next one itself when it ends.
    if (this.running === undefined) this.schedule(firstPauseMs);
  }

  /** Stops the loop; resolves when the pass in flight (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(pauseMs: number): void {
    this.timer = setTimeout(() => this.run(), pauseMs);
  }

  private run(): void {
    this.timer = undefined;
    if (this.stopped || this.running !== undefined) return;
    this.running = this.pass()
      .then((pause) => {
        this.failing = false;
        return pause;
      })
      .catch((err: unknown) => {
        if (!this.failing) this.onError(err);
        this.failing = true;
        return this.fallbackPauseMs;
      })
      .then((pause) => {
        this.running = undefined;
        if (!this.stopped) this.schedule(pause);
      });
  }
}
