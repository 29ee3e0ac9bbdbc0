/**
 * The back office's admin API (admin-role JWT): sales and lots, bidders, registrations, terms,
 * approval limits, blocks, due diligence, KYC checks, bid cancellation, results and the audit log.
 * Every change is validated (zod; money as decimal strings in the sale's currency), written with
 * its audit row in one transaction, and then pushed into the engine (set-up, eligibility) before
 * the response — so a revocation holds from the very next bid.
 */
import { Hono, type Context } from 'hono';
import { requestId } from 'hono/request-id';
import { z } from 'zod';
import { authenticate, requireRole, type AuthVariables, type User, type UserTokens } from '../common/auth.ts';
import { AppError, errorBody } from '../common/errors.ts';
import { readJson } from '../common/http-body.ts';
import { errorHandler } from '../common/http-errors.ts';
import type { Logger } from '../common/logger.ts';
import { formatAmount, isCurrency, parseAmount } from '../common/money.ts';
import type { Topics } from '../common/topics.ts';
import { bandsError, type AuctionStatus, type IncrementBand } from '../bidding/back-office.ts';
import type { Database, Queryable } from './db.ts';
import type { EngineSync, EnginePort } from './engine-sync.ts';
import {
  audit,
  enqueue,
  linkedPurchases,
  loadBidder,
  loadLot,
  loadLots,
  loadRegistration,
  loadSale,
  NOTIFY_CHANNELS,
  text,
  type Bidder,
  type Lot,
  type Sale,
} from './records.ts';
import { limitChangeError, nextPaddle, premiumBandsError, type PremiumBand } from './rules.ts';

/** KYC as the admin API needs it (implemented by orchestrator/kyc). */
export interface KycStarter {
  start(bidderId: string, actor: string, correlationId?: string): Promise<unknown>;
  retry(checkId: string, actor: string, correlationId?: string): Promise<unknown>;
  listChecks(bidderId: string): Promise<unknown[]>;
}

/** Bid cancellation with standing recompute (timed lots), provided by the recovery module. */
export interface BidCanceller {
  cancelBid(req: {
    lotId: string;
    seq: number;
    reason: string;
    actor: string;
    correlationId: string | undefined;
  }): Promise<Record<string, unknown>>;
}

export interface AdminApiDeps {
  db: Database;
  engine: EnginePort;
  sync: EngineSync;
  tokens: UserTokens;
  topics: Topics;
  logger: Logger;
  kyc?: KycStarter | undefined;
  cancel?: BidCanceller | undefined;
}

type Env = { Variables: AuthVariables & { requestId: string } };

const ID = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'ids are 1–64 letters, digits, ".", "_" or "-"');
const MONEY = z.string({ error: 'a decimal string like "250.00"' });
const TIME = z.iso.datetime({
  offset: true,
  error: 'an ISO 8601 date-time with offset, e.g. 2026-12-01T18:00:00Z',
});
const BP = z.number().int().min(0).max(10_000);

const premiumBandsIn = z
  .array(z.strictObject({ upTo: MONEY.nullable(), rateBp: BP }))
  .min(1)
  .max(10);
const saleFields = {
  title: z.string().trim().min(1).max(200),
  startsAt: TIME,
  endsAt: TIME.optional(),
  timezone: z.string().min(1).max(64).optional(),
  kycFreeLimit: MONEY.optional(),
  cddThreshold: MONEY.optional(),
  premiumBands: premiumBandsIn.optional(),
  taxRateBp: BP.optional(),
  taxBase: z.enum(['premium', 'hammer_and_premium']).optional(),
  floorPaddles: z.strictObject({ from: z.number().int().min(1), to: z.number().int().min(1) }).optional(),
  onlinePaddles: z.strictObject({ from: z.number().int().min(1), to: z.number().int().min(1) }).optional(),
  closingSoonSeconds: z.number().int().min(0).max(86_400).optional(),
};
const saleCreate = z.strictObject({
  id: ID,
  mode: z.enum(['timed', 'live']),
  currency: z.string().refine(isCurrency, 'an ISO 4217 currency code like "EUR"'),
  ...saleFields,
});
const salePatch = z.strictObject(saleFields).partial();

const incrementsIn = z
  .array(z.strictObject({ from: MONEY, step: MONEY }))
  .min(1)
  .max(50);
