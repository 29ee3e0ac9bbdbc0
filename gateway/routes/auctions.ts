import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { decimalQuery } from '../../common/query.ts';
import { formatAmount, parseAmount } from '../../common/money.ts';
import { mercureLink } from '../../common/mercure.ts';
import type { Topics } from '../../common/topics.ts';
import type { BiddingService } from '../../bidding/index.ts';
import type { BidderMasks } from '../../bidding/index.ts';
import type {
  BidListResponse,
  BidOutcome,
  BidResponse,
  PublicAuctionView,
  SnapshotResponse,
} from '../../common/contracts/index.ts';
import { rejectionMessage } from './bid-messages.ts';
import { readJson } from '../../common/http-body.ts';
import { idempotencyKey } from '../middleware/idempotency-key.ts';
import { requireRole } from '../../common/auth.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { MiddlewareHandler } from 'hono';
import { viewerOf, type Catalogue } from '../../common/catalogue.ts';
import { correlationAttrs, inSpan, tracingEnabled, type Span } from '../../common/tracing.ts';

/** A refused bid or a bad request is an answer, not a fault: its span is not marked an error. */
const isAnswer = (err: unknown): boolean =>
  (err instanceof AppError && err.status < 500) || err instanceof z.ZodError;

export interface AuctionRoutesDeps {
  engine: BiddingService;
  /** Who may see an invite-only sale's lots (docs/invite-only.md). */
  catalogue: Catalogue;
  topics: Topics;
  /** Public URL of the hub, for discovery. */
  hubUrl: string;
  bidRateLimit: MiddlewareHandler;
  masks: BidderMasks;
  /** Told of every bid refused as CLOSED (the floor console's missed-bid warning); must not throw. */
  onClosedBid?:
    ((bid: { auctionId: string; bidderId: string; amount: number; decidedAt: number }) => void) | undefined;
}

const bidBody = z.strictObject({
  amount: z.string({ error: 'amount is required, as a decimal string like "250.00"' }),
  max: z.string().optional(),
});

