/**
 * Who a phone number belongs to: the back office (which holds bidders' contact details in
 * PostgreSQL) writes each bidder's E.164 number here, and the gateway's SMS/WhatsApp ingress reads
 * it to know who sent a bid — without a database round trip, and across gateway instances (Redis).
 */
import type { Redis } from 'ioredis';

export interface BidderDirectory {
  /** The bidder whose number this is (E.164, "+447700900123"), if any. */
  bidderByPhone(e164: string): Promise<string | undefined>;
  /** Sets a bidder's number (undefined: none), freeing the one they had. */
  setPhone(bidderId: string, e164: string | undefined): Promise<void>;
}

/** In-process (the embedded default, tests). */
export class MemoryBidderDirectory implements BidderDirectory {
  private readonly byPhone = new Map<string, string>();
  private readonly phoneOf = new Map<string, string>();

  bidderByPhone(e164: string): Promise<string | undefined> {
    return Promise.resolve(this.byPhone.get(e164));
  }

  setPhone(bidderId: string, e164: string | undefined): Promise<void> {
    const old = this.phoneOf.get(bidderId);
    if (old !== undefined && this.byPhone.get(old) === bidderId) this.byPhone.delete(old);
    if (e164 === undefined) this.phoneOf.delete(bidderId);
    else {
      this.phoneOf.set(bidderId, e164);
      this.byPhone.set(e164, bidderId);
    }
    return Promise.resolve();
  }
}

/**
 * On Redis: two hashes under one hash tag, number → bidder and bidder → number, changed together
 * in one MULTI so a number moving between bidders never points at both or neither for long.
 */
export class RedisBidderDirectory implements BidderDirectory {
  private readonly redis: Redis;
  private readonly byPhoneKey: string;
  private readonly phoneOfKey: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.byPhoneKey = `${prefix}:{directory}:by-phone`;
    this.phoneOfKey = `${prefix}:{directory}:phone-of`;
  }

  async bidderByPhone(e164: string): Promise<string | undefined> {
    return (await this.redis.hget(this.byPhoneKey, e164)) ?? undefined;
  }

  async setPhone(bidderId: string, e164: string | undefined): Promise<void> {
    const old = await this.redis.hget(this.phoneOfKey, bidderId);
    if (old === (e164 ?? null)) return;
    const tx = this.redis.multi();
    // Only the bidder's own entry is freed: the number may already belong to someone else.
    if (old !== null && (await this.redis.hget(this.byPhoneKey, old)) === bidderId)
      tx.hdel(this.byPhoneKey, old);
    if (e164 === undefined) tx.hdel(this.phoneOfKey, bidderId);
    else tx.hset(this.phoneOfKey, bidderId, e164).hset(this.byPhoneKey, e164, bidderId);
    await tx.exec();
  }
}
