import { decide, initialState, nextMinimum, type LiveState } from './decide.ts';
import {
  decideFloor,
  floorActionFrom,
  floorArgs,
  floorFingerprint,
  floorRejectedWithoutEffect,
} from './floor.ts';
import type {
  AuctionSetup,
  AuctionSnapshot,
  AuctionStatus,
  BidDecision,
  BidRequest,
  BiddingStore,
  FloorActionRequest,
  FloorActionResult,
  RecordedEvent,
} from './types.ts';
import { compareStreamIds } from '../common/stream-id.ts';

interface Auction {
  published: { seq: number; eventId: string | undefined };
  setup: AuctionSetup;
  state: LiveState;
  eligibility: Map<string, number>;
  idempotency: Map<string, { fingerprint: string; decision: BidDecision }>;
  floorIdempotency: Map<string, { fingerprint: string; result: FloorActionResult }>;
  decisions: RecordedEvent[];
}

/**
 * The engine's state in-process, for the embedded default (no Redis). Same contract as the
 * Redis store; each decision runs synchronously inside one call, so it is atomic by construction.
 */
export class MemoryBiddingStore implements BiddingStore {
  private readonly auctions = new Map<string, Auction>();
  private readonly clock: () => number;
  private lastStreamMs = 0;
  private streamSeq = 0;

  constructor(opts: { clock?: () => number } = {}) {
    this.clock = opts.clock ?? Date.now;
  }

  configure(setup: AuctionSetup): Promise<void> {
    const existing = this.auctions.get(setup.id);
    if (existing === undefined) {
      this.auctions.set(setup.id, {
        published: { seq: 0, eventId: undefined },
        setup: { ...setup },
        state: initialState(setup),
        eligibility: new Map(),
        idempotency: new Map(),
        floorIdempotency: new Map(),
        decisions: [],
      });
    } else {
      existing.setup = { ...setup };
      existing.state.status = setup.status;
      if (existing.state.bidCount === 0) {
        existing.state.endsAt = setup.endsAt;
        existing.state.asking = setup.opening;
      } else if (setup.endsAt > existing.state.endsAt) existing.state.endsAt = setup.endsAt;
    }
    return Promise.resolve();
  }

  setStatus(auctionId: string, status: AuctionStatus): Promise<void> {
    const a = this.auctions.get(auctionId);
    if (a !== undefined) a.state.status = status;
    return Promise.resolve();
  }

  setEligibility(auctionId: string, bidderId: string, limit: number | undefined): Promise<void> {
    const a = this.auctions.get(auctionId);
    if (a !== undefined) {
      if (limit === undefined) a.eligibility.delete(bidderId);
      else a.eligibility.set(bidderId, limit);
    }
    return Promise.resolve();
  }

  placeBid(req: BidRequest): Promise<BidDecision> {
    return Promise.resolve(this.placeBidSync(req));
  }

  private placeBidSync(req: BidRequest): BidDecision {
    const a = this.auctions.get(req.auctionId);
    const fingerprint = `${req.amount}/${req.max ?? ''}`;
    const idemField = `${req.bidderId}\u0000${req.idempotencyKey}`;
    const prior = a?.idempotency.get(idemField);
    if (prior !== undefined) {
      if (prior.fingerprint !== fingerprint)
        return rejectedWithoutEffect(req, 'IDEMPOTENCY_KEY_REUSED', true);
      return { ...prior.decision, replayed: true };
    }
    if (a === undefined) return rejectedWithoutEffect(req, 'UNKNOWN_AUCTION', false);
    const decision = decide(a.setup, a.state, req, this.clock(), a.eligibility.get(req.bidderId));
    a.decisions.push({
      type: 'bid',
      streamId: this.nextStreamId(decision.decidedAt),
      decision,
      max: req.max,
      source: req.source,
      idempotencyKey: req.idempotencyKey,
      correlationId: req.correlationId,
      paddle: req.paddle,
    });
    a.idempotency.set(idemField, { fingerprint, decision });
    return decision;
  }

  floorAction(req: FloorActionRequest): Promise<FloorActionResult> {
    return Promise.resolve(this.floorActionSync(req));
  }