export function auctionRoutes(deps: AuctionRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { engine, topics } = deps;

  /**
   * The lot's sale and currency, when the caller may see it: a lot of an invite-only sale is, for
   * anyone but staff and the invited, an auction that does not exist (404, as for an unknown id).
   * Only such lots cost a catalogue read; the engine's meta (cached) says which they are.
   */
  const currencyOf = async (
    c: Context<AppEnv>,
    auctionId: string,
  ): Promise<{ currency: string; saleId: string }> => {
    const meta = await engine.auctionMeta(auctionId);
    if (meta === undefined) throw new AppError('UNKNOWN_AUCTION', `no auction "${auctionId}"`);
    if (
      meta.private === true &&
      (await deps.catalogue.sale(meta.saleId, viewerOf(c.get('user')))) === undefined
    )
      throw new AppError('UNKNOWN_AUCTION', `no auction "${auctionId}"`);
    return meta;
  };

  app.post('/:id/bids', requireRole('bidder'), deps.bidRateLimit, (c) =>
    // Tracing off: nothing built for a span (the one test the bid pays).
    !tracingEnabled()
      ? placeBid(c, undefined)
      : inSpan(
          'bid',
          {
            kind: 'server',
            attributes: {
              ...correlationAttrs(c.get('requestId')),
              'gavel.auction_id': c.req.param('id'),
              'gavel.bid.source': 'api',
              'http.request.method': 'POST',
              'http.route': '/v1/auctions/:id/bids',
            },
          },
          (span) => placeBid(c, span),
          isAnswer,
        ),
  );

  /** POST /v1/auctions/:id/bids, inside its `bid` span. */
  const placeBid = async (c: Context<AppEnv>, span: Span | undefined): Promise<Response> => {
    const auctionId = c.req.param('id') ?? '';
    const key = idempotencyKey(c, 'bid');
    const body = bidBody.parse(await readJson(c));
    const { currency } = await currencyOf(c, auctionId);
    const amount = parseAmount(body.amount, currency, 'amount');
    const max = body.max === undefined ? undefined : parseAmount(body.max, currency, 'max');
    if (amount === 0)
      throw new AppError('BAD_AMOUNT', 'amount must be greater than zero', {
        details: { field: 'amount' },
      });
    if (max !== undefined && max < amount)
      throw new AppError('MAX_BELOW_AMOUNT', 'max must be at least the amount', {
        details: { field: 'max' },
      });
    const user = c.get('user')!;
    const d = await engine.placeBid({
      auctionId,
      bidderId: user.id,
      amount,
      max,
      idempotencyKey: key,
      source: 'api',
      correlationId: c.get('requestId'),
    });
    if (d.replayed) c.header('Idempotent-Replayed', 'true');
    span?.setAttributes({ 'gavel.bid.outcome': d.outcome, 'gavel.seq': d.seq });
    const bid = {
      seq: d.seq,
      outcome: d.outcome,
      kind: d.kind ?? null,
      amount: formatAmount(d.amount, currency),
      max: max === undefined ? null : formatAmount(max, currency),
      price: formatAmount(d.price, currency),
      asking: formatAmount(d.asking, currency),
      leading: d.leaderId === user.id,
      endsAt: d.endsAt > 0 ? new Date(d.endsAt).toISOString() : null,
      extended: d.extended,
      decidedAt: new Date(d.decidedAt).toISOString(),
      currency,
    } satisfies BidOutcome;
    if (d.outcome === 'accepted') return c.json({ bid } satisfies BidResponse, 201);
    if (d.reason === 'CLOSED' && !d.replayed)
      deps.onClosedBid?.({ auctionId, bidderId: user.id, amount, decidedAt: d.decidedAt });
    // Refused: the error body (common/http-errors.ts) with the catalogue's status, the decision in its details.
    throw new AppError(d.reason ?? 'UNKNOWN_AUCTION', rejectionMessage(d, currency), { details: { bid } });
  };

  const snapshotOf = async (
    c: Context<AppEnv>,
  ): Promise<{ view: PublicAuctionView; lastEventId: string | undefined }> => {
    const id = c.req.param('id') ?? '';
    // Visible to the caller first: an invite-only sale's lot is unknown to the uninvited.
    await currencyOf(c, id);
    const snap = await engine.snapshot(id);
    if (snap === undefined) throw new AppError('UNKNOWN_AUCTION', `no auction "${id}"`);
    return snap;
  };

  app.get('/:id', async (c) => {
    const { view, lastEventId } = await snapshotOf(c);
    // Subscribe from exactly this point: the snapshot, then every update after it (updates with seq ≤ view.seq are already in it).
    c.header('Link', mercureLink(deps.hubUrl, lastEventId ?? 'earliest'));
    c.header('Cache-Control', 'no-store');
    return c.json({
      auction: view,
      hub: {
        url: deps.hubUrl,
        topics: [topics.auction(view.auctionId), topics.sale(view.saleId)],
        lastEventId: lastEventId ?? 'earliest',
      },
    } satisfies SnapshotResponse);
  });

  app.get('/:id/leader', async (c) => {
    const { view } = await snapshotOf(c);
    const endsIn =
      view.endsAt === null ? null : Math.max(0, Math.round((Date.parse(view.endsAt) - Date.now()) / 1000));
    c.header('Cache-Control', 'no-store');
    return c.json({
      leader: view.leader,
      amount: view.price,
      currency: view.currency,
      bidCount: view.bidCount,
      endsInSeconds: endsIn,
    });
  });

  const listQuery = z.object({
    limit: decimalQuery(1, 100, 20),
    cursor: z
      .string()
      .regex(/^\d+-\d+$/, 'cursor must be a value returned as nextCursor')
      .default('0'),
    /** Only the signed-in bidder's own bids (their client's "your bids"; masks alone could collide). */
    mine: z.enum(['true', 'false']).default('false'),
  });

  app.get('/:id/bids', async (c) => {
    const auctionId = c.req.param('id');
    const q = listQuery.parse(c.req.query());
    const me = q.mine === 'true' ? c.get('user') : undefined;
    if (q.mine === 'true' && me === undefined)
      throw new AppError('UNAUTHENTICATED', 'mine=true lists your own bids: sign in first');
    const { currency, saleId } = await currencyOf(c, auctionId);
    // A page of the engine's index of accepted bids: the work is the page, whatever was refused before it.
    const page = await engine.acceptedBids(auctionId, { after: q.cursor, count: q.limit, bidderId: me?.id });
    const bids = page.map((b) => ({
      seq: b.seq,
      amount: formatAmount(b.amount, currency),
      price: formatAmount(b.price, currency),
      bidder: deps.masks.bidder(saleId, b.bidderId),
      source: b.source,
      at: new Date(b.decidedAt).toISOString(),
    }));
    const cursor = page.at(-1)?.streamId ?? q.cursor;
    return c.json({ bids, currency, nextCursor: cursor } satisfies BidListResponse);
  });

  return app;
}