const lotFields = {
  lotNumber: z.number().int().min(1).max(1_000_000),
  title: z.string().trim().min(1).max(300),
  description: z.string().max(10_000).optional(),
  opening: MONEY,
  reserve: MONEY.optional(),
  estimateLow: MONEY.optional(),
  estimateHigh: MONEY.optional(),
  increments: incrementsIn,
  consignorId: ID.nullable().optional(),
  imageUrl: z.url().max(2_000).nullable().optional(),
  premiumBands: premiumBandsIn.nullable().optional(),
  startsAt: TIME.optional(),
  endsAt: TIME.optional(),
  graceMs: z.number().int().min(0).max(60_000).optional(),
  softCloseSeconds: z.number().int().min(0).max(3_600).optional(),
  softCloseCapSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .optional(),
};
const lotCreate = z.strictObject({ id: ID, ...lotFields });
const lotPatch = z.strictObject(lotFields).partial();

const bidderCreate = z.strictObject({
  id: ID,
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320).optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number like +447700900123')
    .optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code like "GB"')
    .optional(),
  notify: z
    .array(z.enum(NOTIFY_CHANNELS))
    .max(3)
    .refine((l) => new Set(l).size === l.length, 'each channel once')
    .optional(),
});
const bidderPatch = bidderCreate.omit({ id: true }).partial();

const registrationCreate = z.strictObject({
  bidderId: ID,
  channel: z.enum(['online', 'floor']).default('online'),
  limit: MONEY.optional(),
  approve: z.boolean().default(false),
});
const registrationPatch = z
  .strictObject({ status: z.enum(['approved', 'declined', 'revoked', 'pending']), limit: MONEY.nullable() })
  .partial();

