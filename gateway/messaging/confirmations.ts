/**
 * Confirmation of texted bids. A text message is matched to its bidder by the sender's number
 * alone — which some SMS routes let anyone set, and a SIM swap takes over — so a bid above the
 * house's threshold is not placed on the message: the sender's number is sent a one-time code
 * ("Reply YES 482913 within 5 minutes to bid EUR 25,000.00 on lot 102"), and only that code, from
 * that number, within the window, places it. A spoofed sender never sees the code: the reply goes
 * to the number's owner.
 *
 * Kept on Redis (every gateway instance sees the same codes; Redis' clock decides expiry) or
 * in-process (the embedded default), like the bidder directory. Codes are random, single-use (a
 * repeated confirmation is the same bid again: its Idempotency-Key is the bid message's id, so it
 * has one effect), and guessing is bounded: after `maxFailures` wrong codes a number's waiting
 * bids are cancelled and confirmations by text are locked for `lockMs`.
 */
import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisScript } from '../../common/redis-script.ts';

/** A texted bid waiting for its sender's confirmation. */
export interface PendingBid {
  /** The one-time code the sender replies with. */
  code: string;
  /** The number it came from (E.164) and the bidder that number belonged to. */
  phone: string;
  bidderId: string;
  auctionId: string;
  /** What the sender called the lot, and its currency: for the replies. */
  lotNumber: string;
  currency: string;
  amount: number;
  max: number | undefined;
  channel: 'sms' | 'whatsapp';
  /** The bid message's correlation id (`twilio:SM…`): the bid's Idempotency-Key and correlation id. */
  messageKey: string;
  /** Until when (ms since epoch, the store's clock) the code places the bid. */
  expiresAt: number;
}

export type ConfirmationRequest = Omit<PendingBid, 'code' | 'expiresAt'>;

/** What a bid message found: its confirmation (new, or the one an earlier delivery of it opened). */
export type RequestOutcome =
  | { kind: 'pending'; bid: PendingBid }
  /** Confirmed already: the bid was placed (a late redelivery of the bid message). */
  | { kind: 'confirmed'; bid: PendingBid }
  /** Its window passed, or it was cancelled, before a confirmation. */
  | { kind: 'expired'; bid: PendingBid }
  /** Too many wrong codes from this number lately: no new confirmations by text. */
  | { kind: 'locked' };

/** What a "YES <code>" reply found. */
export type ReplyOutcome =
  /** The code of a bid waiting on this number, in time (`repeat`: it had been confirmed already). */
  | { kind: 'confirmed'; bid: PendingBid; repeat: boolean }
  /** No waiting bid of this number has that code; `attemptsLeft` before the number is locked. */
  | { kind: 'wrong_code'; attemptsLeft: number }
  | { kind: 'expired' }
  /** Nothing waits for a confirmation from this number. */
  | { kind: 'none' }
  | { kind: 'locked' };

export interface BidConfirmations {
  /** Opens a confirmation for a bid message, or finds the one an earlier delivery of it opened. */
  request(req: ConfirmationRequest): Promise<RequestOutcome>;
  /** A reply with `code` from `phone` (E.164). */
  reply(phone: string, code: string): Promise<ReplyOutcome>;
}

export interface ConfirmationOptions {
  /** How long a code places its bid. */
  windowMs: number;
  /** Wrong codes from one number before its waiting bids are cancelled and it is locked. Default 5. */
  maxFailures?: number;
  /** How long wrong codes count, and a lock lasts. Default 1 h. */
  lockMs?: number;
  /** Digits of a code. Default 6. */
  codeDigits?: number;
  /** Tests only: the clock (Redis: pinned into the scripts; production uses Redis' own). */
  clock?: () => number;
}

interface Settings {
  windowMs: number;
  maxFailures: number;
  lockMs: number;
  /** How long a code is remembered after it was issued (a late redelivery, a repeated YES). */
  retainMs: number;
  /** How long a number's state outlives its last change (its codes, and its wrong codes). */
  keepMs: number;
  newCode: () => string;
}

function settings(o: ConfirmationOptions): Settings {
  const digits = o.codeDigits ?? 6;
  const lockMs = o.lockMs ?? 3_600_000;
  const retainMs = o.windowMs + 3_600_000;
  return {
    windowMs: o.windowMs,
    maxFailures: o.maxFailures ?? 5,
    lockMs,
    retainMs,
    keepMs: Math.max(retainMs, lockMs),
    newCode: () => String(randomInt(0, 10 ** digits)).padStart(digits, '0'),
  };
}

type State = 'pending' | 'confirmed' | 'expired';

interface Entry {
  bid: PendingBid;
  state: State;
}

interface Number_ {
  byCode: Map<string, Entry>;
  byMessage: Map<string, string>;
  failures: number;
  failuresUntil: number;
  touched: number;
}

/** In-process (the embedded default, one gateway). */
export class MemoryBidConfirmations implements BidConfirmations {
  private readonly s: Settings;
  private readonly clock: () => number;
  private readonly numbers = new Map<string, Number_>();

  constructor(opts: ConfirmationOptions) {
    this.s = settings(opts);
    this.clock = opts.clock ?? Date.now;
  }

