import type { AuctionStatus } from '../../common/contracts/lot.ts';
import type { Redis } from 'ioredis';
import { RedisScript } from '../../common/redis-script.ts';
import { floorArgs } from '../core/floor.ts';
import { acceptedByKey, auctionKeys, auctionRegistryKey, type AuctionKeys } from '../keys.ts';
import { restoredLiveState, restoreRefusal, standingProblem } from '../core/restore.ts';
import { restateFingerprint, restateRefused } from '../core/restate.ts';
import { acceptedBidsCount, assuranceOf } from '../core/types.ts';
import type {
  AcceptedBid,
  AcceptedBidsQuery,
  AuctionSetup,
  AuctionSnapshot,
  BidDecision,
  BidRequest,
  BiddingStore,
  FloorActionRequest,
  FloorActionResult,
  PublishProgress,
  RecordedEvent,
  RestateRequest,
  RestateResult,
  RestoreResult,
  RestoreState,
  WaitingAbsentee,
} from '../core/types.ts';
import {
  acceptedBidFromStream,
  decisionFromFields,
  floorResultFromFields,
  pairs,
  recordedFromStreamEntry,
  restateResultFromFields,
  snapshotFromHash,
  absenteesOf,
} from './redis-decode.ts';
import { liveFields, setupFields, storedAnswer } from './redis-encode.ts';

const placeBid = RedisScript.fromFile(new URL('../lua/place-bid-6.lua', import.meta.url));
const floorAction = RedisScript.fromFile(new URL('../lua/floor-action-4.lua', import.meta.url));
const markPublished = RedisScript.fromFile(new URL('../lua/mark-published-1.lua', import.meta.url));
const configure = RedisScript.fromFile(new URL('../lua/configure-3.lua', import.meta.url));
const restore = RedisScript.fromFile(new URL('../lua/restore-4.lua', import.meta.url));
const restate = RedisScript.fromFile(new URL('../lua/restate-3.lua', import.meta.url));
const acceptedBy = RedisScript.fromFile(new URL('../lua/accepted-by-2.lua', import.meta.url));

export interface RedisBiddingStoreOptions {
  redis: Redis;
  prefix?: string;
  /** Tests only: pin the decision clock. Production leaves it unset so Redis' own clock decides. */
  clock?: () => number;
  /** Told of every script call that failed (not a refusal: those are answers), by script name. */
  onScriptError?: ((script: string) => void) | undefined;
}

