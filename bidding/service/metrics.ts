import { Counter, Histogram, Registry } from 'prom-client';
import { BID_REJECT_REASONS, type BidSource } from '../../common/contracts/bids.ts';
import { FLOOR_REJECT_REASONS } from '../../common/contracts/floor.ts';

/** The refusal codes a `reason` label may carry; anything else is `other`, `none` when accepted. */
const REASONS: ReadonlySet<string> = new Set<string>([...BID_REJECT_REASONS, ...FLOOR_REJECT_REASONS]);

/** The `channel` label: where a bid came from. */
const CHANNELS: ReadonlySet<string> = new Set<BidSource>(['api', 'sms', 'whatsapp', 'floor']);

/** `gavel_bids_total`'s labels: a bounded set whatever a store answers. */
export function bidLabels(
  source: string,
  outcome: 'accepted' | 'rejected',
  reason: string | undefined,
): { channel: string; outcome: 'accepted' | 'refused'; reason: string } {
  return {
    channel: CHANNELS.has(source) ? source : 'other',
    outcome: outcome === 'accepted' ? 'accepted' : 'refused',
    reason: outcome === 'accepted' ? 'none' : reason !== undefined && REASONS.has(reason) ? reason : 'other',
  };
}

/**
 * The bid path's Prometheus metrics of one engine (its own registry: a process serving several
 * parts merges them, common/metrics.ts). Observing is synchronous and allocation-light: nothing on
 * the hot path waits for it.
 */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly bids = new Counter({
    name: 'gavel_bids_total',
    help: 'Bids decided by the engine, by channel (api, sms, whatsapp, floor), outcome (accepted, refused) and refusal code (none when accepted); retries answered from the stored decision are not counted',
    labelNames: ['channel', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly decisionSeconds = new Histogram({
    name: 'gavel_bid_decision_seconds',
    help: "The engine's decision of a bid: the atomic store call (the Lua script's round trip on Redis)",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly publishSeconds = new Histogram({
    name: 'gavel_bid_publish_seconds',
    help: "From a bid's arrival at the engine to the hub taking the lot's state that includes it",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly scriptErrors = new Counter({
    name: 'gavel_engine_script_errors_total',
    help: 'Redis script calls of the engine that failed (connection, timeout, script error); business refusals are answers, not errors',
    labelNames: ['script'] as const,
    registers: [this.registry],
  });

  /** One decided bid (not a replayed answer). */
  bid(source: string, outcome: 'accepted' | 'rejected', reason: string | undefined): void {
    this.bids.inc(bidLabels(source, outcome, reason));
  }

  /** A failed script call; `script` is the file's name without its key count (`place-bid`). */
  scriptError(script: string): void {
    this.scriptErrors.inc({ script: script.replace(/-\d+$/, '') });
  }
}

/**
 * `gavel_bid_publish_seconds`: the arrival time of each bid whose state waits to be published, per
 * auction in seq order, observed when the hub takes a state at or after its seq (a newer state that
 * replaced it in the queue includes it). At most `max` wait per auction: a lot whose publishes keep
 * failing forgets its oldest rather than grow without bound.
 */
export class PublishTimer {
  private readonly waiting = new Map<string, { seq: number; at: number }[]>();
  private readonly histogram: Histogram;
  private readonly max: number;

  constructor(histogram: Histogram, max = 1_000) {
    this.histogram = histogram;
    this.max = max;
  }

  /** A bid that arrived at `at` (performance.now()) and was decided at `seq` queued a public state. */
  queued(auctionId: string, seq: number, at: number): void {
    let list = this.waiting.get(auctionId);
    if (list === undefined) this.waiting.set(auctionId, (list = []));
    let i = list.length;
    while (i > 0 && list[i - 1]!.seq > seq) i--;
    list.splice(i, 0, { seq, at });
    if (list.length > this.max) list.shift();
  }

  /** The hub took the auction's state at `seq`. */
  published(auctionId: string, seq: number): void {
    const list = this.waiting.get(auctionId);
    if (list === undefined) return;
    const now = performance.now();
    let n = 0;
    while (n < list.length && list[n]!.seq <= seq) this.histogram.observe((now - list[n++]!.at) / 1000);
    if (n === list.length) this.waiting.delete(auctionId);
    else list.splice(0, n);
  }
}