  request(req: ConfirmationRequest): Promise<RequestOutcome> {
    const now = this.clock();
    this.forget(now);
    const n = this.number(req.phone, now);
    const known = n.byMessage.get(req.messageKey);
    if (known !== undefined) {
      const e = n.byCode.get(known)!;
      if (e.state === 'pending' && now > e.bid.expiresAt) e.state = 'expired';
      return Promise.resolve({ kind: e.state, bid: e.bid });
    }
    if (this.locked(n, now)) return Promise.resolve({ kind: 'locked' });
    let code = this.s.newCode();
    while (n.byCode.has(code)) code = this.s.newCode();
    const bid: PendingBid = { ...req, code, expiresAt: now + this.s.windowMs };
    n.touched = now;
    n.byCode.set(code, { bid, state: 'pending' });
    n.byMessage.set(req.messageKey, code);
    return Promise.resolve({ kind: 'pending', bid });
  }

  reply(phone: string, code: string): Promise<ReplyOutcome> {
    const now = this.clock();
    this.forget(now);
    const n = this.number(phone, now);
    if (this.locked(n, now)) return Promise.resolve({ kind: 'locked' });
    const e = n.byCode.get(code);
    if (e === undefined) {
      const waiting = [...n.byCode.values()].filter((x) => x.state === 'pending' && now <= x.bid.expiresAt);
      if (waiting.length === 0) return Promise.resolve({ kind: 'none' });
      if (now >= n.failuresUntil) {
        n.failures = 0;
        n.failuresUntil = now + this.s.lockMs;
      }
      n.failures += 1;
      n.touched = now;
      if (n.failures < this.s.maxFailures)
        return Promise.resolve({ kind: 'wrong_code', attemptsLeft: this.s.maxFailures - n.failures });
      for (const x of waiting) x.state = 'expired';
      return Promise.resolve({ kind: 'locked' });
    }
    if (e.state === 'confirmed') return Promise.resolve({ kind: 'confirmed', bid: e.bid, repeat: true });
    if (e.state === 'pending' && now <= e.bid.expiresAt) {
      e.state = 'confirmed';
      n.failures = 0;
      n.failuresUntil = 0;
      return Promise.resolve({ kind: 'confirmed', bid: e.bid, repeat: false });
    }
    e.state = 'expired';
    return Promise.resolve({ kind: 'expired' });
  }

  private locked(n: Number_, now: number): boolean {
    return n.failures >= this.s.maxFailures && now < n.failuresUntil;
  }

  private number(phone: string, now: number): Number_ {
    let n = this.numbers.get(phone);
    if (n === undefined) {
      n = { byCode: new Map(), byMessage: new Map(), failures: 0, failuresUntil: 0, touched: now };
      this.numbers.set(phone, n);
    }
    return n;
  }

  /** Drops what is past remembering: numbers unchanged for `keepMs` (as Redis expires their hash), and old codes. */
  private forget(now: number): void {
    for (const [phone, n] of this.numbers) {
      if (now - n.touched > this.s.keepMs) {
        this.numbers.delete(phone);
        continue;
      }
      for (const [code, e] of n.byCode)
        if (now > e.bid.expiresAt - this.s.windowMs + this.s.retainMs) {
          n.byCode.delete(code);
          n.byMessage.delete(e.bid.messageKey);
        }
    }
  }
}

const requestScript = RedisScript.fromFile(new URL('./lua/confirm-request-1.lua', import.meta.url));
const replyScript = RedisScript.fromFile(new URL('./lua/confirm-reply-1.lua', import.meta.url));

/**
 * On Redis: one hash per number (its own hash tag, so a Redis Cluster keeps it on one slot), read
 * and changed by one script per request or reply, so concurrent deliveries to several gateways
 * decide each code once.
 */
export class RedisBidConfirmations implements BidConfirmations {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly s: Settings;
  private readonly clock: (() => number) | undefined;

  constructor(redis: Redis, prefix: string, opts: ConfirmationOptions) {
    this.redis = redis;
    this.prefix = prefix;
    this.s = settings(opts);
    this.clock = opts.clock;
  }

  private key(phone: string): string {
    return `${this.prefix}:{sms-confirm:${phone}}`;
  }

  private now(): string {
    return this.clock === undefined ? '' : String(this.clock());
  }

  async request(req: ConfirmationRequest): Promise<RequestOutcome> {
    for (;;) {
      const reply = (await requestScript.run(
        this.redis,
        [this.key(req.phone)],
        [
          req.messageKey,
          this.s.newCode(),
          JSON.stringify(req),
          this.s.windowMs,
          this.s.retainMs,
          this.s.maxFailures,
          this.s.keepMs,
          this.now(),
        ],
      )) as string[];
      const [kind, code, json, expiresAt] = reply;
      // A code this number already has: draw another.
      if (kind === 'taken') continue;
      if (kind === 'locked') return { kind };
      const bid = pendingBid(code!, json!, expiresAt!);
      return { kind: kind as State, bid };
    }
  }

  async reply(phone: string, code: string): Promise<ReplyOutcome> {
    const reply = (await replyScript.run(
      this.redis,
      [this.key(phone)],
      [code, this.s.maxFailures, this.s.lockMs, this.s.keepMs, this.now()],
    )) as string[];
    const [kind, a, json, expiresAt] = reply;
    if (kind === 'confirmed') return { kind, bid: pendingBid(code, json!, expiresAt!), repeat: a === '1' };
    if (kind === 'wrong_code') return { kind, attemptsLeft: Number(a) };
    return { kind: kind as 'expired' | 'none' | 'locked' };
  }
}

function pendingBid(code: string, json: string, expiresAt: string): PendingBid {
  // JSON leaves out an undefined maximum: put it back, so both stores answer the same shape.
  const { max, ...rest } = JSON.parse(json) as ConfirmationRequest;
  return { ...rest, max, code, expiresAt: Number(expiresAt) };
}
