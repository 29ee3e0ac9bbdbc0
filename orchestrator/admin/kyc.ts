/**
 * KYC checks as the house runs them: start one for a bidder, list a bidder's, retry one — and a
 * manual verification with a reason (documents seen in person, a vendor outside Gavel, or no vendor
 * at all), recorded as a check of provider `manual` and audited with the staff member as actor.
 */
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import type { AppEnv } from '../../common/http-env.ts';
import { audit, text } from '../ledger/records.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { mustBidder } from './lookups.ts';
import { manualKycBody } from './schemas.ts';

export function kycRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db, kyc, sync } = deps;
  app.post('/bidders/:id/kyc', async (c) => {
    if (kyc === undefined)
      throw new AppError('KYC_DISABLED', 'no KYC provider is configured (set KYC_PROVIDER_URL)');
    const id = c.req.param('id');
    await mustBidder(db, id);
    const ctx = who(c);
    const check = await kyc.start(id, ctx.actor, ctx.correlationId);
    return c.json({ check }, 202);
  });

  // Without a vendor the checks are still listed: the manual ones.
  app.get('/bidders/:id/kyc', async (c) => {
    const id = c.req.param('id');
    await mustBidder(db, id);
    if (kyc !== undefined) return c.json({ checks: await kyc.listChecks(id) });
    const rows = await db.query(
      `SELECT id, provider, status, reason, requested_at, completed_at FROM kyc_checks
        WHERE bidder_id = $1 ORDER BY requested_at DESC, id`,
      [id],
    );
    const iso = (v: unknown): string | null =>
      v === null || v === undefined
        ? null
        : v instanceof Date
          ? v.toISOString()
          : new Date(text(v)).toISOString();
    return c.json({
      checks: rows.map((r) => ({
        id: text(r.id),
        bidderId: id,
        provider: text(r.provider),
        status: text(r.status),
        reason: r.reason === null ? null : text(r.reason),
        requestedAt: iso(r.requested_at),
        completedAt: iso(r.completed_at),
      })),
    });
  });

  // A person checked the bidder's identity: verified, with why, by whom (audited), in one transaction.
  app.post('/bidders/:id/kyc/manual', async (c) => {
    const body = manualKycBody.parse(await readJson(c));
    const ctx = who(c);
    const id = c.req.param('id');
    const checkId = `kyc_manual_${randomBytes(9).toString('base64url')}`;
    await db.transaction(async (tx) => {
      await mustBidder(tx, id);
      await tx.query(
        `INSERT INTO kyc_checks (id, bidder_id, provider, status, reason, requested_at, completed_at, correlation_id)
         VALUES ($1, $2, 'manual', 'verified', $3, now(), now(), $4)`,
        [checkId, id, body.reason, ctx.correlationId],
      );
      await tx.query(
        `UPDATE bidders SET kyc_status = 'verified', kyc_checked_at = now(), updated_at = now() WHERE id = $1`,
        [id],
      );
      await audit(tx, {
        ...ctx,
        action: 'bidder.kyc_manual_verify',
        entityType: 'bidder',
        entityId: id,
        details: { checkId, reason: body.reason },
      });
    });
    // The KYC-free cap no longer applies: the engine hears it before the answer.
    await sync.syncBidder(id);
    return c.json(
      { check: { id: checkId, bidderId: id, provider: 'manual', status: 'verified', reason: body.reason } },
      201,
    );
  });

  app.post('/kyc/checks/:checkId/retry', async (c) => {
    if (kyc === undefined)
      throw new AppError('KYC_DISABLED', 'no KYC provider is configured (set KYC_PROVIDER_URL)');
    const ctx = who(c);
    return c.json({ check: await kyc.retry(c.req.param('checkId'), ctx.actor, ctx.correlationId) }, 202);
  });
}
