/**
 * The newest output lines of a process, with positions: a line's position is how many lines came
 * before it (across incarnations), so a caller can ask for lines after a mark, and wait for one.
 */
export class LineTail {
  private readonly lines: string[] = [];
  private readonly waiters: { re: RegExp; from: number; resolve: (line: string) => void }[] = [];
  /** Lines seen in total (positions for find and waitFor). */
  private count = 0;
  private readonly limit: number;

  /** Keeps the newest `limit` lines in memory. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** The position after the newest line: `waitFor(re, { after: mark() })` sees only lines after now. */
  mark(): number {
    return this.count;
  }

  /** The lines still held, oldest first. */
  recent(): string[] {
    return this.lines.slice();
  }

  /** The last `n` lines held. */
  last(n: number): string[] {
    return this.lines.slice(-n);
  }

  /** Adds a line and hands it to every waiter whose pattern it matches. */
  push(line: string): void {
    this.count++;
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.count > w.from && w.re.test(line)) {
        this.waiters.splice(i, 1);
        w.resolve(line);
      }
    }
  }

  /** The first line matching `re` after position `after` that is still held, if any. */
  find(re: RegExp, after = 0): string | undefined {
    const start = this.lines.length - (this.count - after);
    for (let i = Math.max(0, start); i < this.lines.length; i++)
      if (re.test(this.lines[i]!)) return this.lines[i];
    return undefined;
  }

  /**
   * Resolves with the first line matching `re` after position `after` (default: any line still
   * held); rejects with `describe()`'s message after `timeoutMs`.
   */
  waitFor(
    re: RegExp,
    opts: { after?: number; timeoutMs?: number },
    describe: (timeoutMs: number) => string,
  ): Promise<string> {
    const from = opts.after ?? Math.max(0, this.count - this.lines.length);
    const found = this.find(re, from);
    if (found !== undefined) return Promise.resolve(found);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const w = { re, from, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(describe(timeoutMs)));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }
}
