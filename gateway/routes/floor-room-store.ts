import type { Redis } from 'ioredis';
import { saleMessageSchema, type SaleMessage } from '../../common/contracts/index.ts';

/**
 * Where the auctioneer's messages to a sale are kept: the latest per sale (what a page that joins
 * later shows) and each message under the Idempotency-Key that sent it (a retry gets the same
 * message, not a second one). In memory when embedded, on Redis when distributed (every gateway
 * instance sees the same). Both expire: a message is about the sale of the day.
 */
export interface SaleMessageStore {
  /** Records `m` under (sale, caller, key) unless that key already holds one; returns the one held. */
  claim(callerId: string, key: string, m: SaleMessage): Promise<SaleMessage>;
  /** Makes `m` the sale's latest, unless a newer one (later `sentAt`) is already there. */
  setLatest(m: SaleMessage): Promise<void>;
  latest(saleId: string): Promise<SaleMessage | undefined>;
}

/** How long a sale's latest message and an idempotency key are kept. */
export const MESSAGE_TTL_MS = 2 * 24 * 3600 * 1000;

/** A stored message, checked: what does not parse is treated as none. */
const parsed = (raw: string | null): SaleMessage | undefined => {
  if (raw === null) return undefined;
  try {
    return saleMessageSchema.safeParse(JSON.parse(raw)).data;
  } catch {
    return undefined;
  }
};

const newer = (a: SaleMessage, b: SaleMessage | undefined): boolean =>
  b === undefined || Date.parse(a.sentAt) >= Date.parse(b.sentAt);

export class MemorySaleMessageStore implements SaleMessageStore {
  private readonly keys = new Map<string, { m: SaleMessage; at: number }>();
  private readonly latestOf = new Map<string, SaleMessage>();

  claim(callerId: string, key: string, m: SaleMessage): Promise<SaleMessage> {
    const now = Date.now();
    for (const [k, v] of this.keys) if (now - v.at > MESSAGE_TTL_MS) this.keys.delete(k);
    const id = `${m.saleId}\u0000${callerId}\u0000${key}`;
    const held = this.keys.get(id);
    if (held !== undefined) return Promise.resolve(held.m);
    this.keys.set(id, { m, at: now });
    return Promise.resolve(m);
  }

  setLatest(m: SaleMessage): Promise<void> {
    if (newer(m, this.latestOf.get(m.saleId))) this.latestOf.set(m.saleId, m);
    return Promise.resolve();
  }

  latest(saleId: string): Promise<SaleMessage | undefined> {
    const m = this.latestOf.get(saleId);
    return Promise.resolve(
      m !== undefined && Date.now() - Date.parse(m.sentAt) <= MESSAGE_TTL_MS ? m : undefined,
    );
  }
}

/** Replaces the latest only with a message at least as new (two consoles racing keep the newer). */
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local at = cjson.decode(cur).sentAt
  if at > ARGV[2] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

export class RedisSaleMessageStore implements SaleMessageStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = `${prefix}:sale-messages`;
  }

  async claim(callerId: string, key: string, m: SaleMessage): Promise<SaleMessage> {
    const k = `${this.prefix}:key:${m.saleId}:${callerId}:${key}`;
    const set = await this.redis.set(k, JSON.stringify(m), 'PX', MESSAGE_TTL_MS, 'NX');
    if (set === 'OK') return m;
    return parsed(await this.redis.get(k)) ?? m;
  }

  async setLatest(m: SaleMessage): Promise<void> {
    // sentAt is ISO 8601 in UTC from toISOString(): its strings sort as its times do.
    await this.redis.eval(
      SET_IF_NEWER,
      1,
      `${this.prefix}:latest:${m.saleId}`,
      JSON.stringify(m),
      m.sentAt,
      String(MESSAGE_TTL_MS),
    );
  }

  async latest(saleId: string): Promise<SaleMessage | undefined> {
    return parsed(await this.redis.get(`${this.prefix}:latest:${saleId}`));
  }
}
