/**
 * KYC checks as the house runs them: start one for a bidder, list a bidder's, retry one.
 */
import type { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { mustBidder } from './lookups.ts';

export function kycRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db, kyc } = deps;
  app.post('/bidders/:id/kyc', async (c) => {
    if (kyc === undefined)
      throw new AppError('KYC_DISABLED', 'no KYC provider is configured (set KYC_PROVIDER_URL)');
    const id = c.req.param('id');
    await mustBidder(db, id);
    const ctx = who(c);
    const check = await kyc.start(id, ctx.actor, ctx.correlationId);
    return c.json({ check }, 202);
  });

  app.get('/bidders/:id/kyc', async (c) => {
    if (kyc === undefined)
      throw new AppError('KYC_DISABLED', 'no KYC provider is configured (set KYC_PROVIDER_URL)');
    const id = c.req.param('id');
    await mustBidder(db, id);
    return c.json({ checks: await kyc.listChecks(id) });
  });

  app.post('/kyc/checks/:checkId/retry', async (c) => {
    if (kyc === undefined)
      throw new AppError('KYC_DISABLED', 'no KYC provider is configured (set KYC_PROVIDER_URL)');
    const ctx = who(c);
    return c.json({ check: await kyc.retry(c.req.param('checkId'), ctx.actor, ctx.correlationId) }, 202);
  });
}
