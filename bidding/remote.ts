import { Agent, request } from 'node:http';
import { AppError } from '../common/errors.ts';
import type { AuctionSnapshotWithResume, BiddingService } from './service.ts';
import type {
  BidDecision,
  BidRequest,
  FloorActionRequest,
  FloorActionResult,
  RecordedEvent,
} from './types.ts';
import type { AuctionMeta } from './view.ts';

/**
 * The bidding engine in another process, over its internal HTTP API (keep-alive HTTP/1.1).
 * An unreachable or failing engine becomes a 503 the client may retry with the same
 * Idempotency-Key: the engine's idempotency makes the retry safe whether or not the first try landed.
 */
export class RemoteBiddingService implements BiddingService {
  private readonly base: URL;
  private readonly auth: string;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly meta = new Map<string, AuctionMeta>();

  constructor(baseUrl: string, token: string) {
    this.base = new URL(baseUrl);
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

  async drain(): Promise<void> {
    await this.call('POST', '/internal/v1/drain', {});
  }

  close(): void {
    this.agent.destroy();
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T>;
  private call<T>(
    method: string,
    path: string,
    body: unknown,
    notFoundIsUndefined: true,
  ): Promise<T | undefined>;
  private call<T>(
    method: string,
    path: string,
    body?: unknown,
    notFoundIsUndefined = false,
  ): Promise<T | undefined> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.base),
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: this.auth,
            ...(payload === undefined
              ? {}
              : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 200) {
              try {
                resolve(JSON.parse(text) as T);
              } catch (err) {
                reject(
                  new AppError(
                    503,
                    'ENGINE_UNAVAILABLE',
                    'the bidding engine sent an unreadable answer; retry with the same Idempotency-Key',
                    { cause: err },
                  ),
                );
              }
            } else if (status === 404 && notFoundIsUndefined) resolve(undefined);
            else
              reject(
                new AppError(
                  503,
                  'ENGINE_UNAVAILABLE',
                  `the bidding engine answered ${status}; retry with the same Idempotency-Key`,
                  { details: { engine: text.slice(0, 300) } },
                ),
              );
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('bidding engine timed out')));
      req.on('error', (err) =>
        reject(
          new AppError(
            503,
            'ENGINE_UNAVAILABLE',
            'the bidding engine is unreachable; retry with the same Idempotency-Key',
            { cause: err },
          ),
        ),
      );
      req.end(payload);
    });
  }
}
