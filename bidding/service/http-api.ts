import { BID_SOURCES } from '../../common/contracts/bids.ts';
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { decimalQuery } from '../../common/query.ts';
import { readJson } from '../../common/http-body.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { healthRoutes, type ReadinessChecks } from '../../common/health.ts';
import type { Logger } from '../../common/logger.ts';
import { contextFromHeaders, withContext } from '../../common/tracing.ts';
import type { BiddingService } from './bidding-service.ts';
import type { FloorActionRequest } from '../core/types.ts';
import { BID_ASSURANCES } from '../core/types.ts';

const bidRequest = z.strictObject({
  auctionId: z.string().min(1),
  bidderId: z.string().min(1),
  amount: z.number().int().nonnegative(),
  max: z.number().int().nonnegative().optional(),
  idempotencyKey: z.string().min(1).max(255),
  source: z.enum(BID_SOURCES),
  correlationId: z.string().optional(),
  paddle: z.string().optional(),
  assurance: z.enum(BID_ASSURANCES).optional(),
});

/** A read position in a decision stream: a stream id, or '0' for the start. */
const streamCursor = z
  .string()
  .regex(/^\d+(-\d+)?$/)
  .default('0');

/**
 * The bidding engine's internal HTTP API, for a gateway running in another process. Callers are
 * Gavel services holding the shared service token; the public API and its validation live in the
 * gateway, so this API only checks shapes.
 */
export function createBiddingApi(
  service: BiddingService,
  opts: { token: string; logger: Logger; readiness?: ReadinessChecks },
): Hono {
  const app = new Hono();
  const expected = Buffer.from(`Bearer ${opts.token}`);
  app.onError(errorHandler(opts.logger));
  app.notFound((c) => {
    const err = new AppError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`);
    return c.json(err.toBody(), 404);
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // /health/live and /health/ready (the engine's Redis): probes, no token.
  app.route('/', healthRoutes(opts.readiness ?? {}));
  app.use('/internal/*', async (c, next) => {
    const got = Buffer.from(c.req.header('authorization') ?? '');
    if (got.length !== expected.length || !timingSafeEqual(got, expected))
      throw new AppError('UNAUTHENTICATED', 'the bidding API needs the service token');
    await next();
  });
  app.post('/internal/v1/bids', async (c) => {
    const req = bidRequest.parse(await readJson(c));
    // The gateway's traceparent, when tracing is on: the decision's span continues its trace.
    const parent = contextFromHeaders((name) => c.req.header(name));
    return c.json(await withContext(parent, () => service.placeBid(req)));
  });
  // Floor actions are validated by the gateway's floor routes and by the store (INVALID_REQUEST); here only the envelope.
  app.post('/internal/v1/floor', async (c) => {
    const body = z
      .looseObject({
        auctionId: z.string().min(1),
        idempotencyKey: z.string().min(1),
        action: z.string().min(1),
      })
      .parse(await readJson(c));
    return c.json(await service.floorAction(body as unknown as FloorActionRequest));
  });
  app.get('/internal/v1/auctions/:id/snapshot', async (c) => {
    const s = await service.snapshot(c.req.param('id'));
    if (s === undefined) throw new AppError('UNKNOWN_AUCTION', 'no such auction');
    return c.json(s);
  });
  app.get('/internal/v1/auctions/:id/absentees', async (c) => {
    return c.json({ absentees: await service.waitingAbsentees(c.req.param('id')) });
  });
  app.get('/internal/v1/auctions/:id/meta', async (c) => {
    const m = await service.auctionMeta(c.req.param('id'));
    if (m === undefined) throw new AppError('UNKNOWN_AUCTION', 'no such auction');
    return c.json(m);
  });
  app.get('/internal/v1/auctions/:id/decisions', async (c) => {
    const q = z
      .object({
        after: streamCursor,
        count: decimalQuery(1, 5000, 1000),
      })
      .parse(c.req.query());
    return c.json(await service.decisions(c.req.param('id'), q.after, q.count));
  });
  app.get('/internal/v1/auctions/:id/bids', async (c) => {
    const q = z
      .object({
        after: streamCursor,
        count: decimalQuery(1, 1000, 100),
        bidder: z.string().min(1).optional(),
      })
      .parse(c.req.query());
    return c.json(
      await service.acceptedBids(c.req.param('id'), { after: q.after, count: q.count, bidderId: q.bidder }),
    );
  });
  app.post('/internal/v1/drain', async (c) => {
    await service.drain();
    return c.json({ drained: true });
  });
  return app;
}
