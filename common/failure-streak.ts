import type { Logger } from './logger.ts';

/**
 * A loop's failures, logged once per run of them: the first failure (with its error), then nothing
 * while the same work keeps failing (a Redis or database outage fails every pass), then one line
 * when it succeeds again, with how many passes failed and for how long.
 */
export class FailureStreak {
  private failures = 0;
  private since = 0;
  private readonly logger: Logger | undefined;
  private readonly what: string;

  /** `what` names the work, e.g. `ledger pass`: the lines read "ledger pass failed; …" and "ledger pass succeeds again". */
  constructor(logger: Logger | undefined, what: string) {
    this.logger = logger;
    this.what = what;
  }

  failed(err: unknown, fields: Record<string, unknown> = {}): void {
    if (this.failures++ > 0) return;
    this.since = Date.now();
    this.logger?.error({ err, ...fields }, `${this.what} failed; retrying until it succeeds (logged once)`);
  }

  succeeded(): void {
    if (this.failures === 0) return;
    this.logger?.info(
      { failures: this.failures, failingMs: Date.now() - this.since },
      `${this.what} succeeds again`,
    );
    this.failures = 0;
  }
}
