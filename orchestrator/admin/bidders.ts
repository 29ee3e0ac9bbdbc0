/**
 * Bidders: create, read (with their registrations), edit contact details, and the flags the house
 * sets (block, unblock, customer due diligence verified). Each change reaches the engine and the
 * directory of texted bids before the response.
 */
import type { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import type { Queryable } from '../ledger/db.ts';
import { audit, loadBidder } from '../ledger/records.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { decimalParam, mustBidder, readJsonOrEmpty, uniqueContact } from './lookups.ts';
import { bidderCreate, bidderFlagBody, bidderPatch } from './schemas.ts';

export function bidderRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db, sync } = deps;
  // `?q=`: a part of the id, name, email or phone (any case); no q: the newest bidders. At most `limit` (1–200, default 50).
  app.get('/bidders', async (c) => {
    const q = (c.req.query('q') ?? '').trim();
    if (q.length > 200)
      throw new AppError('VALIDATION_FAILED', 'q: at most 200 characters', { details: { field: 'q' } });
    const raw = c.req.query('limit');
    const limit = raw === undefined || raw === '' ? 50 : decimalParam(raw, 'limit', { max: 200 });
    // LIKE's own wildcards in what was typed are matched literally.
    const pattern = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const rows = await db.query<{ id: string }>(
      `SELECT id FROM bidders
        WHERE $1 = '' OR id ILIKE $2 OR display_name ILIKE $2 OR email ILIKE $2 OR phone_e164 ILIKE $2
        ORDER BY created_at DESC, id LIMIT $3`,
      [q, pattern, limit],
    );
    const bidders = [];
    for (const r of rows) bidders.push((await loadBidder(db, r.id))!);
    return c.json({ bidders });
  });

  app.post('/bidders', async (c) => {
    const body = bidderCreate.parse(await readJson(c));
    const ctx = who(c);
    await db.transaction(async (tx) => {
      if ((await loadBidder(tx, body.id)) !== undefined)
        throw new AppError('ALREADY_EXISTS', `bidder ${body.id} exists; PATCH it instead`);
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
      const body = bidderFlagBody.parse(await readJsonOrEmpty(c));
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
}
