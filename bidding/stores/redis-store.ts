import type { Redis } from 'ioredis';
import { RedisScript } from '../../common/redis-script.ts';
import { floorActionFrom, floorArgs } from '../core/floor.ts';
import { encodeBands } from '../core/increments.ts';
import { acceptedByKey, auctionKeys, auctionRegistryKey, type AuctionKeys } from '../keys.ts';
import type { LiveState } from '../core/decide.ts';
import {
  bidFingerprint,
  restateFingerprint,
  restateRefused,
  restoredLiveState,
  restoreRefusal,
  standingProblem,
} from '../core/restore.ts';
import { acceptedBidsCount, assuranceOf } from '../core/types.ts';
import type {
  AcceptedBid,
  AcceptedBidsQuery,
  AuctionSetup,
  AuctionSnapshot,
  AuctionStatus,
  BidAnswer,
  BidAssurance,
  BidDecision,
  BidRequest,
  BiddingStore,
  BidSource,
  FloorActionName,
  FloorActionRequest,
  FloorActionResult,
  FloorRejectReason,
  LeaderKind,
  PublishProgress,
  RecordedDecision,
  RecordedEvent,
  RecordedFloorAction,
  RecordedRestate,
  RejectReason,
  RestateRejectReason,
  RestateRequest,
  RestateResult,
  RestoreResult,
  RestoreState,
} from '../core/types.ts';
import { decodeBands, incrementAt } from '../core/increments.ts';

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
}

