/**
 * Timing what screens see: an SSE subscriber on a worker thread of its own that stamps every event
 * on arrival, and the bid→screen latencies computed from those stamps. Shared by
 * `npm run ops:latency` (against a running deployment) and `npm run bench:bids` (a topology it starts).
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across threads of this process. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

/** One event a subscriber received: its data's `seq` (NaN if none), when it arrived, its id and type. */
export interface Arrival {
  seq: number;
  at: number;
  id: string | null;
  event: string;
  /** The data's `auctionId`, when it has one (public updates do). */
  auctionId: string | null;
}

/**
 * The subscriber runs on its own thread so the load generator's work on the main thread does not
 * delay its receipt timestamps. Plain JavaScript (evaluated as a CommonJS worker): node:http or
 * node:https, one GET, SSE blocks split on blank lines, `data:` parsed as JSON.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const lib = workerData.url.startsWith('https:') ? require('node:https') : require('node:http');
const received = [];
const req = lib.get(workerData.url, { headers: { Accept: 'text/event-stream', ...workerData.headers } }, (res) => {
  res.setEncoding('utf8');
  let buf = '';
  parentPort.postMessage({ type: 'open', status: res.statusCode });
  res.on('data', (chunk) => {
    const at = performance.timeOrigin + performance.now();
    buf += chunk.replace(/\\r\\n?/g, '\\n');
    let i;
    while ((i = buf.indexOf('\\n\\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let id = null;
      let event = 'message';
      let data = '';
      for (const line of block.split('\\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trimStart();
        else if (line.startsWith('event:')) event = line.slice(6).trimStart();
        else if (line.startsWith('data:')) data += (data === '' ? '' : '\\n') + line.slice(5).replace(/^ /, '');
      }
      if (data === '') continue;
      try {
        const parsed = JSON.parse(data);
        received.push([typeof parsed.seq === 'number' ? parsed.seq : NaN, at, id, event, typeof parsed.auctionId === 'string' ? parsed.auctionId : null]);
        if (typeof parsed.seq === 'number') parentPort.postMessage({ type: 'seq', seq: parsed.seq, event });
      } catch {}
    }
  });
  res.on('end', () => parentPort.postMessage({ type: 'ended' }));
});
req.on('error', (err) => parentPort.postMessage({ type: 'error', message: err.message }));
parentPort.on('message', (m) => { if (m === 'stop') { req.destroy(); parentPort.postMessage({ type: 'done', received }); } });
`;

type WorkerMessage =
  | { type: 'open'; status: number }
  | { type: 'seq'; seq: number; event: string }
  | { type: 'ended' }
  | { type: 'error'; message: string }
  | { type: 'done'; received: [number, number, string | null, string, string | null][] };

/** An open SSE subscription whose events are stamped on arrival by a worker thread. */
export class TimedSubscriber {
  private readonly worker: Worker;
  private highest = -Infinity;
  private readonly waiters = new Set<{ seq: number; event: string | undefined; resolve: () => void }>();
  private failure: string | undefined;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'seq') {
        if (m.seq > this.highest) this.highest = m.seq;
        for (const w of this.waiters)
          if (m.seq >= w.seq && (w.event === undefined || w.event === m.event)) {
            this.waiters.delete(w);
            w.resolve();
          }
      } else if (m.type === 'ended') this.failure = 'the hub ended the stream';
      else if (m.type === 'error') this.failure = m.message;
    });
  }

  /** Opens `url` (an SSE endpoint) with these headers; resolves once the response head says 200. */
  static async open(
    url: string,
    headers: Record<string, string>,
    timeoutMs = 15_000,
  ): Promise<TimedSubscriber> {
    const worker = new Worker(WORKER, { eval: true, workerData: { url, headers } });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the hub did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const onMessage = (m: WorkerMessage): void => {
          if (m.type !== 'open' && m.type !== 'error') return;
          clearTimeout(timer);
          worker.off('message', onMessage);
          if (m.type === 'error') reject(new Error(`subscribing failed: ${m.message}`));
          else if (m.status === 200) resolve();
          else reject(new Error(`the hub answered the subscription with HTTP ${m.status}`));
        };
        worker.on('message', onMessage);
      });
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return new TimedSubscriber(worker);
  }

  /** Why the stream stopped early, if it did. */
  get problem(): string | undefined {
    return this.failure;
  }

  /** Resolves true once an event (of `event` type, if given) at or past `seq` has arrived; false after `timeoutMs`. */
  seen(seq: number, timeoutMs: number, event?: string): Promise<boolean> {
    if (event === undefined && this.highest >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { seq, event, resolve: () => (clearTimeout(timer), resolve(true)) };
      const timer = setTimeout(() => (this.waiters.delete(w), resolve(false)), timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Closes the stream and hands back every event it received, in arrival order. */
  async stop(): Promise<Arrival[]> {
    const got = await new Promise<WorkerMessage & { type: 'done' }>((resolve) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.type !== 'done') return;
        this.worker.off('message', onMessage);
        resolve(m);
      };
      this.worker.on('message', onMessage);
      this.worker.postMessage('stop');
    });
    await this.worker.terminate();
    return got.received.map(([seq, at, id, event, auctionId]) => ({ seq, at, id, event, auctionId }));
  }
}

/** The value at percentile `p` (0–100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** p50, p99 and max of `values` (any order), rounded to `digits` decimals; NaN when empty. */
export function summarise(values: readonly number[], digits = 1): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number): number => +v.toFixed(digits);
  return {
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/**
 * When a screen first showed each bid: the earliest arrival of a state at or past the bid's seq.
 * Updates are coalesced under load (a newer state supersedes an older one not yet sent), so the
 * bid is on screen once any state including it is. `arrivals` are one subscriber's public states
 * (of one lot), any order; `bids` maps seq → the time to measure from. Bids no state reached are
 * `missing`.
 */
export function screenDelays(
  bids: ReadonlyMap<number, number>,
  arrivals: readonly { seq: number; at: number }[],
): { delays: number[]; missing: number } {
  const bySeq = [...arrivals].filter((a) => Number.isFinite(a.seq)).sort((a, b) => a.seq - b.seq);
  // earliestFrom[i]: the earliest arrival among states i… (at or past bySeq[i].seq).
  const earliestFrom = new Array<number>(bySeq.length + 1).fill(Infinity);
  for (let i = bySeq.length - 1; i >= 0; i--) earliestFrom[i] = Math.min(bySeq[i]!.at, earliestFrom[i + 1]!);
  const delays: number[] = [];
  let missing = 0;
  for (const [seq, from] of bids) {
    let lo = 0;
    let hi = bySeq.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bySeq[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    const at = earliestFrom[lo]!;
    if (Number.isFinite(at) && Number.isFinite(from)) delays.push(at - from);
    else missing++;
  }
  return { delays, missing };
}
