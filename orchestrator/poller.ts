/**
 * Runs a pass again and again until stopped: the pass, then a pause it chooses (0 = at once, for a
 * pass that left work behind). A failed pass is retried after the normal pause, and reported when
 * it is the first failure since a pass succeeded (an outage fails every pass: one report, not one per
 * tick); `stop` waits for the pass in flight. The back office's loops (lifecycle, outbox) run on it.
 */
export class Poller {
  private readonly pass: () => Promise<number>;
  private readonly onError: (err: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failing = false;

  /** `pass` resolves with the pause before the next one, in ms. */
  constructor(pass: () => Promise<number>, onError: (err: unknown) => void) {
    this.pass = pass;
    this.onError = onError;
  }

  start(fallbackPauseMs: number): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.pass()
        .then((pause) => {
          this.failing = false;
          return pause;
        })
        .catch((err: unknown) => {
          if (!this.failing) this.onError(err);
          this.failing = true;
          return fallbackPauseMs;
        })
        .then((pause) => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, pause);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }
}
