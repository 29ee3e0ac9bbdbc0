/**
 * Lots: add to a sale (before it opens), read with the engine's view and the result, edit (what may
 * change depends on the sale's status, `rules/sale-status.ts`) and withdraw (DELETE).
 */
import type { Hono } from 'hono';
import type { LotWithdrawnEvent } from '../../common/contracts/index.ts';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import { formatAmount } from '../../common/money.ts';
import type { Queryable } from '../ledger/db.ts';
import { audit, enqueue, loadLot, loadSale, type Sale } from '../ledger/records.ts';
import { endMayMove, lotEdit, mayAddLots } from '../rules/sale-status.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { checkConsignor, mustLot, mustSale, setEngineStatus, updateRow, uniqueLotNumber } from './lookups.ts';
import { lotCreate, lotPatch, type LotCreate } from './schemas.ts';
import { adminImageView, loadLotImages } from '../media/lot-images.ts';
import { lotValues } from './values.ts';
import { lotView } from './views.ts';

export function lotRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db, engine, sync, topics } = deps;
  app.post('/sales/:id/lots', async (c) => {
    const body = lotCreate.parse(await readJson(c));
    const ctx = who(c);
    const saleId = c.req.param('id');
    await db.transaction(async (tx) => {
      const sale = await mustSale(tx, saleId, true);
      if (!mayAddLots(sale.status))
        throw new AppError('SALE_ACTIVE', `sale ${saleId} is ${sale.status}: lots are added before it opens`);
      await createLot(tx, sale, body, ctx);
    });
    await sync.configureSale(saleId, { update: true });
    await sync.syncEligibility(saleId);
    return c.json({ lot: lotView((await loadLot(db, body.id))!) }, 201);
  });

  app.get('/lots/:id', async (c) => {
    const lot = await mustLot(db, c.req.param('id'));
    const snapshot = await engine.snapshot(lot.id);
    const result = await db.query('SELECT * FROM lot_results WHERE lot_id = $1', [lot.id]);
    return c.json({
      lot: lotView(lot),
      images: (await loadLotImages(db, lot.id)).map(adminImageView),
      engine:
        snapshot === undefined
          ? null
          : {
              status: snapshot.status,
              price: formatAmount(snapshot.price, lot.currency),
              bidCount: snapshot.bidCount,
              endsAt: new Date(snapshot.endsAt).toISOString(),
              lastSeq: snapshot.lastSeq,
            },
      result:
        result[0] === undefined
          ? null
          : {
              outcome: result[0].outcome,
              price: formatAmount(Number(result[0].price_minor), lot.currency),
              leaderId: result[0].leader_id,
            },
    });
  });

  app.patch('/lots/:id', async (c) => {
    const patch = lotPatch.parse(await readJson(c));
    const ctx = who(c);
    const id = c.req.param('id');
    const saleId = await db.transaction(async (tx) => {
      const lot = await mustLot(tx, id, true);
      const sale = (await loadSale(tx, lot.saleId, true))!;
      const verdict = lotEdit(sale.status, lot.finalisedAt !== undefined, Object.keys(patch));
      if (!verdict.ok && verdict.locked)
        throw new AppError('LOT_LOCKED', `lot ${id} is finished: nothing can change`);
      if (!verdict.ok)
        throw new AppError(
          'SALE_ACTIVE',
          `sale ${sale.id} is open: only title, description, imageUrl, conditionReport and a later endsAt may change`,
          {
            details: { refused: verdict.refused },
          },
        );
      const v = lotValues(patch, sale.currency);
      if (sale.status === 'open' && v.endsAt !== undefined) {
        const current = (await engine.snapshot(id))?.endsAt ?? lot.endsAt ?? sale.endsAt ?? 0;
        if (!endMayMove(sale.status, v.endsAt.getTime(), current))
          throw new AppError('END_NOT_LATER', 'while a sale is open a lot end can only move later');
      }
      if (patch.consignorId !== undefined) await checkConsignor(tx, patch.consignorId ?? undefined);
      const changed = await updateRow(tx, 'lots', id, {
        lot_number: patch.lotNumber,
        title: patch.title,
        description: patch.description,
        opening_minor: v.opening,
        reserve_minor: v.reserve,
        estimate_low_minor: v.estimateLow,
        estimate_high_minor: v.estimateHigh,
        increments: v.increments === undefined ? undefined : JSON.stringify(v.increments),
        consignor_id: patch.consignorId,
        image_url: patch.imageUrl,
        condition_report: patch.conditionReport,
        premium_bands:
          v.premiumBands === undefined
            ? undefined
            : v.premiumBands === null
              ? null
              : JSON.stringify(v.premiumBands),
        starts_at: v.startsAt,
        ends_at: v.endsAt,
        grace_ms: patch.graceMs,
        soft_close_ms: patch.softCloseSeconds === undefined ? undefined : patch.softCloseSeconds * 1000,
        soft_close_cap_ms:
          patch.softCloseCapSeconds === undefined ? undefined : patch.softCloseCapSeconds * 1000,
      }).catch(uniqueLotNumber);
      if (changed)
        await audit(tx, { ...ctx, action: 'lot.update', entityType: 'lot', entityId: id, details: patch });
      return sale.id;
    });
    await sync.configureSale(saleId, { update: true });
    await sync.syncEligibility(saleId);
    return c.json({ lot: lotView((await loadLot(db, id))!) });
  });

  // Delete = withdraw: the lot stays on record; bidding on it stops at once.
  app.delete('/lots/:id', async (c) => {
    const ctx = who(c);
    const id = c.req.param('id');
    await db.transaction(async (tx) => {
      const lot = await mustLot(tx, id, true);
      if (lot.finalisedAt !== undefined) throw new AppError('LOT_LOCKED', `lot ${id} is finished`);
      await tx.query(
        `UPDATE lots SET status = 'withdrawn', finalised_at = now(), updated_at = now() WHERE id = $1`,
        [id],
      );
      await tx.query(
        `INSERT INTO lot_results (lot_id, sale_id, outcome, price_minor, last_seq) VALUES ($1, $2, 'withdrawn', 0, 0)
         ON CONFLICT (lot_id) DO NOTHING`,
        [id, lot.saleId],
      );
      await audit(tx, { ...ctx, action: 'lot.withdraw', entityType: 'lot', entityId: id });
      await enqueue(tx, {
        topic: topics.sale(lot.saleId),
        type: 'lot.withdrawn',
        payload: { lotId: id, saleId: lot.saleId } satisfies LotWithdrawnEvent,
        dedupeKey: `lot:${id}:withdrawn`,
        correlationId: ctx.correlationId,
      });
    });
    await setEngineStatus(engine, id, 'withdrawn');
    return c.json({ lot: lotView((await loadLot(db, id))!) });
  });
}