/** The engine's state on Redis: one Lua script per decision, loaded once and called by SHA. */
export class RedisBiddingStore implements BiddingStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly clock: (() => number) | undefined;
  private readonly onScriptError: ((script: string) => void) | undefined;

  constructor(opts: RedisBiddingStoreOptions) {
    this.redis = opts.redis;
    this.prefix = opts.prefix ?? 'gavel';
    this.clock = opts.clock;
    this.onScriptError = opts.onScriptError;
  }

  /** Runs one of the scripts, telling `onScriptError` when the call fails. */
  private run(
    script: RedisScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const reply = script.run(this.redis, keys, args);
    const told = this.onScriptError;
    if (told === undefined) return reply;
    return reply.catch((err: unknown) => {
      told(script.name);
      throw err;
    });
  }

  keys(auctionId: string): AuctionKeys {
    return auctionKeys(this.prefix, auctionId);
  }

  async configure(setup: AuctionSetup): Promise<void> {
    const k = this.keys(setup.id);
    // Registered first, so no auction can have decisions the ledger does not know to look for.
    await this.redis.sadd(auctionRegistryKey(this.prefix), setup.id);
    await this.run(configure, [k.state, k.eligibility, k.idempotency], setupFields(setup));
  }

  async restore(r: RestoreState): Promise<RestoreResult> {
    const auctionId = r.setup.id;
    const refused = restoreRefusal(r);
    if (refused !== undefined) return refused;
    const k = this.keys(auctionId);
    await this.redis.sadd(auctionRegistryKey(this.prefix), auctionId);
    const state = [...setupFields(r.setup), ...liveFields(restoredLiveState(r))];
    const eligibility = Object.entries(r.eligibility ?? {}).flatMap(([b, limit]) => [b, String(limit)]);
    const answers = new Map<string, string>();
    for (const a of r.answers ?? []) answers.set(`${a.bidderId}\u0000${a.idempotencyKey}`, storedAnswer(a));
    const reply = (await this.run(
      restore,
      [k.state, k.eligibility, k.idempotency, k.decisions],
      [
        r.force === true ? '1' : '0',
        r.afterStreamId ?? '',
        state.length,
        ...state,
        eligibility.length,
        ...eligibility,
        answers.size * 2,
        ...[...answers].flat(),
      ],
    )) as string[];
    const f = pairs(reply);
    if (f.get('restored') !== '1') {
      return {
        restored: false,
        auctionId,
        reason: 'EXISTS',
        message: `auction ${auctionId} has live state`,
        existingSeq: Number(f.get('seq') ?? '0'),
      };
    }
    return { restored: true, auctionId, seq: r.seq, answers: answers.size };
  }

  async restate(req: RestateRequest): Promise<RestateResult> {
    if (standingProblem(req.standing) !== undefined) return restateRefused(req, 'INVALID_REQUEST', false);
    const k = this.keys(req.auctionId);
    const st = req.standing;
    const reply = (await this.run(
      restate,
      [k.state, k.idempotency, k.decisions],
      [
        req.idempotencyKey,
        restateFingerprint(req),
        String(st.price),
        st.leaderId ?? '',
        String(st.leaderMax),
        String(st.bidCount),
        req.reason,
        req.actor,
        req.correlationId ?? '',
        this.clock === undefined ? '' : String(this.clock()),
      ],
    )) as string[];
    return restateResultFromFields(pairs(reply), req);
  }

  async setStatus(auctionId: string, status: AuctionStatus): Promise<void> {
    await this.redis.hset(this.keys(auctionId).state, 'status', status);
  }

  async setEligibility(auctionId: string, bidderId: string, limit: number | undefined): Promise<void> {
    const k = this.keys(auctionId).eligibility;
    if (limit === undefined) await this.redis.hdel(k, bidderId);
    else await this.redis.hset(k, bidderId, String(limit));
  }

  async placeBid(req: BidRequest): Promise<BidDecision> {
    const k = this.keys(req.auctionId);
    const reply = (await this.run(
      placeBid,
      [
        k.state,
        k.eligibility,
        k.idempotency,
        k.decisions,
        k.accepted,
        acceptedByKey(this.prefix, req.auctionId, req.bidderId),
      ],
      [
        req.bidderId,
        String(req.amount),
        req.max === undefined ? '' : String(req.max),
        req.idempotencyKey,
        req.source,
        req.correlationId ?? '',
        req.paddle ?? '',
        this.clock === undefined ? '' : String(this.clock()),
        assuranceOf(req),
      ],
    )) as string[];
    return decisionFromFields(pairs(reply), req.auctionId, req.bidderId, req.amount);
  }

  async floorAction(req: FloorActionRequest): Promise<FloorActionResult> {
    const k = this.keys(req.auctionId);
    const args = floorArgs(req);
    const reply = (await this.run(
      floorAction,
      [k.state, k.eligibility, k.idempotency, k.decisions],
      [
        req.action,
        args.amount,
        args.text,
        req.idempotencyKey,
        req.correlationId ?? '',
        this.clock === undefined ? '' : String(this.clock()),
      ],
    )) as string[];
    return floorResultFromFields(pairs(reply), req.auctionId, req.action);
  }

  async waitingAbsentees(auctionId: string): Promise<WaitingAbsentee[]> {
    return absenteesOf((await this.redis.hget(this.keys(auctionId).state, 'absentees')) ?? undefined);
  }

  async snapshot(auctionId: string): Promise<AuctionSnapshot | undefined> {
    return snapshotFromHash(auctionId, await this.redis.hgetall(this.keys(auctionId).state));
  }

  async markPublished(auctionId: string, seq: number, eventId: string): Promise<void> {
    await this.run(markPublished, [this.keys(auctionId).state], [String(seq), eventId]);
  }

  async publishProgress(auctionId: string): Promise<PublishProgress | undefined> {
    const [id, seq, published] = await this.redis.hmget(
      this.keys(auctionId).state,
      'id',
      'seq',
      'published_seq',
    );
    if (id === null || id === undefined) return undefined;
    return { lastSeq: Number(seq ?? '0'), publishedSeq: Number(published ?? '0') };
  }

  listAuctions(): Promise<string[]> {
    return this.redis.smembers(auctionRegistryKey(this.prefix));
  }

  async decisions(auctionId: string, afterStreamId = '0', count = 1000): Promise<RecordedEvent[]> {
    const entries = (await this.redis.xrange(
      this.keys(auctionId).decisions,
      `(${afterStreamId}`,
      '+',
      'COUNT',
      count,
    )) as [string, string[]][];
    return entries.map(([id, fields]) => recordedFromStreamEntry(id, fields, auctionId));
  }

  async acceptedBids(auctionId: string, query: AcceptedBidsQuery = {}): Promise<AcceptedBid[]> {
    const index = this.keys(auctionId).accepted;
    const after = query.after ?? '0';
    const count = acceptedBidsCount(query.count);
    const entries = (
      query.bidderId === undefined
        ? await this.redis.xrange(index, `(${after}`, '+', 'COUNT', count)
        : await this.run(
            acceptedBy,
            [index, acceptedByKey(this.prefix, auctionId, query.bidderId)],
            [after, count],
          )
    ) as [string, string[]][];
    return entries.map(([streamId, fields]) => acceptedBidFromStream(streamId, fields));
  }

  async close(): Promise<void> {
    // The connection belongs to the caller.
  }
}