/** The admin API; mount it at `/admin/v1`. */
export function adminApi(deps: AdminApiDeps): Hono<Env> {
  const { db, sync, topics } = deps;
  const app = new Hono<Env>();
  app.onError(errorHandler(deps.logger));
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404));
  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  // Tokens for the gateway's API (even an admin's) are refused here: the admin API has its own audience.
  if (deps.tokens.audience !== 'admin') throw new Error('the admin API verifies admin-audience tokens only');
  app.use('*', authenticate(deps.tokens));
  app.use('*', requireRole('admin'));

  const who = (c: Context<Env>): { actor: string; correlationId: string } => ({
    actor: `admin:${(c.get('user') as User).id}`,
    correlationId: c.get('requestId'),
  });

  // ---- sales ----------------------------------------------------------------------------
  app.get('/sales', async (c) => {
    const rows = await db.query('SELECT id FROM sales ORDER BY starts_at, id');
    const out = [];
    for (const r of rows) out.push(saleView((await loadSale(db, String(r.id)))!));
    return c.json({ sales: out });
  });

  app.post('/sales', async (c) => {
    const body = saleCreate.parse(await readJson(c));
    const ctx = who(c);
    const v = saleValues(body, body.currency);
    await db.transaction(async (tx) => {
      if ((await loadSale(tx, body.id)) !== undefined)
        throw new AppError(409, 'ALREADY_EXISTS', `sale ${body.id} exists; PATCH it instead`);
      await tx.query(
        `INSERT INTO sales (id, title, mode, currency, status, starts_at, ends_at, timezone, kyc_free_limit_minor,
                            cdd_threshold_minor, premium_bands, tax_rate_bp, tax_base, floor_paddle_from, floor_paddle_to,
                            online_paddle_from, online_paddle_to, closing_soon_ms)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
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
          body.floorPaddles?.from ?? 1,
          body.floorPaddles?.to ?? 999,
          body.onlinePaddles?.from ?? 1000,
          body.onlinePaddles?.to ?? 9999,
          (body.closingSoonSeconds ?? 300) * 1000,
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
      const keys = Object.keys(patch);
      if (sale.status === 'closed' || sale.status === 'cancelled')
        throw new AppError(409, 'SALE_LOCKED', `sale ${id} is ${sale.status}: nothing can change`);
      if (sale.status === 'open') {
        const allowed = new Set(['title', 'endsAt']);
        const refused = keys.filter((k) => !allowed.has(k));
        if (refused.length > 0)
          throw new AppError(
            409,
            'SALE_ACTIVE',
            `sale ${id} is open: only title and a later endsAt may change`,
            {
              details: { refused },
            },
          );
      }
      const v = saleValues(patch, sale.currency);
      if (sale.status === 'open' && v.endsAt !== undefined && v.endsAt.getTime() <= (sale.endsAt ?? 0))
        throw new AppError(409, 'END_NOT_LATER', 'while a sale is open its end can only move later');
      const startsAt = v.startsAt?.getTime() ?? sale.startsAt;
      const endsAt = v.endsAt?.getTime() ?? sale.endsAt;
      if (endsAt !== undefined && endsAt <= startsAt)
        throw new AppError(400, 'BAD_TIMES', 'endsAt must be after startsAt', {
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
      if (sale.status === 'closed')
        throw new AppError(409, 'SALE_LOCKED', `sale ${id} is closed: it cannot be cancelled`);
      if (sale.status === 'cancelled') return [];
      await tx.query(`UPDATE sales SET status = 'cancelled', updated_at = now() WHERE id = $1`, [id]);
      const rows = await tx.query<{ id: string }>(
        `UPDATE lots SET status = 'cancelled', updated_at = now() WHERE sale_id = $1 AND finalised_at IS NULL RETURNING id`,
        [id],
      );
      await audit(tx, { ...ctx, action: 'sale.cancel', entityType: 'sale', entityId: id });
      await enqueue(tx, {
        topic: topics.sale(id),
        type: 'sale.cancelled',
        payload: { saleId: id },
        dedupeKey: `sale:${id}:cancelled`,
        correlationId: ctx.correlationId,
      });
      return rows.map((r) => r.id);
    });
    for (const lotId of lots) await setEngineStatus(deps.engine, lotId, 'cancelled');
    return c.json({ sale: saleView((await loadSale(db, id))!) });
  });

  // draft → scheduled: the lots go into the engine (absentee bids may be left on live lots from now).
  app.post('/sales/:id/publish', async (c) => {
    const ctx = who(c);
    const id = c.req.param('id');
    await db.transaction(async (tx) => {
      const sale = await mustSale(tx, id, true);
      if (sale.status !== 'draft')
        throw new AppError(409, 'NOT_DRAFT', `sale ${id} is ${sale.status}; only a draft can be published`);
      const lots = await loadLots(tx, id);
      if (lots.length === 0) throw new AppError(409, 'NO_LOTS', 'add at least one lot before publishing');
      if (sale.mode === 'timed' && sale.endsAt === undefined && lots.some((l) => l.endsAt === undefined))
        throw new AppError(409, 'NO_END', 'a timed sale needs endsAt (on the sale or on every lot)');
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
      if (sale.status === 'closed' || sale.status === 'cancelled')
        throw new AppError(409, 'SALE_LOCKED', `sale ${id} is ${sale.status}`);
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

  // ---- lots -----------------------------------------------------------------------------
  app.post('/sales/:id/lots', async (c) => {
    const body = lotCreate.parse(await readJson(c));
    const ctx = who(c);
    const saleId = c.req.param('id');
    await db.transaction(async (tx) => {
      const sale = await mustSale(tx, saleId, true);
      if (sale.status !== 'draft' && sale.status !== 'scheduled')
        throw new AppError(
          409,
          'SALE_ACTIVE',
          `sale ${saleId} is ${sale.status}: lots are added before it opens`,
        );
      if ((await loadLot(tx, body.id)) !== undefined)
        throw new AppError(409, 'ALREADY_EXISTS', `lot ${body.id} exists; PATCH it instead`);
      const v = lotValues(body, sale.currency);
      await checkConsignor(tx, body.consignorId ?? undefined);
      await tx
        .query(
          `INSERT INTO lots (id, sale_id, lot_number, title, description, currency, opening_minor, reserve_minor,
                           estimate_low_minor, estimate_high_minor, increments, starts_at, ends_at, grace_ms,
                           soft_close_ms, soft_close_cap_ms, consignor_id, image_url, premium_bands)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
          [
            body.id,
            saleId,
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
          ],
        )
        .catch(uniqueLotNumber);
      await audit(tx, {
        ...ctx,
        action: 'lot.create',
        entityType: 'lot',
        entityId: body.id,
        details: { saleId, ...body },
      });
    });
    await sync.configureSale(saleId, { update: true });
    await sync.syncEligibility(saleId);
    return c.json({ lot: lotView((await loadLot(db, body.id))!) }, 201);
  });

  app.get('/lots/:id', async (c) => {
    const lot = await mustLot(db, c.req.param('id'));
    const snapshot = await deps.engine.snapshot(lot.id);
    const result = await db.query('SELECT * FROM lot_results WHERE lot_id = $1', [lot.id]);
    return c.json({
      lot: lotView(lot),
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
      const keys = Object.keys(patch);
      if (sale.status === 'closed' || sale.status === 'cancelled' || lot.finalisedAt !== undefined)
        throw new AppError(409, 'LOT_LOCKED', `lot ${id} is finished: nothing can change`);
      if (sale.status === 'open') {
        const allowed = new Set(['title', 'description', 'imageUrl', 'endsAt']);
        const refused = keys.filter((k) => !allowed.has(k));
        if (refused.length > 0)
          throw new AppError(
            409,
            'SALE_ACTIVE',
            `sale ${sale.id} is open: only title, description, imageUrl and a later endsAt may change`,
            {
              details: { refused },
            },
          );
      }
      const v = lotValues(patch, sale.currency);
      if (sale.status === 'open' && v.endsAt !== undefined) {
        const current = (await deps.engine.snapshot(id))?.endsAt ?? lot.endsAt ?? sale.endsAt ?? 0;
        if (v.endsAt.getTime() <= current)
          throw new AppError(409, 'END_NOT_LATER', 'while a sale is open a lot end can only move later');
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
      if (lot.finalisedAt !== undefined) throw new AppError(409, 'LOT_LOCKED', `lot ${id} is finished`);
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
        payload: { lotId: id, saleId: lot.saleId },
        dedupeKey: `lot:${id}:withdrawn`,
        correlationId: ctx.correlationId,
      });
    });
    await setEngineStatus(deps.engine, id, 'withdrawn');
    return c.json({ lot: lotView((await loadLot(db, id))!) });
  });

  app.post('/lots/:id/bids/:seq/cancel', async (c) => {
    const seq = Number(c.req.param('seq'));
    if (!Number.isSafeInteger(seq) || seq <= 0)
      throw new AppError(400, 'BAD_SEQ', 'seq must be a positive integer');
    const body = z.strictObject({ reason: z.string().trim().min(3).max(500) }).parse(await readJson(c));
    if (deps.cancel === undefined)
      throw new AppError(501, 'NOT_AVAILABLE', 'bid cancellation is not configured here');
    const ctx = who(c);
    const out = await deps.cancel.cancelBid({ lotId: c.req.param('id'), seq, reason: body.reason, ...ctx });
    return c.json(out);
  });

  // ---- bidders --------------------------------------------------------------------------
  app.post('/bidders', async (c) => {
    const body = bidderCreate.parse(await readJson(c));
    const ctx = who(c);
    await db.transaction(async (tx) => {
      if ((await loadBidder(tx, body.id)) !== undefined)
        throw new AppError(409, 'ALREADY_EXISTS', `bidder ${body.id} exists; PATCH it instead`);
      await tx
        .query(
          `INSERT INTO bidders (id, display_name, email, phone_e164, country, notify_channels)
           VALUES ($1, $2, $3, $4, $5, COALESCE($6::text[], '{email,sms}'))`,
          [
            body.id,
            body.name,
            body.email ?? null,
            body.phone ?? null,
            body.country ?? null,
            body.notify ?? null,
          ],
        )
        .catch(uniqueContact);
      await audit(tx, {
        ...ctx,
        action: 'bidder.create',
        entityType: 'bidder',
        entityId: body.id,
        details: body,
      });
    });
    // Contact details reach the directory the SMS/WhatsApp ingress reads.
    await sync.syncBidder(body.id);
    return c.json({ bidder: (await loadBidder(db, body.id))! }, 201);
  });

  app.get('/bidders/:id', async (c) => {
    const bidder = await mustBidder(db, c.req.param('id'));
    const regs = await db.query<{ sale_id: string; paddle: string | null; status: string; channel: string }>(
      'SELECT sale_id, paddle, status, channel FROM registrations WHERE bidder_id = $1 ORDER BY created_at',
      [bidder.id],
    );
    return c.json({
      bidder,
      registrations: regs.map((r) => ({
        saleId: r.sale_id,
        paddle: r.paddle,
        status: r.status,
        channel: r.channel,
      })),
    });
  });

  app.patch('/bidders/:id', async (c) => {
    const patch = bidderPatch.parse(await readJson(c));
    const ctx = who(c);
    const id = c.req.param('id');
    await db.transaction(async (tx) => {
      await mustBidder(tx, id);
      await tx
        .query(
          `UPDATE bidders SET display_name = COALESCE($2, display_name), email = COALESCE($3, email),
                  phone_e164 = COALESCE($4, phone_e164), country = COALESCE($5, country),
                  notify_channels = COALESCE($6::text[], notify_channels), updated_at = now() WHERE id = $1`,
          [
            id,
            patch.name ?? null,
            patch.email ?? null,
            patch.phone ?? null,
            patch.country ?? null,
            patch.notify ?? null,
          ],
        )
        .catch(uniqueContact);
      await audit(tx, {
        ...ctx,
        action: 'bidder.update',
        entityType: 'bidder',
        entityId: id,
        details: patch,
      });
    });
    await sync.syncBidder(id);
    return c.json({ bidder: (await loadBidder(db, id))! });
  });

  const bidderFlag = (
    path: string,
    action: string,
    apply: (tx: Queryable, id: string, body: { reason?: string | undefined }) => Promise<unknown>,
  ): void => {
    app.post(`/bidders/:id/${path}`, async (c) => {
      const body = z
        .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
        .parse(await readJsonOrEmpty(c));
      const ctx = who(c);
      const id = c.req.param('id');
      await db.transaction(async (tx) => {
        await mustBidder(tx, id);
        await apply(tx, id, body);
        await audit(tx, { ...ctx, action, entityType: 'bidder', entityId: id, details: body });
      });
      await sync.syncBidder(id);
      return c.json({ bidder: (await loadBidder(db, id))! });
    });
  };
  bidderFlag('block', 'bidder.block', (tx, id, b) =>
    tx.query('UPDATE bidders SET blocked = true, blocked_reason = $2, updated_at = now() WHERE id = $1', [
      id,
      b.reason ?? null,
    ]),
  );
  bidderFlag('unblock', 'bidder.unblock', (tx, id) =>
    tx.query('UPDATE bidders SET blocked = false, blocked_reason = NULL, updated_at = now() WHERE id = $1', [
      id,
    ]),
  );
  bidderFlag('cdd', 'bidder.cdd_verified', (tx, id) =>
    tx.query(
      `UPDATE bidders SET cdd_status = 'verified', cdd_checked_at = now(), updated_at = now() WHERE id = $1`,
      [id],
    ),
  );

  app.post('/bidders/:id/kyc', async (c) => {
    if (deps.kyc === undefined)
      throw new AppError(501, 'KYC_DISABLED', 'no KYC provider is configured (set KYC_PROVIDER_URL)');
    const id = c.req.param('id');
    await mustBidder(db, id);
    const ctx = who(c);
    const check = await deps.kyc.start(id, ctx.actor, ctx.correlationId);
    return c.json({ check }, 202);
  });

  app.get('/bidders/:id/kyc', async (c) => {
    if (deps.kyc === undefined)
      throw new AppError(501, 'KYC_DISABLED', 'no KYC provider is configured (set KYC_PROVIDER_URL)');
    const id = c.req.param('id');
    await mustBidder(db, id);
    return c.json({ checks: await deps.kyc.listChecks(id) });
  });

  // What a bidder was told, and how: each notification on their topic, with its delivery per channel.
  app.get('/bidders/:id/notifications', async (c) => {
    const id = c.req.param('id');
    await mustBidder(db, id);
    const events = await db.query<{
      id: string;
      type: string;
      payload: unknown;
      created_at: Date | string;
      published_at: Date | string | null;
      attempts: number;
      last_error: string | null;
    }>(
      `SELECT id, type, payload, created_at, published_at, attempts, last_error FROM outbox_events
        WHERE topic = $1 ORDER BY id DESC LIMIT 200`,
      [topics.bidder(id)],
    );
    const deliveries =
      events.length === 0
        ? []
        : await db.query<{
            notification_id: string;
            channel: string;
            recipient: string;
            provider_ref: string | null;
            error: string | null;
            delivered_at: Date | string;
            status: string | null;
            status_at: Date | string | null;
          }>(
            `SELECT notification_id, channel, recipient, provider_ref, error, delivered_at, status, status_at FROM notification_deliveries
              WHERE notification_id = ANY($1::bigint[]) ORDER BY channel`,
            [events.map((e) => e.id)],
          );
    const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());
    return c.json({
      notifications: events.map((e) => ({
        id: Number(e.id),
        type: e.type,
        payload: typeof e.payload === 'string' ? (JSON.parse(e.payload) as unknown) : e.payload,
        createdAt: iso(e.created_at),
        deliveredAt: iso(e.published_at),
        attempts: e.attempts,
        lastError: e.last_error,
        channels: deliveries
          .filter((d) => String(d.notification_id) === String(e.id))
          .map((d) => ({
            channel: d.channel,
            recipient: d.recipient,
            providerRef: d.provider_ref,
            error: d.error,
            at: iso(d.delivered_at),
            status: d.status,
            statusAt: iso(d.status_at),
          })),
      })),
    });
  });

  app.post('/kyc/checks/:checkId/retry', async (c) => {
    if (deps.kyc === undefined)
      throw new AppError(501, 'KYC_DISABLED', 'no KYC provider is configured (set KYC_PROVIDER_URL)');
    const ctx = who(c);
    return c.json({ check: await deps.kyc.retry(c.req.param('checkId'), ctx.actor, ctx.correlationId) }, 202);
  });

  // ---- registrations --------------------------------------------------------------------
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
      if (sale.status === 'closed' || sale.status === 'cancelled')
        throw new AppError(409, 'SALE_LOCKED', `sale ${saleId} is ${sale.status}`);
      const bidder = await mustBidder(tx, body.bidderId);
      if ((await loadRegistration(tx, saleId, bidder.id)) !== undefined)
        throw new AppError(
          409,
          'ALREADY_REGISTERED',
          `${bidder.id} is already registered for ${saleId}; PATCH the registration`,
        );
      const limit = body.limit === undefined ? undefined : parseAmount(body.limit, sale.currency, 'limit');
      if (limit !== undefined) {
        const problem = limitChangeError(limit, 0, bidder.cddVerified, sale.cddThreshold);
        if (problem !== undefined) throw new AppError(422, 'CDD_REQUIRED', problem);
      }
      const range = body.channel === 'floor' ? sale.floorPaddles : sale.onlinePaddles;
      const used = await tx.query<{ paddle: string }>(
        'SELECT paddle FROM registrations WHERE sale_id = $1 AND paddle IS NOT NULL',
        [saleId],
      );
      const p = nextPaddle(new Set(used.map((r) => Number(r.paddle))), range.from, range.to);
      if (p === undefined)
        throw new AppError(
          409,
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
      if (sale.status === 'cancelled') throw new AppError(409, 'SALE_LOCKED', `sale ${saleId} is cancelled`);
      const reg = await loadRegistration(tx, saleId, bidderId);
      if (reg === undefined)
        throw new AppError(404, 'NOT_REGISTERED', `${bidderId} is not registered for ${saleId}`);
      if (patch.limit !== undefined && patch.limit !== null) {
        const limit = parseAmount(patch.limit, sale.currency, 'limit');
        const bidder = (await loadBidder(tx, bidderId))!;
        const problem = limitChangeError(
          limit,
          await linkedPurchases(tx, saleId, bidderId),
          bidder.cddVerified,
          sale.cddThreshold,
        );
        if (problem !== undefined) throw new AppError(422, 'CDD_REQUIRED', problem);
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
          409,
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
        throw new AppError(404, 'NOT_REGISTERED', `${bidderId} is not registered for ${saleId}`);
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

  // ---- results and audit ----------------------------------------------------------------
  app.get('/sales/:id/results', async (c) => {
    const sale = await mustSale(db, c.req.param('id'));
    const rows = await db.query(
      `SELECT r.lot_id, l.lot_number, r.outcome, r.price_minor, w.bidder_id, w.paddle, w.premium_minor, w.tax_minor, w.total_minor
         FROM lot_results r JOIN lots l ON l.id = r.lot_id LEFT JOIN winners w ON w.lot_id = r.lot_id
        WHERE r.sale_id = $1 ORDER BY l.lot_number`,
      [sale.id],
    );
    const m = (v: unknown): string | null =>
      v === null || v === undefined ? null : formatAmount(Number(v), sale.currency);
    return c.json({
      saleId: sale.id,
      currency: sale.currency,
      results: rows.map((r) => ({
        lotId: r.lot_id,
        lotNumber: Number(r.lot_number),
        outcome: r.outcome,
        hammer: r.outcome === 'sold' ? m(r.price_minor) : null,
        buyer: r.bidder_id ?? (r.paddle === null ? null : `paddle:${text(r.paddle)}`),
        premium: m(r.premium_minor),
        tax: m(r.tax_minor),
        total: m(r.total_minor),
      })),
    });
  });

  app.get('/audit', async (c) => {
    const q = z
      .object({
        entityType: z.string().max(64).optional(),
        entityId: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      })
      .parse(c.req.query());
    const rows = await db.query(
      `SELECT id, at, actor, action, entity_type, entity_id, details, correlation_id FROM audit_log
        WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)
        ORDER BY id DESC LIMIT $3`,
      [q.entityType ?? null, q.entityId ?? null, q.limit],
    );
    return c.json({
      entries: rows.map((r) => ({
        id: Number(r.id),
        at: r.at instanceof Date ? r.at.toISOString() : r.at,
        actor: r.actor,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        details: r.details,
        correlationId: r.correlation_id,
      })),
    });
  });

  return app;
}

// ---- helpers -------------------------------------------------------------------------------

async function readJsonOrEmpty(c: Context): Promise<unknown> {
  const len = c.req.header('content-length');
  if (len === '0' || (len === undefined && c.req.header('transfer-encoding') === undefined)) return {};
  return readJson(c);
}

async function mustSale(q: Queryable, id: string, lock = false): Promise<Sale> {
  const sale = await loadSale(q, id, lock);
  if (sale === undefined) throw new AppError(404, 'UNKNOWN_SALE', `no sale ${id}`);
  return sale;
}

async function mustLot(q: Queryable, id: string, lock = false): Promise<Lot> {
  const lot = await loadLot(q, id, lock);
  if (lot === undefined) throw new AppError(404, 'UNKNOWN_LOT', `no lot ${id}`);
  return lot;
}

async function mustBidder(q: Queryable, id: string): Promise<Bidder> {
  const b = await loadBidder(q, id);
  if (b === undefined) throw new AppError(404, 'UNKNOWN_BIDDER', `no bidder ${id}`);
  return b;
}

async function checkConsignor(q: Queryable, id: string | undefined): Promise<void> {
  if (id !== undefined && (await loadBidder(q, id)) === undefined)
    throw new AppError(
      400,
      'UNKNOWN_CONSIGNOR',
      `consignorId ${id} is not a bidder; create the bidder first`,
      { details: { field: 'consignorId' } },
    );
}

/** A lost engine write is repaired by the reconcile loop; the API still answers. */
async function setEngineStatus(engine: EnginePort, lotId: string, status: AuctionStatus): Promise<void> {
  if ((await engine.snapshot(lotId)) !== undefined) await engine.setStatus(lotId, status);
}

function cddDefault(currency: string): number {
  // EUR 10,000.00 by default, in the sale's minor units (currencies without cents keep 10,000).
  return parseAmount('10000', currency, 'cddThreshold');
}

function saleValues(
  body: z.infer<typeof salePatch>,
  currency: string,
): {
  startsAt?: Date;
  endsAt?: Date;
  kycFreeLimit?: number;
  cddThreshold?: number;
  premiumBands?: PremiumBand[];
} {
  const out: ReturnType<typeof saleValues> = {};
  if (body.startsAt !== undefined) out.startsAt = new Date(body.startsAt);
  if (body.endsAt !== undefined) out.endsAt = new Date(body.endsAt);
  if (out.startsAt !== undefined && out.endsAt !== undefined && out.endsAt <= out.startsAt)
    throw new AppError(400, 'BAD_TIMES', 'endsAt must be after startsAt', { details: { field: 'endsAt' } });
  if (body.kycFreeLimit !== undefined)
    out.kycFreeLimit = parseAmount(body.kycFreeLimit, currency, 'kycFreeLimit');
  if (body.cddThreshold !== undefined) {
    out.cddThreshold = parseAmount(body.cddThreshold, currency, 'cddThreshold');
    if (out.cddThreshold === 0)
      throw new AppError(400, 'BAD_AMOUNT', 'cddThreshold must be above zero', {
        details: { field: 'cddThreshold' },
      });
  }
  if (body.premiumBands !== undefined) out.premiumBands = bands(body.premiumBands, currency);
  if (body.floorPaddles !== undefined && body.floorPaddles.to < body.floorPaddles.from)
    throw new AppError(400, 'BAD_PADDLES', 'floorPaddles.to must be at least floorPaddles.from');
  if (body.onlinePaddles !== undefined && body.onlinePaddles.to < body.onlinePaddles.from)
    throw new AppError(400, 'BAD_PADDLES', 'onlinePaddles.to must be at least onlinePaddles.from');
  return out;
}

function bands(input: { upTo: string | null; rateBp: number }[], currency: string): PremiumBand[] {
  const out = input.map((b, i) => ({
    upTo: b.upTo === null ? null : parseAmount(b.upTo, currency, `premiumBands.${i}.upTo`),
    rateBp: b.rateBp,
  }));
  const err = premiumBandsError(out);
  if (err !== undefined)
    throw new AppError(400, 'BAD_PREMIUM_BANDS', `premiumBands: ${err}`, {
      details: { field: 'premiumBands' },
    });
  return out;
}

function lotValues(
  body: z.infer<typeof lotPatch>,
  currency: string,
): {
  opening?: number;
  reserve?: number;
  estimateLow?: number;
  estimateHigh?: number;
  increments?: IncrementBand[];
  premiumBands?: PremiumBand[] | null;
  startsAt?: Date;
  endsAt?: Date;
} {
  const out: ReturnType<typeof lotValues> = {};
  if (body.opening !== undefined) {
    out.opening = parseAmount(body.opening, currency, 'opening');
    if (out.opening === 0)
      throw new AppError(400, 'BAD_AMOUNT', 'opening must be above zero', { details: { field: 'opening' } });
  }
  if (body.reserve !== undefined) out.reserve = parseAmount(body.reserve, currency, 'reserve');
  if (body.estimateLow !== undefined)
    out.estimateLow = parseAmount(body.estimateLow, currency, 'estimateLow');
  if (body.estimateHigh !== undefined)
    out.estimateHigh = parseAmount(body.estimateHigh, currency, 'estimateHigh');
  if (out.estimateLow !== undefined && out.estimateHigh !== undefined && out.estimateHigh < out.estimateLow)
    throw new AppError(400, 'BAD_ESTIMATE', 'estimateHigh must be at least estimateLow', {
      details: { field: 'estimateHigh' },
    });
  if (body.increments !== undefined) {
    out.increments = body.increments.map((b, i) => ({
      from: parseAmount(b.from, currency, `increments.${i}.from`),
      step: parseAmount(b.step, currency, `increments.${i}.step`),
    }));
    const err = bandsError(out.increments);
    if (err !== undefined)
      throw new AppError(400, 'BAD_INCREMENTS', `increments: ${err}`, { details: { field: 'increments' } });
  }
  if (body.premiumBands !== undefined)
    out.premiumBands = body.premiumBands === null ? null : bands(body.premiumBands, currency);
  if (body.startsAt !== undefined) out.startsAt = new Date(body.startsAt);
  if (body.endsAt !== undefined) out.endsAt = new Date(body.endsAt);
  return out;
}

/** `UPDATE <table> SET …` for the columns given (undefined ones left out); false when nothing was given. */
async function updateRow(
  q: Queryable,
  table: 'sales' | 'lots',
  id: string,
  columns: Record<string, unknown>,
): Promise<boolean> {
  const entries = Object.entries(columns).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return false;
  const sets = entries.map(([column], i) => `${column} = $${i + 2}`);
  await q.query(`UPDATE ${table} SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
    id,
    ...entries.map(([, v]) => v),
  ]);
  return true;
}

/** A unique violation on (sale_id, lot_number) is the caller's mistake, not a server fault. */
function uniqueLotNumber(err: unknown): never {
  if (isUniqueViolation(err))
    throw new AppError(409, 'LOT_NUMBER_TAKEN', 'another lot of this sale has that lotNumber');
  throw err;
}

function uniqueContact(err: unknown): never {
  if (isUniqueViolation(err))
    throw new AppError(409, 'CONTACT_TAKEN', 'another bidder has that email or phone');
  throw err;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

export function saleView(s: Sale): Record<string, unknown> {
  const m = (v: number): string => formatAmount(v, s.currency);
  return {
    id: s.id,
    title: s.title,
    mode: s.mode,
    currency: s.currency,
    status: s.status,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    timezone: s.timezone,
    termsVersion: s.termsVersion,
    kycFreeLimit: m(s.kycFreeLimit),
    cddThreshold: m(s.cddThreshold),
    premiumBands: s.premiumBands.map((b) => ({ upTo: b.upTo === null ? null : m(b.upTo), rateBp: b.rateBp })),
    taxRateBp: s.taxRateBp,
    taxBase: s.taxBase,
    floorPaddles: s.floorPaddles,
    onlinePaddles: s.onlinePaddles,
    closingSoonSeconds: s.closingSoonMs / 1000,
  };
}

/** The lot as the admin sees it — the reserve included (it is confidential to bidders, not to the house). */
export function lotView(l: Lot): Record<string, unknown> {
  const m = (v: number | undefined): string | null => (v === undefined ? null : formatAmount(v, l.currency));
  return {
    id: l.id,
    saleId: l.saleId,
    lotNumber: l.lotNumber,
    title: l.title,
    description: l.description,
    currency: l.currency,
    opening: m(l.opening),
    reserve: m(l.reserve),
    estimateLow: m(l.estimateLow),
    estimateHigh: m(l.estimateHigh),
    increments: l.increments.map((b) => ({ from: m(b.from), step: m(b.step) })),
    status: l.status,
    startsAt: iso(l.startsAt),
    endsAt: iso(l.endsAt),
    softCloseSeconds: l.softCloseMs / 1000,
    consignorId: l.consignorId ?? null,
    imageUrl: l.imageUrl ?? null,
    finalised: l.finalisedAt !== undefined,
  };
}

async function registrationView(
  q: Queryable,
  saleId: string,
  bidderId: string,
): Promise<Record<string, unknown>> {
  const r = (await loadRegistration(q, saleId, bidderId))!;
  return {
    ...r,
    limit: r.limit === undefined ? null : formatAmount(r.limit, r.currency),
    termsAcceptedAt: iso(r.termsAcceptedAt),
  };
}
