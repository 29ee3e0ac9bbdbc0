import type { Redis } from 'ioredis';
import {
  auctionRegistryKey,
  decisionStreamKeyParts,
  RedisBiddingStore,
  type MemoryBiddingStore,
} from '../../bidding/back-office.ts';
import type { RecordedEvent } from '../../bidding/back-office.ts';

/** Where the ledger writer reads decisions from, whatever the engine's store. */
export interface DecisionSource {
  /** The auctions that may have decisions to record. */
  auctions(): Promise<string[]>;
  /** Up to `count` entries after `afterStreamId` ('0' = from the start), in stream order. */
  read(auctionId: string, afterStreamId: string, count: number): Promise<RecordedEvent[]>;
  /**
   * Entries ever appended to the auction's stream (trimming does not lower it). Restarts from 0 when
   * the engine's Redis state is lost and restored: the lag is measured by `lastSeq` instead.
   */
  appended(auctionId: string): Promise<number>;
  /** The seq of the newest entry of the auction's stream (0 when empty or absent): the base of the lag figure. */
  lastSeq(auctionId: string): Promise<number>;
  /** The auction's currency (the stream entries carry amounts only); undefined when the auction is unknown. */
  currency(auctionId: string): Promise<string | undefined>;
}

export interface RedisDecisionSourceOptions {
  redis: Redis;
  prefix?: string;
  /** SCAN batch hint. */
  scanCount?: number;
  /** How often the keyspace is also walked for streams of auctions missing from the registry. Default 30 s. */
  scanEveryMs?: number;
}

/**
 * Decision streams on Redis. Auctions come from the engine's registry set (`<prefix>:auctions`,
 * written by `configure`/`restore` before an auction's first key), so a poll costs one SMEMBERS;
 * every `scanEveryMs` the keyspace is also walked for `<prefix>:{auction:*}:decisions` (on a Redis
 * Cluster, each primary), so an auction missing from the registry (configured by an older version,
 * registry lost) is still found.
 */
export class RedisDecisionSource implements DecisionSource {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly scanCount: number;
  private readonly store: RedisBiddingStore;
  private readonly currencies = new Map<string, string>();
  private readonly scanEveryMs: number;
  private scannedAt = -Infinity;
  private scanned: string[] = [];

  constructor(opts: RedisDecisionSourceOptions) {
    this.redis = opts.redis;
    this.prefix = opts.prefix ?? 'gavel';
    this.scanCount = opts.scanCount ?? 1000;
    this.scanEveryMs = opts.scanEveryMs ?? 30_000;
    this.store = new RedisBiddingStore({ redis: opts.redis, prefix: this.prefix });
  }

  async auctions(): Promise<string[]> {
    const registered = await this.redis.smembers(auctionRegistryKey(this.prefix));
    if (Date.now() - this.scannedAt >= this.scanEveryMs) {
      this.scanned = await this.scan();
      this.scannedAt = Date.now();
    }
    return [...new Set([...registered, ...this.scanned])].sort();
  }

  private async scan(): Promise<string[]> {
    // The decision stream's key as bidding/keys.ts builds it, split around the auction id.
    const { head, tail } = decisionStreamKeyParts(this.prefix);
    const pattern = `${globEscape(head)}*${globEscape(tail)}`;
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', this.scanCount);
      cursor = next;
      for (const k of keys) {
        if (k.startsWith(head) && k.endsWith(tail)) found.add(k.slice(head.length, k.length - tail.length));
      }
    } while (cursor !== '0');
    return [...found].sort();
  }

  read(auctionId: string, afterStreamId: string, count: number): Promise<RecordedEvent[]> {
    return this.store.decisions(auctionId, afterStreamId, count);
  }

  async appended(auctionId: string): Promise<number> {
    try {
      const info = (await this.redis.call(
        'XINFO',
        'STREAM',
        this.store.keys(auctionId).decisions,
      )) as unknown[];
      // Reply is a flat [field, value, …] list; `entries-added` exists since Redis 7.0.
      for (let i = 0; i + 1 < info.length; i += 2) {
        if (info[i] === 'entries-added') return Number(info[i + 1]);
      }
      for (let i = 0; i + 1 < info.length; i += 2) if (info[i] === 'length') return Number(info[i + 1]);
      return 0;
    } catch (err) {
      if (err instanceof Error && /no such key/i.test(err.message)) return 0;
      throw err;
    }
  }

  async lastSeq(auctionId: string): Promise<number> {
    const [newest] = (await this.redis.xrevrange(
      this.store.keys(auctionId).decisions,
      '+',
      '-',
      'COUNT',
      1,
    )) as [string, string[]][];
    if (newest === undefined) return 0;
    const fields = newest[1];
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'seq') return Number(fields[i + 1]);
    return 0;
  }

  async currency(auctionId: string): Promise<string | undefined> {
    const known = this.currencies.get(auctionId);
    if (known !== undefined) return known;
    const snap = await this.store.snapshot(auctionId);
    if (snap === undefined) return undefined;
    this.currencies.set(auctionId, snap.currency);
    return snap.currency;
  }
}

/**
 * Decisions recorded by the in-process store (the embedded default): the same entries, stream-like
 * ids and order as the Redis streams, read straight from memory.
 */
export class MemoryDecisionSource implements DecisionSource {
  private readonly store: MemoryBiddingStore;

  constructor(store: MemoryBiddingStore) {
    this.store = store;
  }

  auctions(): Promise<string[]> {
    return Promise.resolve(this.store.auctionIds().filter((id) => this.store.decisionCount(id) > 0));
  }

  read(auctionId: string, afterStreamId: string, count: number): Promise<RecordedEvent[]> {
    return this.store.decisions(auctionId, afterStreamId, count);
  }

  appended(auctionId: string): Promise<number> {
    return Promise.resolve(this.store.decisionCount(auctionId));
  }

  lastSeq(auctionId: string): Promise<number> {
    return Promise.resolve(this.store.lastRecordedSeq(auctionId));
  }

  async currency(auctionId: string): Promise<string | undefined> {
    return (await this.store.snapshot(auctionId))?.currency;
  }
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
