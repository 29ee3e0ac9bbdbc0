/**
 * Sales: list, create, read, edit (what may change depends on the status, `rules/sale-status.ts`),
 * cancel (DELETE), publish (draft → scheduled) and the sale's terms.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { SaleEvent } from '../../common/contracts/index.ts';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import { audit, enqueue, loadLots, loadSale, SALE_STATUSES, type SaleStatus } from '../ledger/records.ts';
import { endMayMove, mayPublish, saleCancel, saleEdit, saleIsLocked } from '../rules/sale-status.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { mustSale, setEngineStatus, updateRow } from './lookups.ts';
import { saleCreate, salePatch } from './schemas.ts';
import { cddDefault, checkPaddles, DEFAULT_PADDLES, saleValues } from './values.ts';
import { lotView, saleView } from './views.ts';

export function saleRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db, engine, sync, topics } = deps;
  // `?status=open&status=scheduled` or `?status=open,scheduled`: the sales in any of those statuses.
  app.get('/sales', async (c) => {
    const statuses = statusFilter(c.req.queries('status'));
    const rows = await db.query(
      'SELECT id FROM sales WHERE ($1::text[] IS NULL OR status = ANY($1)) ORDER BY starts_at, id',
      [statuses ?? null],
    );
    const out = [];
    for (const r of rows) out.push(saleView((await loadSale(db, String(r.id)))!));
    return c.json({ sales: out });
  });

  app.post('/sales', async (c) => {
    const body = saleCreate.parse(await readJson(c));
    const ctx = who(c);
    const v = saleValues(body, body.currency);
    checkPaddles(body, DEFAULT_PADDLES);
    await db.transaction(async (tx) => {
      if ((await loadSale(tx, body.id)) !== undefined)
        throw new AppError('ALREADY_EXISTS', `sale ${body.id} exists; PATCH it instead`);
      await tx.query(
        `INSERT INTO sales (id, title, mode, currency, status, starts_at, ends_at, timezone, kyc_free_limit_minor,
                            cdd_threshold_minor, premium_bands, tax_rate_bp, tax_base, floor_paddle_from, floor_paddle_to,
                            online_paddle_from, online_paddle_to, closing_soon_ms, visibility, confirm_bids,
                            confirm_bids_from_minor)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
        [
          body.id,
          body.title,
          body.mode,
          body.currency,
          v.startsAt,
          v.endsAt ?? null,
          body.timezone ?? 'UTC',
          v.kycFreeLimit ?? 0,
          v.cddThreshold ?? cddDefault(body.currency),
          JSON.stringify(v.premiumBands ?? [{ upTo: null, rateBp: 2500 }]),
          body.taxRateBp ?? 0,
          body.taxBase ?? 'premium',
          body.floorPaddles?.from ?? DEFAULT_PADDLES.floor.from,
          body.floorPaddles?.to ?? DEFAULT_PADDLES.floor.to,
          body.onlinePaddles?.from ?? DEFAULT_PADDLES.online.from,
          body.onlinePaddles?.to ?? DEFAULT_PADDLES.online.to,
          (body.closingSoonSeconds ?? 300) * 1000,
          body.visibility ?? 'public',
          body.confirmBids ?? 'once_per_lot',
          v.confirmBidsFrom ?? null,
        ],
      );
      await audit(tx, {
        ...ctx,
        action: 'sale.create',
        entityType: 'sale',
        entityId: body.id,
        details: body,
      });
    });
    return c.json({ sale: saleView((await loadSale(db, body.id))!) }, 201);
  });

  app.get('/sales/:id', async (c) => {
    const sale = await mustSale(db, c.req.param('id'));
    const lots = await loadLots(db, sale.id);
    return c.json({ sale: saleView(sale), lots: lots.map(lotView) });
  });

  app.patch('/sales/:id', async (c) => {
    const patch = salePatch.parse(await readJson(c));
    const ctx = who(c);
    const id = c.req.param('id');
    await db.transaction(async (tx) => {
      const sale = await mustSale(tx, id, true);
      const verdict = saleEdit(sale.status, Object.keys(patch));
      if (!verdict.ok && verdict.locked)
        throw new AppError('SALE_LOCKED', `sale ${id} is ${sale.status}: nothing can change`);
      if (!verdict.ok)
        throw new AppError(
          'SALE_ACTIVE',
          `sale ${id} is open: only title, a later endsAt and confirmBids(From) may change`,
          {
            details: { refused: verdict.refused },
          },
        );
      // Who may see a sale is settled before it is published: by then the public may have seen it
      // (catalogue, hub history), and the engine holds its lots' privacy (docs/invite-only.md).
      if (patch.visibility !== undefined && patch.visibility !== sale.visibility && sale.status !== 'draft')
        throw new AppError(
          'NOT_DRAFT',
          `visibility: sale ${id} is ${sale.status}; only a draft's visibility can change`,
          { details: { field: 'visibility' } },
        );
      const v = saleValues(patch, sale.currency);
      checkPaddles(patch, { floor: sale.floorPaddles, online: sale.onlinePaddles });
      if (v.endsAt !== undefined && !endMayMove(sale.status, v.endsAt.getTime(), sale.endsAt ?? 0))
        throw new AppError('END_NOT_LATER', 'while a sale is open its end can only move later');
      const startsAt = v.startsAt?.getTime() ?? sale.startsAt;
      const endsAt = v.endsAt?.getTime() ?? sale.endsAt;
      if (endsAt !== undefined && endsAt <= startsAt)
        throw new AppError('BAD_TIMES', 'endsAt must be after startsAt', {
          details: { field: 'endsAt' },
        });
      const changed = await updateRow(tx, 'sales', id, {
        title: patch.title,
        starts_at: v.startsAt,
        ends_at: v.endsAt,
        timezone: patch.timezone,
        kyc_free_limit_minor: v.kycFreeLimit,
        cdd_threshold_minor: v.cddThreshold,
        premium_bands: v.premiumBands === undefined ? undefined : JSON.stringify(v.premiumBands),
        tax_rate_bp: patch.taxRateBp,
        tax_base: patch.taxBase,
        floor_paddle_from: patch.floorPaddles?.from,
        floor_paddle_to: patch.floorPaddles?.to,
        online_paddle_from: patch.onlinePaddles?.from,
        online_paddle_to: patch.onlinePaddles?.to,
        closing_soon_ms: patch.closingSoonSeconds === undefined ? undefined : patch.closingSoonSeconds * 1000,
        visibility: patch.visibility,
        confirm_bids: patch.confirmBids,
        confirm_bids_from_minor: v.confirmBidsFrom,
      });
      if (!changed) return;
      await audit(tx, { ...ctx, action: 'sale.update', entityType: 'sale', entityId: id, details: patch });
    });
    await sync.configureSale(id, { update: true });
    await sync.syncEligibility(id);
    return c.json({ sale: saleView((await loadSale(db, id))!) });
  });

  // Delete = cancel: the sale and its lots stay on record.
  app.delete('/sales/:id', async (c) => {
    const ctx = who(c);
    const id = c.req.param('id');
    const lots = await db.transaction(async (tx) => {
      const sale = await mustSale(tx, id, true);
      const cancel = saleCancel(sale.status);
      if (cancel === 'refused')
        throw new AppError('SALE_LOCKED', `sale ${id} is closed: it cannot be cancelled`);
      if (cancel === 'done') return [];
      await tx.query(`UPDATE sales SET status = 'cancelled', updated_at = now() WHERE id = $1`, [id]);
      const rows = await tx.query<{ id: string }>(
        `UPDATE lots SET status = 'cancelled', updated_at = now() WHERE sale_id = $1 AND finalised_at IS NULL RETURNING id`,
        [id],
      );
      await audit(tx, { ...ctx, action: 'sale.cancel', entityType: 'sale', entityId: id });
      await enqueue(tx, {
        topic: topics.sale(id),
        type: 'sale.cancelled',
        payload: { saleId: id } satisfies SaleEvent,
        dedupeKey: `sale:${id}:cancelled`,
        correlationId: ctx.correlationId,
      });
      return rows.map((r) => r.id);
    });
    for (const lotId of lots) await setEngineStatus(engine, lotId, 'cancelled');
    return c.json({ sale: saleView((await loadSale(db, id))!) });
  });

  // draft → scheduled: the lots go into the engine (absentee bids may be left on live lots from now).
  app.post('/sales/:id/publish', async (c) => {
    const ctx = who(c);
    const id = c.req.param('id');
    await db.transaction(async (tx) => {
      const sale = await mustSale(tx, id, true);
      if (!mayPublish(sale.status))
        throw new AppError('NOT_DRAFT', `sale ${id} is ${sale.status}; only a draft can be published`);
      const lots = await loadLots(tx, id);
      if (lots.length === 0) throw new AppError('NO_LOTS', 'add at least one lot before publishing');
      if (sale.mode === 'timed' && sale.endsAt === undefined && lots.some((l) => l.endsAt === undefined))
        throw new AppError('NO_END', 'a timed sale needs endsAt (on the sale or on every lot)');
      await tx.query(`UPDATE sales SET status = 'scheduled', updated_at = now() WHERE id = $1`, [id]);
      await audit(tx, { ...ctx, action: 'sale.publish', entityType: 'sale', entityId: id });
    });
    await sync.configureSale(id, { update: true });
    await sync.syncEligibility(id);
    return c.json({ sale: saleView((await loadSale(db, id))!) });
  });

  app.post('/sales/:id/terms', async (c) => {
    const body = z.strictObject({ body: z.string().trim().min(1).max(100_000) }).parse(await readJson(c));
    const ctx = who(c);
    const id = c.req.param('id');
    const version = await db.transaction(async (tx) => {
      const sale = await mustSale(tx, id, true);
      if (saleIsLocked(sale.status)) throw new AppError('SALE_LOCKED', `sale ${id} is ${sale.status}`);
      const v = sale.termsVersion + 1;
      await tx.query('INSERT INTO sale_terms (sale_id, version, body) VALUES ($1, $2, $3)', [
        id,
        v,
        body.body,
      ]);
      await tx.query('UPDATE sales SET terms_version = $2, updated_at = now() WHERE id = $1', [id, v]);
      await audit(tx, {
        ...ctx,
        action: 'sale.terms_publish',
        entityType: 'sale',
        entityId: id,
        details: { version: v },
      });
      return v;
    });
    // New terms: bidders who accepted an older version may not bid until they accept these.
    await sync.syncEligibility(id);
    return c.json({ saleId: id, version }, 201);
  });
}

/** The statuses `?status=` asks for (repeated, or comma-separated); undefined when it is absent. */
function statusFilter(values: string[] | undefined): SaleStatus[] | undefined {
  if (values === undefined) return undefined;
  const asked = values.flatMap((v) => v.split(','));
  const unknown = asked.find((v) => !(SALE_STATUSES as readonly string[]).includes(v));
  if (unknown !== undefined)
    throw new AppError(
      'VALIDATION_FAILED',
      `status: "${unknown}" is not a sale status; use one or more of ${SALE_STATUSES.join(', ')}`,
      { details: { field: 'status', value: unknown } },
    );
  return [...new Set(asked as SaleStatus[])];
}
