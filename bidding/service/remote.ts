import { AppError } from '../../common/errors.ts';
import {
  httpTarget,
  PipelinedConnection,
  PipelineError,
  type Answer,
  type HttpTarget,
} from '../../common/pipelined-http.ts';
import { traceHeaderLines } from '../../common/tracing.ts';
import type { AuctionSnapshotWithResume, BiddingService } from './bidding-service.ts';
import type {
  AcceptedBid,
  AcceptedBidsQuery,
  BidDecision,
  BidRequest,
  FloorActionRequest,
  FloorActionResult,
  RecordedEvent,
  WaitingAbsentee,
} from '../core/types.ts';
import type { AuctionMeta } from '../core/view.ts';

/**
 * The bidding engine in another process, over its internal HTTP API: pipelined keep-alive HTTP/1.1
 * (the calls of one tick leave in one write on one connection and are answered in order on it;
 * Node's HTTP client cost more CPU per bid than the engine's decision).
 * An unreachable or failing engine becomes a 503 the client may retry with the same
 * Idempotency-Key: the engine's idempotency makes the retry safe whether or not the first try landed.
 */
export class RemoteBiddingService implements BiddingService {
  private readonly target: HttpTarget;
  private readonly auth: string;
  private readonly lanes: { writes?: PipelinedConnection; reads?: PipelinedConnection } = {};
  private readonly meta = new Map<string, AuctionMeta>();

  constructor(baseUrl: string, token: string) {
    const base = new URL(baseUrl);
    if (base.protocol !== 'http:')
      throw new TypeError(`BIDDING_URL must be http:// (got ${base.protocol}); put TLS at a proxy`);
    if (base.pathname !== '/' || base.search !== '')
      throw new TypeError("BIDDING_URL is the engine's origin (http://host:port), without a path");
    if (/[^\x21-\x7e]/.test(token)) throw new TypeError('BIDDING_SERVICE_TOKEN must be printable ASCII');
    this.target = httpTarget(base);
    this.auth = `Bearer ${token}`;
  }

  placeBid(req: BidRequest): Promise<BidDecision> {
    return this.call<BidDecision>('POST', '/internal/v1/bids', req);
  }

  floorAction(req: FloorActionRequest): Promise<FloorActionResult> {
    return this.call<FloorActionResult>('POST', '/internal/v1/floor', req);
  }

  snapshot(auctionId: string): Promise<AuctionSnapshotWithResume | undefined> {
    return this.call<AuctionSnapshotWithResume>(
      'GET',
      `/internal/v1/auctions/${encodeURIComponent(auctionId)}/snapshot`,
      undefined,
      true,
    );
  }

  async waitingAbsentees(auctionId: string): Promise<WaitingAbsentee[]> {
    const r = await this.call<{ absentees: WaitingAbsentee[] }>(
      'GET',
      `/internal/v1/auctions/${encodeURIComponent(auctionId)}/absentees`,
      undefined,
      true,
    );
    return r?.absentees ?? [];
  }

  async auctionMeta(auctionId: string): Promise<AuctionMeta | undefined> {
    const hit = this.meta.get(auctionId);
    if (hit !== undefined) return hit;
    const m = await this.call<AuctionMeta>(
      'GET',
      `/internal/v1/auctions/${encodeURIComponent(auctionId)}/meta`,
      undefined,
      true,
    );
    if (m !== undefined) this.meta.set(auctionId, m);
    return m;
  }

  decisions(auctionId: string, afterStreamId = '0', count = 1000): Promise<RecordedEvent[]> {
    return this.call<RecordedEvent[]>(
      'GET',
      `/internal/v1/auctions/${encodeURIComponent(auctionId)}/decisions?after=${encodeURIComponent(afterStreamId)}&count=${count}`,
    );
  }

  acceptedBids(auctionId: string, query: AcceptedBidsQuery = {}): Promise<AcceptedBid[]> {
    const q = new URLSearchParams({ after: query.after ?? '0', count: String(query.count ?? 100) });
    if (query.bidderId !== undefined) q.set('bidder', query.bidderId);
    return this.call<AcceptedBid[]>(
      'GET',
      `/internal/v1/auctions/${encodeURIComponent(auctionId)}/bids?${q.toString()}`,
    );
  }

  async drain(): Promise<void> {
    await this.call('POST', '/internal/v1/drain', {});
  }

  close(): void {
    for (const c of [this.lanes.writes, this.lanes.reads])
      c?.destroy(new Error('the engine client is closed'));
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T>;
  private call<T>(
    method: string,
    path: string,
    body: unknown,
    notFoundIsUndefined: true,
  ): Promise<T | undefined>;
  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    notFoundIsUndefined = false,
  ): Promise<T | undefined> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    // The caller's span (the gateway's `bid`) as a W3C traceparent: the engine's span is its child. '' when off.
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.target.authority}\r\nAuthorization: ${this.auth}\r\n` +
      traceHeaderLines() +
      (payload === undefined
        ? '\r\n'
        : `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`);
    const request =
      payload === undefined
        ? Buffer.from(head, 'latin1')
        : Buffer.concat([Buffer.from(head, 'latin1'), payload]);
    // Bids and floor actions on one connection, the rest on another: a long read or a drain
    // (answered only once publishing has caught up) never holds up the bids pipelined behind it.
    const lane = path === '/internal/v1/bids' || path === '/internal/v1/floor' ? 'writes' : 'reads';
    let answer: Answer;
    try {
      answer = await this.send(lane, request);
    } catch (err) {
      // A kept-alive connection the engine closed as this request left it: once more on a new one.
      // Safe for every call: bids and floor actions carry their Idempotency-Key, the rest only read.
      if (!(err instanceof PipelineError) || err.timedOut) throw unavailable(err);
      try {
        answer = await this.send(lane, request);
      } catch (again) {
        throw unavailable(again);
      }
    }
    if (answer.status === 200) {
      try {
        return JSON.parse(answer.body) as T;
      } catch (err) {
        throw new AppError(
          'ENGINE_UNAVAILABLE',
          'the bidding engine sent an unreadable answer; retry with the same Idempotency-Key',
          { cause: err },
        );
      }
    }
    if (answer.status === 404 && notFoundIsUndefined) return undefined;
    throw new AppError(
      'ENGINE_UNAVAILABLE',
      `the bidding engine answered ${answer.status}; retry with the same Idempotency-Key`,
      { details: { engine: answer.body.slice(0, 300) } },
    );
  }

  private send(lane: 'writes' | 'reads', request: Buffer): Promise<Answer> {
    let conn = this.lanes[lane];
    if (conn === undefined || conn.broken) {
      conn = new PipelinedConnection(this.target, 'the bidding engine');
      this.lanes[lane] = conn;
    }
    return conn.send(request);
  }
}

function unavailable(cause: unknown): AppError {
  return new AppError(
    'ENGINE_UNAVAILABLE',
    'the bidding engine is unreachable; retry with the same Idempotency-Key',
    { cause },
  );
}
