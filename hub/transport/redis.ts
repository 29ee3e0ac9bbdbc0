import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../common/logger.ts';
import { RedisScript } from '../../common/redis-script.ts';
import type { Update } from '../update.ts';
import type {
  HistoryLimits,
  HistoryResult,
  SubscriptionRecord,
  Transport,
  UpdateListener,
} from './transport.ts';

const publishScript = RedisScript.fromFile(new URL('./lua/publish-2.lua', import.meta.url));
const cursorScript = RedisScript.fromFile(new URL('./lua/cursor-2.lua', import.meta.url));

/** The stream is also the delivery bus between instances, so it never holds fewer than this. */
const MIN_STREAM_ENTRIES = 1000;
const INSTANCE_TTL_MS = 30_000;
const PAGE = 1000;

export interface RedisTransportOptions {
  url: string;
  limits: HistoryLimits;
  logger: Logger;
  /** Key prefix; the hash tag keeps every hub key in one Redis Cluster slot. */
  prefix?: string;
}

type StreamEntry = [id: string, fields: string[]];

/**
 * Redis Streams transport: every hub instance appends to one stream and reads it with a
 * blocking XREAD on its own connection, so all instances deliver the same updates in the
 * same order and any of them can replay from any cursor, also after a restart.
 */
export class RedisTransport implements Transport {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;
  private readonly reader: Redis;
  private readonly keys: {
    stream: string;
    instances: string;
    subs: (instance: string) => string;
    id: (id: string) => string;
  };
  private readonly instance = randomUUID();
  private readonly listeners: UpdateListener[] = [];
  private readonly localSubs = new Map<string, string>();
  private lastSeen = '0-0';
  private stopped = false;
  private loop: Promise<void> | undefined;
  private refresh: NodeJS.Timeout | undefined;

  private readonly opts: RedisTransportOptions;

