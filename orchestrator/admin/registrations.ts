/**
 * Registrations: list with each bidder's eligibility, register (a paddle from the sale's range for
 * the channel), change status or approval limit (refused at the due-diligence threshold without
 * CDD), and accept the current terms.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import { formatAmount, parseAmount } from '../../common/money.ts';
import { audit, linkedPurchases, loadBidder, loadLots, loadRegistration } from '../ledger/records.ts';
import { mayChangeRegistration, saleIsLocked } from '../rules/sale-status.ts';
import { limitChangeError, nextPaddle } from '../rules/trade.ts';
import { noticeOfRegistrationDecision } from '../bidders-self/notice.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { mustBidder, mustSale } from './lookups.ts';
import { registrationCreate, registrationPatch } from './schemas.ts';
import { registrationView } from './views.ts';

export function registrationRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db, sync } = deps;
  app.get('/sales/:id/registrations', async (c) => {
    const sale = await mustSale(db, c.req.param('id'));
    const rows = await db.query('SELECT * FROM registrations WHERE sale_id = $1 ORDER BY created_at', [
      sale.id,
    ]);
    const lots = await loadLots(db, sale.id);
    const table = new Map((await sync.compute(db, sale, lots)).map((e) => [e.bidderId, e]));
    return c.json({
      registrations: rows.map((r) => {
        const e = table.get(String(r.bidder_id));
        return {
          bidderId: r.bidder_id,
          paddle: r.paddle,
          channel: r.channel,
          status: r.status,
          limit: r.limit_minor === null ? null : formatAmount(Number(r.limit_minor), sale.currency),
          termsVersion: r.terms_version,
          eligibility:
            e === undefined
              ? null
              : {
                  limit: formatAmount(e.limit, sale.currency),
                  reasons: e.reasons,
                  excludedLots: e.excludedLots,
                },
        };
      }),
    });
  });

  app.post('/sales/:id/registrations', async (c) => {
    const body = registrationCreate.parse(await readJson(c));
    const ctx = who(c);
    const saleId = c.req.param('id');
    const paddle = await db.transaction(async (tx) => {
      const sale = await mustSale(tx, saleId, true);
      if (saleIsLocked(sale.status)) throw new AppError('SALE_LOCKED', `sale ${saleId} is ${sale.status}`);
      const bidder = await mustBidder(tx, body.bidderId);
      if ((await loadRegistration(tx, saleId, bidder.id)) !== undefined)
        throw new AppError(
          'ALREADY_REGISTERED',
          `${bidder.id} is already registered for ${saleId}; PATCH the registration`,
        );
      const limit = body.limit === undefined ? undefined : parseAmount(body.limit, sale.currency, 'limit');
      if (limit !== undefined) {
        const problem = limitChangeError(limit, 0, bidder.cddVerified, sale.cddThreshold);
        if (problem !== undefined) throw new AppError('CDD_REQUIRED', problem);
      }
      const range = body.channel === 'floor' ? sale.floorPaddles : sale.onlinePaddles;
      const used = await tx.query<{ paddle: string }>(
        'SELECT paddle FROM registrations WHERE sale_id = $1 AND paddle IS NOT NULL',
        [saleId],
      );
      const p = nextPaddle(new Set(used.map((r) => Number(r.paddle))), range.from, range.to);
      if (p === undefined)
        throw new AppError(
          'PADDLES_EXHAUSTED',
          `no ${body.channel} paddle left in ${range.from}–${range.to}; widen the range`,
        );
      await tx.query(
        `INSERT INTO registrations (sale_id, bidder_id, paddle, status, limit_minor, currency, channel, invited_at, approved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)`,
        [
          saleId,
          bidder.id,
          String(p),
          body.approve ? 'approved' : 'pending',
          limit ?? null,
          sale.currency,
          body.channel,
          body.approve ? new Date() : null,
        ],
      );
      await audit(tx, {
        ...ctx,
        action: 'registration.create',
        entityType: 'registration',
        entityId: `${saleId}/${bidder.id}`,
        details: { ...body, paddle: p },
      });
      return p;
    });
    const [e] = await sync.syncEligibility(saleId, body.bidderId);
    return c.json(
      {
        registration: await registrationView(db, saleId, body.bidderId),
        paddle: String(paddle),
        eligibility: e,
      },
      201,
    );
  });

  app.patch('/sales/:id/registrations/:bidderId', async (c) => {
    const patch = registrationPatch.parse(await readJson(c));
    const ctx = who(c);
    const saleId = c.req.param('id');
    const bidderId = c.req.param('bidderId');
    await db.transaction(async (tx) => {
      const sale = await mustSale(tx, saleId, true);
      if (!mayChangeRegistration(sale.status))
        throw new AppError('SALE_LOCKED', `sale ${saleId} is cancelled`);
      const reg = await loadRegistration(tx, saleId, bidderId);
      if (reg === undefined)
        throw new AppError('NOT_REGISTERED', `${bidderId} is not registered for ${saleId}`);
      if (patch.limit !== undefined && patch.limit !== null) {
        const limit = parseAmount(patch.limit, sale.currency, 'limit');
        const bidder = (await loadBidder(tx, bidderId))!;
        const problem = limitChangeError(
          limit,
          await linkedPurchases(tx, saleId, bidderId),
          bidder.cddVerified,
          sale.cddThreshold,
        );
        if (problem !== undefined) throw new AppError('CDD_REQUIRED', problem);
        await tx.query(
          'UPDATE registrations SET limit_minor = $3, updated_at = now() WHERE sale_id = $1 AND bidder_id = $2',
          [saleId, bidderId, limit],
        );
      } else if (patch.limit === null) {
        await tx.query(
          'UPDATE registrations SET limit_minor = NULL, updated_at = now() WHERE sale_id = $1 AND bidder_id = $2',
          [saleId, bidderId],
        );
      }
      if (patch.status !== undefined)
        await tx.query(
          `UPDATE registrations SET status = $3, approved_at = CASE WHEN $3 = 'approved' THEN now() ELSE approved_at END,
                  updated_at = now() WHERE sale_id = $1 AND bidder_id = $2`,
          [saleId, bidderId, patch.status],
        );
      // The bidder is told of a decision (approved, declined, revoked) once, by the outbox.
      await noticeOfRegistrationDecision(tx, deps.topics, {
        sale,
        before: reg,
        decisionId: ctx.correlationId,
      });
      await audit(tx, {
        ...ctx,
        action: 'registration.update',
        entityType: 'registration',
        entityId: `${saleId}/${bidderId}`,
        details: patch,
      });
    });
    const [e] = await sync.syncEligibility(saleId, bidderId);
    return c.json({ registration: await registrationView(db, saleId, bidderId), eligibility: e });
  });

  app.post('/sales/:id/registrations/:bidderId/terms', async (c) => {
    const body = z.strictObject({ version: z.number().int().min(1) }).parse(await readJson(c));
    const ctx = who(c);
    const saleId = c.req.param('id');
    const bidderId = c.req.param('bidderId');
    await db.transaction(async (tx) => {
      const sale = await mustSale(tx, saleId);
      if (body.version !== sale.termsVersion)
        throw new AppError(
          'TERMS_VERSION',
          `the current terms of ${saleId} are version ${sale.termsVersion}; accept that one`,
          {
            details: { current: sale.termsVersion },
          },
        );
      const rows = await tx.query(
        `UPDATE registrations SET terms_version = $3, terms_accepted_at = now(), updated_at = now()
          WHERE sale_id = $1 AND bidder_id = $2 RETURNING bidder_id`,
        [saleId, bidderId, body.version],
      );
      if (rows.length === 0)
        throw new AppError('NOT_REGISTERED', `${bidderId} is not registered for ${saleId}`);
      await audit(tx, {
        ...ctx,
        action: 'registration.terms_accept',
        entityType: 'registration',
        entityId: `${saleId}/${bidderId}`,
        details: body,
      });
    });
    const [e] = await sync.syncEligibility(saleId, bidderId);
    return c.json({ registration: await registrationView(db, saleId, bidderId), eligibility: e });
  });
}
