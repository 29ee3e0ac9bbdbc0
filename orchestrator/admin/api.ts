/**
 * The back office's admin API (admin-role JWT): sales and lots, bidders, registrations, terms,
 * approval limits, blocks, due diligence, KYC checks, bid cancellation, results and the audit log.
 * Every change is validated (zod; money as decimal strings in the sale's currency), written with
 * its audit row in one transaction, and then pushed into the engine (set-up, eligibility) before
 * the response — so a revocation holds from the very next bid.
 *
 * One module per resource (`sales.ts`, `lots.ts`, `bids.ts`, `bidders.ts`, `kyc.ts`,
 * `notifications.ts`, `registrations.ts`, `results.ts`, `images.ts`, `catalogue-import.ts`,
 * `invitations.ts`, `exports.ts`); what a sale's status allows is decided in
 * the pure `rules/sale-status.ts`.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { authenticate, requireRole } from '../../common/auth.ts';
import { AppError } from '../../common/errors.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { bidderRoutes } from './bidders.ts';
import { constraintError } from './constraints.ts';
import { bidRoutes } from './bids.ts';
import { catalogueImportRoutes } from './catalogue-import.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { invitationRoutes } from './invitations.ts';
import { imageRoutes } from './images.ts';
import { exportRoutes } from './exports.ts';
import { kycRoutes } from './kyc.ts';
import { lotRoutes } from './lots.ts';
import { notificationRoutes } from './notifications.ts';
import { registrationRoutes } from './registrations.ts';
import { resultRoutes } from './results.ts';
import { saleRoutes } from './sales.ts';

export type { AdminApiDeps, BidCanceller, KycStarter } from './context.ts';
export type { AdminMedia } from './images.ts';

/** The admin API; mount it at `/admin/v1`. */
export function adminApi(deps: AdminApiDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const onError = errorHandler(deps.logger);
  app.onError((err, c) => onError(constraintError(err) ?? err, c));
  app.notFound((c) => onError(new AppError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), c));
  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  // Tokens for the gateway's API (even an admin's) are refused here: the admin API has its own audience.
  if (deps.tokens.audience !== 'admin') throw new Error('the admin API verifies admin-audience tokens only');
  app.use('*', authenticate(deps.tokens));
  app.use('*', requireRole('admin'));
  for (const routes of [
    saleRoutes,
    lotRoutes,
    imageRoutes,
    catalogueImportRoutes,
    bidRoutes,
    bidderRoutes,
    kycRoutes,
    notificationRoutes,
    registrationRoutes,
    resultRoutes,
    invitationRoutes,
    exportRoutes,
  ])
    routes(app, deps);
  return app;
}