  constructor(opts: RedisTransportOptions) {
    this.opts = opts;
    const url = new URL(opts.url);
    const prefix = opts.prefix ?? url.searchParams.get('prefix') ?? 'gavel:{hub}';
    url.search = '';
    this.redis = new Redis(url.toString(), {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableAutoPipelining: true,
    });
    this.reader = new Redis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: null });
    this.keys = {
      stream: `${prefix}:updates`,
      instances: `${prefix}:instances`,
      subs: (instance) => `${prefix}:subs:${instance}`,
      id: (id) => `${prefix}:id:${id}`,
    };
    for (const r of [this.redis, this.reader])
      r.on('error', (err: Error) =>
        opts.logger.warn({ err: err.message }, 'redis transport connection error'),
      );
  }

  async start(): Promise<void> {
    await Promise.all([this.redis.connect(), this.reader.connect()]);
    const last = (await this.redis.xrevrange(this.keys.stream, '+', '-', 'COUNT', 1)) as StreamEntry[];
    this.lastSeen = last[0]?.[0] ?? '0-0';
    await this.heartbeat();
    this.refresh = setInterval(() => {
      this.heartbeat().catch((err: unknown) =>
        this.opts.logger.warn({ err }, 'subscription registry refresh failed'),
      );
    }, INSTANCE_TTL_MS / 3);
    this.refresh.unref();
    this.loop = this.readLoop();
  }

  private async readLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const res = await this.reader.xread(
          'COUNT',
          PAGE,
          'BLOCK',
          1000,
          'STREAMS',
          this.keys.stream,
          this.lastSeen,
        );
        if (res === null) continue;
        for (const [, entries] of res) {
          for (const entry of entries) {
            this.lastSeen = entry[0];
            const u = toUpdate(entry);
            for (const l of this.listeners) l(u);
          }
        }
      } catch (err) {
        if (this.stopped) return;
        this.opts.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'redis transport read failed; retrying',
        );
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async publish(update: Update): Promise<{ duplicate: boolean }> {
    const reply = (await publishScript.run(
      this.redis,
      [this.keys.stream, this.keys.id(update.id)],
      [
        update.id,
        JSON.stringify(update.topics),
        update.data,
        update.private ? '1' : '0',
        update.type ?? '',
        update.retry === undefined ? '' : String(update.retry),
        Math.max(this.opts.limits.size, MIN_STREAM_ENTRIES),
        this.opts.limits.maxAgeMs,
      ],
    )) as [number, string];
    return { duplicate: reply[0] === 1 };
  }

  onUpdate(listener: UpdateListener): void {
    this.listeners.push(listener);
  }

  async since(cursor: string): Promise<HistoryResult> {
    let start = '-';
    let found = false;
    if (cursor !== 'earliest') {
      const [entry, maxDeleted] = (await cursorScript.run(
        this.redis,
        [this.keys.stream, this.keys.id(cursor)],
        [],
      )) as [string, string];
      if (entry !== '' && compareEntryIds(entry, maxDeleted) >= 0) {
        found = true;
        start = `(${entry}`;
      }
    }
    const updates: Update[] = [];
    const limit = this.opts.limits.size;
    for (;;) {
      const page = (await this.redis.xrange(this.keys.stream, start, '+', 'COUNT', PAGE)) as StreamEntry[];
      for (const e of page) updates.push(toUpdate(e));
      if (page.length < PAGE) break;
      start = `(${page[page.length - 1]![0]}`;
    }
    // The stream may hold more than the configured history (it is also the bus): replay only the newest `size`.
    if (!found && updates.length > limit) updates.splice(0, updates.length - limit);
    return { found, updates };
  }

  async lastEventId(): Promise<string | undefined> {
    const last = (await this.redis.xrevrange(this.keys.stream, '+', '-', 'COUNT', 1)) as StreamEntry[];
    return last[0] === undefined ? undefined : toUpdate(last[0]).id;
  }

  addSubscriptions(records: SubscriptionRecord[]): void {
    if (records.length === 0) return;
    const args: string[] = [];
    for (const r of records) {
      const json = JSON.stringify(r);
      this.localSubs.set(r.id, json);
      args.push(r.id, json);
    }
    this.redis
      .hset(this.keys.subs(this.instance), ...args)
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'could not record subscriptions'));
  }

  removeSubscriptions(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.localSubs.delete(id);
    this.redis
      .hdel(this.keys.subs(this.instance), ...ids)
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'could not remove subscriptions'));
  }

  async listSubscriptions(): Promise<SubscriptionRecord[]> {
    const now = Date.now();
    const instances = await this.redis.zrangebyscore(this.keys.instances, now, '+inf');
    const hashes = await Promise.all(instances.map((i) => this.redis.hvals(this.keys.subs(i))));
    return hashes.flat().map((json) => JSON.parse(json) as SubscriptionRecord);
  }

  private async heartbeat(): Promise<void> {
    const now = Date.now();
    const subs = this.keys.subs(this.instance);
    const pipeline = this.redis
      .multi()
      .zadd(this.keys.instances, now + INSTANCE_TTL_MS, this.instance)
      .zremrangebyscore(this.keys.instances, '-inf', now);
    // Re-assert what this instance holds, in case Redis lost it (restart without persistence).
    if (this.localSubs.size > 0) pipeline.hset(subs, Object.fromEntries(this.localSubs));
    await pipeline.pexpire(subs, INSTANCE_TTL_MS).exec();
  }

  async healthy(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.refresh);
    this.reader.disconnect();
    await this.loop;
    try {
      await this.redis
        .multi()
        .del(this.keys.subs(this.instance))
        .zrem(this.keys.instances, this.instance)
        .exec();
    } finally {
      this.redis.disconnect();
    }
  }
}

function toUpdate([, fields]: StreamEntry): Update {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const type = f.get('y');
  const retry = f.get('r');
  return {
    id: f.get('id') ?? '',
    topics: JSON.parse(f.get('t') ?? '[]') as string[],
    data: f.get('d') ?? '',
    private: f.get('p') === '1',
    type: type === undefined || type === '' ? undefined : type,
    retry: retry === undefined || retry === '' ? undefined : Number(retry),
  };
}

/** Orders Redis stream entry ids (`ms-seq`). */
export function compareEntryIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = Number(am) - Number(bm);
  return d !== 0 ? Math.sign(d) : Math.sign(Number(as) - Number(bs));
}
