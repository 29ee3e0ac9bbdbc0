/**
 * The bidder's own back-office business over HTTP (`/bidders-self/v1/…`), for a gateway in another
 * process (common/bidder-self.ts). Like the accounts API, only the gateway calls it, with the shared
 * ACCOUNTS_SERVICE_TOKEN; the gateway names the signed-in account in the path.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { BidderSelfPort } from '../../common/bidder-self.ts';
import { CONTACT_CHANNELS } from '../../common/contracts/bidder-self.ts';
import { PUSH_ENDPOINT_MAX, PUSH_KINDS } from '../../common/contracts/push.ts';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

const profileBody = z.strictObject({
  name: z.string().max(200),
  phone: z.string().max(60),
  country: z.string().max(10),
  channels: z.array(z.enum(CONTACT_CHANNELS)).max(3),
});
const registerBody = z.strictObject({
  termsVersion: z.number().int().min(0),
  accept: z.boolean(),
  limit: z.string().max(40).optional(),
});
const termsBody = z.strictObject({ version: z.number().int().min(1) });
const pushBody = z.strictObject({
  endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX),
  keys: z.strictObject({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
});
const pushEndpoint = z.strictObject({ endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX) });
const pushKinds = z.strictObject({ muted: z.array(z.enum(PUSH_KINDS)).max(PUSH_KINDS.length) });

export function bidderSelfRoutes(port: BidderSelfPort, serviceToken: string): Hono {
  const app = new Hono();
  const want = digest(serviceToken);
  app.use('*', async (c, next) => {
    const m = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (m === null || !timingSafeEqual(digest(m[1]!), want))
      throw new AppError('UNAUTHENTICATED', 'the bidders-self API takes the ACCOUNTS_SERVICE_TOKEN');
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.get('/bidders/:id', async (c) => c.json(await port.overview(c.req.param('id'))));
  app.put('/bidders/:id/profile', async (c) =>
    c.json(await port.saveProfile(c.req.param('id'), profileBody.parse(await readJson(c)))),
  );
  app.get('/bidders/:id/sales/:saleId', async (c) =>
    c.json(await port.offer(c.req.param('id'), c.req.param('saleId'))),
  );
  app.post('/bidders/:id/sales/:saleId/registration', async (c) =>
    c.json(
      await port.register(c.req.param('id'), c.req.param('saleId'), registerBody.parse(await readJson(c))),
      201,
    ),
  );
  app.post('/bidders/:id/sales/:saleId/terms', async (c) =>
    c.json(
      await port.acceptTerms(
        c.req.param('id'),
        c.req.param('saleId'),
        termsBody.parse(await readJson(c)).version,
      ),
    ),
  );
  app.post('/bidders/:id/kyc', async (c) => c.json(await port.startKyc(c.req.param('id'))));
  app.get('/bidders/:id/watchlist', async (c) => c.json(await port.watchList(c.req.param('id'))));
  app.put('/bidders/:id/watchlist/:lotId', async (c) =>
    c.json(await port.watch(c.req.param('id'), c.req.param('lotId'))),
  );
  app.delete('/bidders/:id/watchlist/:lotId', async (c) =>
    c.json(await port.unwatch(c.req.param('id'), c.req.param('lotId'))),
  );
  app.get('/bidders/:id/push', async (c) => c.json(await port.pushSettings(c.req.param('id'))));
  app.put('/bidders/:id/push', async (c) =>
    c.json(await port.subscribePush(c.req.param('id'), pushBody.parse(await readJson(c)))),
  );
  app.patch('/bidders/:id/push', async (c) =>
    c.json(await port.setPushKinds(c.req.param('id'), pushKinds.parse(await readJson(c)).muted)),
  );
  app.delete('/bidders/:id/push', async (c) =>
    c.json(await port.unsubscribePush(c.req.param('id'), pushEndpoint.parse(await readJson(c)).endpoint)),
  );
  return app;
}
