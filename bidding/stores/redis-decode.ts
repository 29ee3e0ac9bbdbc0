import { BID_REJECT_REASONS, type BidSource } from '../../common/contracts/bids.ts';
import { FLOOR_REJECT_REASONS } from '../../common/contracts/floor.ts';
import {
  FLOOR_ACTIONS,
  type AuctionStatus,
  type FloorActionName,
  type LeaderKind,
} from '../../common/contracts/lot.ts';
import { floorActionFrom } from '../core/floor.ts';
import { decodeBands, incrementAt } from '../core/increments.ts';
import { parseReason } from '../core/reasons.ts';
import { restateRefused } from '../core/restate.ts';
import { RESTATE_REJECT_REASONS } from '../core/types.ts';
import type {
  AcceptedBid,
  AuctionSnapshot,
  BidAssurance,
  BidDecision,
  FloorActionResult,
  RecordedBid,
  RecordedEvent,
  RecordedFloorAction,
  RecordedRestate,
  RestateRequest,
  RestateResult,
} from '../core/types.ts';

/** The engine's types read back from Redis: script replies, the state hash and decision-stream entries (flat field/value lists). */

export function restateResultFromFields(f: Map<string, string>, req: RestateRequest): RestateResult {
  const reason = parseReason(RESTATE_REJECT_REASONS, 'restate', f.get('reason'));
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

export function restateRecordedFromStream(
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
export function opt(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

export function pairs(flat: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(flat[i]!, flat[i + 1]!);
  return m;
}

export function decisionFromFields(
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
    reason: parseReason(BID_REJECT_REASONS, 'bid', f.get('reason')),
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

export function recordedBidFromStream(
  streamId: string,
  f: Map<string, string>,
  auctionId: string,
): RecordedBid {
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

export function floorResultFromFields(
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
    reason: parseReason(FLOOR_REJECT_REASONS, 'floor action', f.get('reason')),
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

export function floorRecordedFromStream(
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

/** The state hash as a snapshot; undefined when the auction has no state. */
export function snapshotFromHash(auctionId: string, h: Record<string, string>): AuctionSnapshot | undefined {
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
    ...(h.private === '1' ? { private: true } : {}),
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
    undoAction: undoActionOf(opt(h.undo)),
  };
}

/** One decision-stream entry: a bid, a floor action or a restate. */
export function recordedFromStreamEntry(id: string, fields: string[], auctionId: string): RecordedEvent {
  const f = pairs(fields);
  const type = f.get('type');
  if (type === 'floor') return floorRecordedFromStream(id, f, auctionId);
  if (type === 'restate') return restateRecordedFromStream(id, f, auctionId);
  return recordedBidFromStream(id, f, auctionId);
}

/** One entry of the bid listing's index. */
export function acceptedBidFromStream(streamId: string, fields: string[]): AcceptedBid {
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
}

/** The action an undo point (the floor script's JSON) would revert; undefined when there is none or it is unreadable. */
function undoActionOf(undo: string | undefined): FloorActionName | undefined {
  if (undo === undefined) return undefined;
  try {
    const action = (JSON.parse(undo) as { action?: unknown }).action;
    return FLOOR_ACTIONS.find((a) => a === action);
  } catch {
    return undefined;
  }
}

/** The waiting absentee maximums (the floor script's JSON list, string values), highest first. */
export function absenteesOf(list: string | undefined): { bidderId: string; max: number }[] {
  if (list === undefined) return [];
  try {
    const parsed = JSON.parse(list) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((a: unknown) => {
      const { bidder, max } = (a ?? {}) as { bidder?: unknown; max?: unknown };
      return typeof bidder === 'string' && Number.isSafeInteger(Number(max))
        ? [{ bidderId: bidder, max: Number(max) }]
        : [];
    });
  } catch {
    return [];
  }
}