/**
 * Adds one lot to `sale` in the caller's transaction, with its audit row: the rules every new lot
 * meets (id free, amounts in the sale's currency, bands, consignor known, lot number free), whether
 * it comes from `POST /sales/:id/lots` or a row of a CSV import. The caller checks the sale's status.
 */
export async function createLot(
  tx: Queryable,
  sale: Sale,
  body: LotCreate,
  ctx: { actor: string; correlationId: string | undefined },
): Promise<void> {
  if ((await loadLot(tx, body.id)) !== undefined)
    throw new AppError('ALREADY_EXISTS', `lot ${body.id} exists; PATCH it instead`, {
      details: { field: 'id' },
    });
  const v = lotValues(body, sale.currency);
  await checkConsignor(tx, body.consignorId ?? undefined);
  await tx
    .query(
      `INSERT INTO lots (id, sale_id, lot_number, title, description, currency, opening_minor, reserve_minor,
                       estimate_low_minor, estimate_high_minor, increments, starts_at, ends_at, grace_ms,
                       soft_close_ms, soft_close_cap_ms, consignor_id, image_url, premium_bands, condition_report)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
      [
        body.id,
        sale.id,
        body.lotNumber,
        body.title,
        body.description ?? '',
        sale.currency,
        v.opening,
        v.reserve ?? 0,
        v.estimateLow ?? null,
        v.estimateHigh ?? null,
        JSON.stringify(v.increments),
        v.startsAt ?? null,
        v.endsAt ?? null,
        body.graceMs ?? 2000,
        (body.softCloseSeconds ?? (sale.mode === 'timed' ? 120 : 0)) * 1000,
        (body.softCloseCapSeconds ?? 0) * 1000,
        body.consignorId ?? null,
        body.imageUrl ?? null,
        v.premiumBands === undefined || v.premiumBands === null ? null : JSON.stringify(v.premiumBands),
        body.conditionReport ?? null,
      ],
    )
    .catch(uniqueLotNumber);
  await audit(tx, {
    ...ctx,
    action: 'lot.create',
    entityType: 'lot',
    entityId: body.id,
    details: { saleId: sale.id, ...body },
  });
}