  private floorActionSync(req: FloorActionRequest): FloorActionResult {
    const a = this.auctions.get(req.auctionId);
    const fingerprint = floorFingerprint(req);
    const prior = a?.floorIdempotency.get(req.idempotencyKey);
    if (prior !== undefined) {
      if (prior.fingerprint !== fingerprint)
        return floorRejectedWithoutEffect(req, 'IDEMPOTENCY_KEY_REUSED', true);
      return { ...prior.result, replayed: true };
    }
    if (a === undefined) return floorRejectedWithoutEffect(req, 'UNKNOWN_AUCTION', false);
    const result = decideFloor(a.setup, a.state, req, this.clock());
    const args = floorArgs(req);
    a.decisions.push({
      type: 'floor',
      streamId: this.nextStreamId(result.decidedAt),
      action: floorActionFrom(req.action, args.amount, args.text),
      result,
      idempotencyKey: req.idempotencyKey,
      correlationId: req.correlationId === '' ? undefined : req.correlationId,
    });
    a.floorIdempotency.set(req.idempotencyKey, { fingerprint, result });
    return result;
  }

  /** Stream-like ids (`ms-n`), increasing, so ledger cursors work the same as on Redis. */
  private nextStreamId(now: number): string {
    if (now > this.lastStreamMs) {
      this.lastStreamMs = now;
      this.streamSeq = 0;
    } else this.streamSeq += 1;
    return `${this.lastStreamMs}-${this.streamSeq}`;
  }

  snapshot(auctionId: string): Promise<AuctionSnapshot | undefined> {
    const a = this.auctions.get(auctionId);
    if (a === undefined) return Promise.resolve(undefined);
    const { setup, state } = a;
    const leaderKind = state.leaderId === undefined ? undefined : (state.leaderKind ?? 'bid');
    return Promise.resolve({
      id: setup.id,
      saleId: setup.saleId,
      mode: setup.mode,
      currency: setup.currency,
      status: state.status,
      startsAt: setup.startsAt,
      endsAt: state.endsAt,
      price: state.price,
      leaderId: state.leaderId,
      bidCount: state.bidCount,
      asking: state.asking,
      nextMinimum: nextMinimum(setup, state),
      reserveMet: setup.reserve === 0 || (state.bidCount > 0 && state.price >= setup.reserve),
      lastSeq: state.seq,
      publishedEventId: a.published.eventId,
      publishedSeq: a.published.seq,
      message: state.message,
      leaderKind,
      leaderPaddle: leaderKind === 'floor' ? state.leaderId?.slice('paddle:'.length) : undefined,
      standingSeq: state.standingSeq,
      incrementOverride: state.step,
      undoAvailable: state.undo !== undefined,
    });
  }

  markPublished(auctionId: string, seq: number, eventId: string): Promise<void> {
    const a = this.auctions.get(auctionId);
    if (a !== undefined && seq > a.published.seq) a.published = { seq, eventId };
    return Promise.resolve();
  }

  decisions(auctionId: string, afterStreamId = '0', count = 1000): Promise<RecordedEvent[]> {
    const all = this.auctions.get(auctionId)?.decisions ?? [];
    const after = all.filter((d) => compareStreamIds(d.streamId, afterStreamId) > 0);
    return Promise.resolve(after.slice(0, count));
  }

  /** The auctions this store holds, in id order (the ledger writer's auction list in embedded mode). */
  auctionIds(): string[] {
    return [...this.auctions.keys()].sort();
  }

  /** Decisions and floor actions ever recorded for the auction (never trimmed in memory); 0 when unknown. */
  decisionCount(auctionId: string): number {
    return this.auctions.get(auctionId)?.decisions.length ?? 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function rejectedWithoutEffect(
  req: BidRequest,
  reason: 'UNKNOWN_AUCTION' | 'IDEMPOTENCY_KEY_REUSED',
  replayed: boolean,
): BidDecision {
  return {
    seq: 0,
    auctionId: req.auctionId,
    bidderId: req.bidderId,
    outcome: 'rejected',
    reason,
    kind: undefined,
    amount: req.amount,
    price: 0,
    leaderId: undefined,
    previousPrice: 0,
    previousLeaderId: undefined,
    priceChanged: false,
    bidCount: 0,
    endsAt: 0,
    extended: false,
    asking: 0,
    reserveMet: false,
    decidedAt: 0,
    replayed,
  };
}
