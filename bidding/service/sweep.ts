import type { Logger } from '../../common/logger.ts';
import type { BiddingStore } from '../core/types.ts';
import type { WorkTracker } from './work-tracker.ts';

/** Auctions whose publish progress one sweep reads at a time (autopipelined: one round trip each). */
const SWEEP_BATCH = 500;

export interface RepublishSweepOptions {
  store: BiddingStore;
  logger: Logger;
  work: WorkTracker;
  /** The highest seq this process has queued or handed to the hub for the auction. */
  handledSeq: (auctionId: string) => number;
  /** Queues the lot's state as it stands, if still unpublished; true when it did. */
  republish: (auctionId: string) => Promise<boolean>;
}

/**
 * Finds lots whose newest state nobody published — a predecessor that died between a decision and
 * its publish, a publish that failed for good — and republishes them: all of them at the first
 * sweep, then each lot still in that state a whole period later (a peer engine that is alive
 * publishes its own well within it).
 */
export class RepublishSweep {
  private readonly opts: RepublishSweepOptions;
  /** Lots found behind (newest state unpublished) by the last sweep, with the seq they were at. */
  private behind = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private swept = false;
  private sweeping = false;

  constructor(opts: RepublishSweepOptions) {
    this.opts = opts;
  }

  /** Sweeps now and then every `periodMs`; a second start() does nothing. */
  start(periodMs: number): void {
    if (this.timer !== undefined || this.opts.work.stopped) return;
    const run = (): void => {
      if (this.sweeping || this.opts.work.stopped) return;
      this.sweeping = true;
      this.opts.work.track(
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
    this.timer = setInterval(run, periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sweep(): Promise<void> {
    const { store, work, handledSeq } = this.opts;
    const first = !this.swept;
    const ids = await store.listAuctions();
    const behind = new Map<string, number>();
    let republished = 0;
    for (let i = 0; i < ids.length && !work.stopped; i += SWEEP_BATCH) {
      const chunk = ids.slice(i, i + SWEEP_BATCH);
      const progress = await Promise.all(chunk.map((id) => store.publishProgress(id)));
      for (const [j, p] of progress.entries()) {
        const id = chunk[j]!;
        if (p === undefined || p.lastSeq <= p.publishedSeq || p.lastSeq <= handledSeq(id)) continue;
        behind.set(id, p.lastSeq);
        // A live peer publishes its own decisions: only what stayed behind a whole period is ours.
        if (first || this.behind.get(id) === p.lastSeq) {
          if (await this.opts.republish(id)) republished++;
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
}