/** The engine's state on Redis: one Lua script per decision, loaded once and called by SHA. */
export class RedisBiddingStore implements BiddingStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly clock: (() => number) | undefined;

  constructor(opts: RedisBiddingStoreOptions) {
    this.redis = opts.redis;
    this.prefix = opts.prefix ?? 'gavel';
    this.clock = opts.clock;
  }

  keys(auctionId: string): AuctionKeys {
    return auctionKeys(this.prefix, auctionId);
  }

  async configure(setup: AuctionSetup): Promise<void> {
    const k = this.keys(setup.id);
    // Registered first, so no auction can have decisions the ledger does not know to look for.
    await this.redis.sadd(auctionRegistryKey(this.prefix), setup.id);
    await configure.run(this.redis, [k.state, k.eligibility, k.idempotency], setupFields(setup));
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
    const reply = (await restore.run(
      this.redis,
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
    const reply = (await restate.run(
      this.redis,
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
    const reply = (await placeBid.run(
      this.redis,
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
    const reply = (await floorAction.run(
      this.redis,
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

  async snapshot(auctionId: string): Promise<AuctionSnapshot | undefined> {
    const h = await this.redis.hgetall(this.keys(auctionId).state);
    if (h.id === undefined) return undefined;
    const n = (f: string): number => Number(h[f] ?? '0');
    const bands = decodeBands(h.increments ?? '');
    const price = n('price');
    const bidCount = n('bid_count');
    const mode = h.mode === 'live' ? 'live' : 'timed';
    const leaderId = h.leader === '' ? undefined : h.leader;
    const leaderKind = leaderId === undefined ? undefined : ((opt(h.leader_kind) ?? 'bid') as LeaderKind);
    return {
      id: auctionId,
      saleId: h.sale_id ?? '',
      mode,
      currency: h.currency ?? '',
      status: (h.status ?? 'scheduled') as AuctionStatus,
      startsAt: n('starts_at'),
      endsAt: n('ends_at'),
      price,
      leaderId,
      bidCount,
      asking: n('asking'),
      nextMinimum:
        mode === 'live' ? n('asking') : bidCount === 0 ? n('opening') : price + incrementAt(bands, price),
      reserveMet: n('reserve') === 0 || (bidCount > 0 && price >= n('reserve')),
      lastSeq: n('seq'),
      publishedEventId: h.published_event_id,
      publishedSeq: n('published_seq'),
      message: opt(h.message),
      leaderKind,
      leaderPaddle: leaderKind === 'floor' ? leaderId?.slice('paddle:'.length) : undefined,
      standingSeq: n('standing_seq'),
      incrementOverride: n('step'),
      undoAvailable: opt(h.undo) !== undefined,
    };
  }

  async markPublished(auctionId: string, seq: number, eventId: string): Promise<void> {
    await markPublished.run(this.redis, [this.keys(auctionId).state], [String(seq), eventId]);
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
    return entries.map(([id, fields]) => {
      const f = pairs(fields);
      const type = f.get('type');
      if (type === 'floor') return floorRecordedFromStream(id, f, auctionId);
      if (type === 'restate') return restateRecordedFromStream(id, f, auctionId);
      return recordedFromStream(id, f, auctionId);
    });
  }

  async acceptedBids(auctionId: string, query: AcceptedBidsQuery = {}): Promise<AcceptedBid[]> {
    const index = this.keys(auctionId).accepted;
    const after = query.after ?? '0';
    const count = acceptedBidsCount(query.count);
    const entries = (
      query.bidderId === undefined
        ? await this.redis.xrange(index, `(${after}`, '+', 'COUNT', count)
        : await acceptedBy.run(
            this.redis,
            [index, acceptedByKey(this.prefix, auctionId, query.bidderId)],
            [after, count],
          )
    ) as [string, string[]][];
    return entries.map(([streamId, fields]) => {
      const f = pairs(fields);
      const n = (k: string): number => Number(f.get(k) ?? '0');
      return {
        streamId,
        seq: n('seq'),
        bidderId: f.get('bidder') ?? '',
        amount: n('amount'),
        price: n('price'),
        source: (f.get('source') ?? 'api') as BidSource,
        decidedAt: n('at'),
      };
    });
  }

  async close(): Promise<void> {
    // The connection belongs to the caller.
  }
}

/** The set-up as state hash field/value pairs (what configure-3.lua writes). */
function setupFields(setup: AuctionSetup): string[] {
  return [
    'id',
    setup.id,
    'sale_id',
    setup.saleId,
    'mode',
    setup.mode,
    'currency',
    setup.currency,
    'status',
    setup.status,
    'starts_at',
    String(setup.startsAt),
    'scheduled_end',
    String(setup.endsAt),
    'grace_ms',
    String(setup.graceMs),
    'soft_close_ms',
    String(setup.softCloseMs),
    'soft_close_cap_ms',
    String(setup.softCloseCapMs),
    'increments',
    encodeBands(setup.increments),
    'opening',
    String(setup.opening),
    'reserve',
    String(setup.reserve),
  ];
}

/** The live fields of the state hash, as save_state (lua/includes/live.lua) writes them; lists and undo restored empty. */
function liveFields(s: LiveState): string[] {
  return [
    'status',
    s.status,
    'ends_at',
    String(s.endsAt),
    'price',
    String(s.price),
    'leader',
    s.leaderId ?? '',
    'leader_max',
    String(s.leaderMax),
    'bid_count',
    String(s.bidCount),
    'seq',
    String(s.seq),
    'asking',
    String(s.asking),
    'message',
    s.message ?? '',
    'held_from',
    s.heldFrom ?? '',
    'step',
    String(s.step),
    'leader_kind',
    s.leaderKind ?? '',
    'standing_seq',
    String(s.standingSeq),
    'absentees',
    '[]',
    'standing',
    '[]',
    'undo',
    '',
    'undo_closed',
    '0',
  ];
}

/** A bid answer as place-bid-6.lua stores it in the idempotency hash (same reply fields, same order). */
function storedAnswer(a: BidAnswer): string {
  const d = a.decision;
  const reply = [
    'seq',
    String(d.seq),
    'outcome',
    d.outcome,
    'reason',
    d.reason ?? '',
    'kind',
    d.kind ?? '',
    'amount',
    String(d.amount),
    'price',
    String(d.price),
    'leader',
    d.leaderId ?? '',
    'prev_price',
    String(d.previousPrice),
    'prev_leader',
    d.previousLeaderId ?? '',
    'price_changed',
    d.priceChanged ? '1' : '0',
    'bid_count',
    String(d.bidCount),
    'ends_at',
    String(d.endsAt),
    'extended',
    d.extended ? '1' : '0',
    'asking',
    String(d.asking),
    'reserve_met',
    d.reserveMet ? '1' : '0',
    'at',
    String(d.decidedAt),
    'stream_id',
    a.streamId ?? '',
  ];
  return JSON.stringify({ fingerprint: bidFingerprint(a.amount, a.max), reply });
}

function restateResultFromFields(f: Map<string, string>, req: RestateRequest): RestateResult {
  const reason = opt(f.get('reason')) as RestateRejectReason | undefined;
  if (f.get('outcome') !== 'accepted')
    return restateRefused(req, reason ?? 'UNKNOWN_AUCTION', f.get('replayed') === '1');
  const n = (k: string): number => Number(f.get(k) ?? '0');
  return {
    seq: n('seq'),
    auctionId: req.auctionId,
    outcome: 'accepted',
    reason: undefined,
    previous: { price: n('prev_price'), leaderId: opt(f.get('prev_leader')), bidCount: n('prev_bid_count') },
    standing: { price: n('price'), leaderId: opt(f.get('leader')), bidCount: n('bid_count') },
    status: opt(f.get('status')) as AuctionStatus | undefined,
    endsAt: n('ends_at'),
    asking: n('asking'),
    reserveMet: f.get('reserve_met') === '1',
    decidedAt: n('at'),
    replayed: f.get('replayed') === '1',
  };
}

function restateRecordedFromStream(
  streamId: string,
  f: Map<string, string>,
  auctionId: string,
): RecordedRestate {
  const n = (k: string): number => Number(f.get(k) ?? '0');
  return {
    type: 'restate',
    streamId,
    seq: n('seq'),
    auctionId,
    previous: { price: n('prev_price'), leaderId: opt(f.get('prev_leader')), bidCount: n('prev_bid_count') },
    standing: { price: n('price'), leaderId: opt(f.get('leader')), bidCount: n('bid_count') },
    reason: f.get('reason') ?? '',
    actor: f.get('actor') ?? '',
    decidedAt: n('at'),
    idempotencyKey: f.get('idem') ?? '',
    correlationId: opt(f.get('corr')),
  };
}

/** '' and absent fields are undefined. */
function opt(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function pairs(flat: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(flat[i]!, flat[i + 1]!);
  return m;
}

function decisionFromFields(
  f: Map<string, string>,
  auctionId: string,
  bidderId: string,
  amount: number,
): BidDecision {
  const n = (k: string): number => Number(f.get(k) ?? '0');
  const s = (k: string): string | undefined => {
    const v = f.get(k);
    return v === undefined || v === '' ? undefined : v;
  };
  const kind = s('kind');
  return {
    seq: n('seq'),
    auctionId,
    bidderId: s('bidder') ?? bidderId,
    outcome: f.get('outcome') === 'accepted' ? 'accepted' : 'rejected',
    reason: s('reason') as RejectReason | undefined,
    kind: kind === 'bid' || kind === 'max_raised' || kind === 'absentee' ? kind : undefined,
    amount: f.has('amount') ? n('amount') : amount,
    price: n('price'),
    leaderId: s('leader'),
    previousPrice: n('prev_price'),
    previousLeaderId: s('prev_leader'),
    priceChanged: f.get('price_changed') === '1',
    bidCount: n('bid_count'),
    endsAt: n('ends_at'),
    extended: f.get('extended') === '1',
    asking: n('asking'),
    reserveMet: f.get('reserve_met') === '1',
    decidedAt: n('at'),
    replayed: f.get('replayed') === '1',
  };
}

function recordedFromStream(streamId: string, f: Map<string, string>, auctionId: string): RecordedDecision {
  const max = f.get('max');
  const corr = f.get('corr');
  const paddle = f.get('paddle');
  return {
    type: 'bid',
    streamId,
    decision: decisionFromFields(f, auctionId, f.get('bidder') ?? '', Number(f.get('amount') ?? '0')),
    max: max === undefined || max === '' ? undefined : Number(max),
    source: (f.get('source') ?? 'api') as BidSource,
    idempotencyKey: f.get('idem') ?? '',
    correlationId: corr === '' ? undefined : corr,
    paddle: paddle === '' ? undefined : paddle,
    assurance: opt(f.get('assurance')) as BidAssurance | undefined,
  };
}

function floorResultFromFields(
  f: Map<string, string>,
  auctionId: string,
  action: FloorActionName,
): FloorActionResult {
  const n = (k: string): number => Number(f.get(k) ?? '0');
  const s = (k: string): string | undefined => opt(f.get(k));
  const undone = s('undone_action');
  return {
    seq: n('seq'),
    auctionId,
    action: (s('action') ?? action) as FloorActionName,
    outcome: f.get('outcome') === 'accepted' ? 'accepted' : 'rejected',
    reason: s('reason') as FloorRejectReason | undefined,
    status: s('status') as AuctionStatus | undefined,
    previousStatus: s('prev_status') as AuctionStatus | undefined,
    price: n('price'),
    previousPrice: n('prev_price'),
    leaderId: s('leader'),
    previousLeaderId: s('prev_leader'),
    leaderKind: s('leader_kind') as LeaderKind | undefined,
    priceChanged: f.get('price_changed') === '1',
    asking: n('asking'),
    step: n('step'),
    bidCount: n('bid_count'),
    standingSeq: n('standing_seq'),
    message: s('message'),
    reserveMet: f.get('reserve_met') === '1',
    undone: undone === undefined ? undefined : { action: undone as FloorActionName, seq: n('undone_seq') },
    decidedAt: n('at'),
    replayed: f.get('replayed') === '1',
  };
}

function floorRecordedFromStream(
  streamId: string,
  f: Map<string, string>,
  auctionId: string,
): RecordedFloorAction {
  const action = f.get('action') ?? '';
  return {
    type: 'floor',
    streamId,
    action: floorActionFrom(action, f.get('arg_amount') ?? '', f.get('arg_text') ?? ''),
    result: floorResultFromFields(f, auctionId, action as FloorActionName),
    idempotencyKey: f.get('idem') ?? '',
    correlationId: opt(f.get('corr')),
  };
}
