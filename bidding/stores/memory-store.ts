import type { AuctionStatus } from '../../common/contracts/lot.ts';
import { decide, initialState } from '../core/decide.ts';
import {
  decideFloor,
  floorActionFrom,
  floorArgs,
  floorFingerprint,
  floorRejectedWithoutEffect,
} from '../core/floor.ts';
import { bidFingerprint, restoredLiveState, restoreRefusal, standingProblem } from '../core/restore.ts';
import { decideRestate, restateFingerprint, restateRefused } from '../core/restate.ts';
import { acceptedBidsCount, assuranceOf, seqOfRecord } from '../core/types.ts';
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
import { compareStreamIds } from '../../common/stream-id.ts';
import { firstAfter, rejectedWithoutEffect, snapshotOf, type Auction } from './memory-auction.ts';

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
        restateIdempotency: new Map(),
        decisions: [],
        accepted: [],
        acceptedBy: new Map(),
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
    const fingerprint = bidFingerprint(req.amount, req.max);
    const idemField = `${req.bidderId}\u0000${req.idempotencyKey}`;
    const prior = a?.idempotency.get(idemField);
    if (prior !== undefined) {
      if (prior.fingerprint !== fingerprint)
        return rejectedWithoutEffect(req, 'IDEMPOTENCY_KEY_REUSED', true);
      return { ...prior.decision, replayed: true };
    }
    if (a === undefined) return rejectedWithoutEffect(req, 'UNKNOWN_AUCTION', false);
    const decision = decide(a.setup, a.state, req, this.clock(), a.eligibility.get(req.bidderId));
    const streamId = this.nextStreamId(decision.decidedAt);
    a.decisions.push({
      type: 'bid',
      streamId,
      decision,
      max: req.max,
      source: req.source,
      idempotencyKey: req.idempotencyKey,
      correlationId: req.correlationId,
      paddle: req.paddle,
      assurance: assuranceOf(req),
    });
    if (decision.outcome === 'accepted' && decision.kind === 'bid') {
      const entry: AcceptedBid = {
        streamId,
        seq: decision.seq,
        bidderId: req.bidderId,
        amount: decision.amount,
        price: decision.price,
        source: req.source,
        decidedAt: decision.decidedAt,
      };
      a.accepted.push(entry);
      const mine = a.acceptedBy.get(req.bidderId);
      if (mine === undefined) a.acceptedBy.set(req.bidderId, [entry]);
      else mine.push(entry);
    }
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

  restore(r: RestoreState): Promise<RestoreResult> {
    return Promise.resolve(this.restoreSync(r));
  }

  private restoreSync(r: RestoreState): RestoreResult {
    const auctionId = r.setup.id;
    const refused = restoreRefusal(r);
    if (refused !== undefined) return refused;
    const existing = this.auctions.get(auctionId);
    if (existing !== undefined && r.force !== true) {
      return {
        restored: false,
        auctionId,
        reason: 'EXISTS',
        message: `auction ${auctionId} has live state`,
        existingSeq: existing.state.seq,
      };
    }
    const idempotency = new Map<string, { fingerprint: string; decision: BidDecision }>();
    for (const a of r.answers ?? []) {
      idempotency.set(`${a.bidderId}\u0000${a.idempotencyKey}`, {
        fingerprint: bidFingerprint(a.amount, a.max),
        decision: { ...a.decision, auctionId, bidderId: a.bidderId, replayed: false },
      });
    }
    this.auctions.set(auctionId, {
      published: { seq: 0, eventId: undefined },
      setup: { ...r.setup },
      state: restoredLiveState(r),
      eligibility: new Map(Object.entries(r.eligibility ?? {})),
      idempotency,
      floorIdempotency: new Map(),
      restateIdempotency: new Map(),
      // The stream is the ledger's hand-off: kept as it is, never rewritten (and its index with it).
      decisions: existing?.decisions ?? [],
      accepted: existing?.accepted ?? [],
      acceptedBy: existing?.acceptedBy ?? new Map<string, AcceptedBid[]>(),
    });
    if (r.afterStreamId !== undefined && compareStreamIds(r.afterStreamId, this.lastStreamId()) > 0) {
      const [ms = '0', n = '0'] = r.afterStreamId.split('-');
      this.lastStreamMs = Number(ms);
      this.streamSeq = Number(n);
    }
    return { restored: true, auctionId, seq: r.seq, answers: idempotency.size };
  }

  restate(req: RestateRequest): Promise<RestateResult> {
    return Promise.resolve(this.restateSync(req));
  }

  private restateSync(req: RestateRequest): RestateResult {
    if (standingProblem(req.standing) !== undefined) return restateRefused(req, 'INVALID_REQUEST', false);
    const a = this.auctions.get(req.auctionId);
    const fingerprint = restateFingerprint(req);
    const prior = a?.restateIdempotency.get(req.idempotencyKey);
    if (prior !== undefined) {
      if (prior.fingerprint !== fingerprint) return restateRefused(req, 'IDEMPOTENCY_KEY_REUSED', true);
      return { ...prior.result, replayed: true };
    }
    if (a === undefined) return restateRefused(req, 'UNKNOWN_AUCTION', false);
    if (a.setup.mode !== 'timed') return restateRefused(req, 'NOT_TIMED', false);
    const result = decideRestate(a.setup, a.state, req, this.clock());
    a.decisions.push({
      type: 'restate',
      streamId: this.nextStreamId(result.decidedAt),
      seq: result.seq,
      auctionId: req.auctionId,
      previous: result.previous!,
      standing: result.standing!,
      reason: req.reason,
      actor: req.actor,
      decidedAt: result.decidedAt,
      idempotencyKey: req.idempotencyKey,
      correlationId: req.correlationId === '' ? undefined : req.correlationId,
    });
    a.restateIdempotency.set(req.idempotencyKey, { fingerprint, result });
    return result;
  }

  private lastStreamId(): string {
    return `${this.lastStreamMs}-${this.streamSeq}`;
  }

  /** Stream-like ids (`ms-n`), increasing, so ledger cursors work the same as on Redis. */
  private nextStreamId(now: number): string {
    if (now > this.lastStreamMs) {
      this.lastStreamMs = now;
      this.streamSeq = 0;
    } else this.streamSeq += 1;
    return `${this.lastStreamMs}-${this.streamSeq}`;
  }

  waitingAbsentees(auctionId: string): Promise<WaitingAbsentee[]> {
    const a = this.auctions.get(auctionId);
    return Promise.resolve((a?.state.absentees ?? []).map((x) => ({ bidderId: x.bidderId, max: x.max })));
  }

  snapshot(auctionId: string): Promise<AuctionSnapshot | undefined> {
    const a = this.auctions.get(auctionId);
    if (a === undefined) return Promise.resolve(undefined);
    return Promise.resolve(snapshotOf(a));
  }

  markPublished(auctionId: string, seq: number, eventId: string): Promise<void> {
    const a = this.auctions.get(auctionId);
    if (a !== undefined && seq > a.published.seq) a.published = { seq, eventId };
    return Promise.resolve();
  }

  publishProgress(auctionId: string): Promise<PublishProgress | undefined> {
    const a = this.auctions.get(auctionId);
    return Promise.resolve(
      a === undefined ? undefined : { lastSeq: a.state.seq, publishedSeq: a.published.seq },
    );
  }

  listAuctions(): Promise<string[]> {
    return Promise.resolve(this.auctionIds());
  }

  decisions(auctionId: string, afterStreamId = '0', count = 1000): Promise<RecordedEvent[]> {
    const all = this.auctions.get(auctionId)?.decisions ?? [];
    const from = firstAfter(all, afterStreamId);
    return Promise.resolve(all.slice(from, from + count));
  }

  acceptedBids(auctionId: string, query: AcceptedBidsQuery = {}): Promise<AcceptedBid[]> {
    const a = this.auctions.get(auctionId);
    const list = (query.bidderId === undefined ? a?.accepted : a?.acceptedBy.get(query.bidderId)) ?? [];
    const from = firstAfter(list, query.after ?? '0');
    return Promise.resolve(list.slice(from, from + acceptedBidsCount(query.count)));
  }

  /** The auctions this store holds, in id order (the ledger writer's auction list in embedded mode). */
  auctionIds(): string[] {
    return [...this.auctions.keys()].sort();
  }

  /** Decisions and floor actions ever recorded for the auction (never trimmed in memory); 0 when unknown. */
  decisionCount(auctionId: string): number {
    return this.auctions.get(auctionId)?.decisions.length ?? 0;
  }

  /** The seq of the newest recorded event of the auction; 0 when none. */
  lastRecordedSeq(auctionId: string): number {
    const last = this.auctions.get(auctionId)?.decisions.at(-1);
    return last === undefined ? 0 : seqOfRecord(last);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
