import { z } from 'zod';
import { AppError } from '../../../common/errors.ts';
import { isInProgress, type FloorActionResponse } from '../../../common/contracts/index.ts';
import { readJsonOrEmpty } from '../../middleware/body.ts';
import { idempotencyKey } from '../../middleware/idempotency-key.ts';
import { actionInfo, floorLot, floorLotOfResult, withOnlinePaddle } from './lot-view.ts';
import { answer, lotId, metaOf, type FloorApp, type FloorRoutesDeps } from './context.ts';

export function nextLotRoute(app: FloorApp, deps: FloorRoutesDeps): void {
  const { engine } = deps;

  /**
   * The next lot: `superseded` to this lot (closes its undo window), then `open` to the next —
   * two store calls, not atomic across the two lots. That is acceptable because one auctioneer
   * drives one sale, from one console that waits for this answer: nobody else acts on either lot
   * in between. Both calls carry the request's Idempotency-Key (keys are per lot), so a retry
   * replays whichever already happened and completes the other. This lot is superseded first, so
   * a key already used on it refuses the request before anything changes; if the next lot then
   * refuses to open (not scheduled any more), this lot's undo window has closed anyway — the
   * auctioneer was moving on.
   */
  app.post('/next', async (c) => {
    const auctionId = lotId(c);
    const key = idempotencyKey(c, 'action');
    const body = z
      .strictObject({ nextAuctionId: z.string({ error: 'nextAuctionId is required' }).min(1).max(200) })
      .parse(await readJsonOrEmpty(c));
    const nextId = body.nextAuctionId;
    if (nextId === auctionId)
      throw new AppError('SAME_LOT', 'nextAuctionId names this lot; give the lot that follows it');
    const meta = await metaOf(engine, auctionId);
    const nextMeta = await metaOf(engine, nextId);
    if (meta.mode !== 'live' || nextMeta.mode !== 'live')
      throw new AppError('NOT_LIVE', 'both lots must be live lots: a timed auction has no floor');
    if (nextMeta.saleId !== meta.saleId)
      throw new AppError(
        'DIFFERENT_SALE',
        `lot "${nextId}" is in sale "${nextMeta.saleId}", not in this lot's sale "${meta.saleId}"`,
      );
    const current = (await engine.snapshot(auctionId))?.snapshot;
    // Still being sold (taking bids or on hold): the next lot may not open until this one is finished.
    if (current !== undefined && isInProgress(current.status))
      throw new AppError(
        'LOT_IN_PROGRESS',
        `this lot is still ${current.status}; hammer, pass or withdraw it before opening the next`,
        { details: { lot: floorLot(deps.masks, current) } },
      );
    const correlationId = c.get('requestId');
    const prev = await engine.floorAction({
      action: 'superseded',
      auctionId,
      idempotencyKey: key,
      correlationId,
    });
    if (prev.outcome !== 'accepted' || prev.status === undefined) return answer(deps, c, prev, meta);
    const opened = await engine.floorAction({
      action: 'open',
      auctionId: nextId,
      idempotencyKey: key,
      correlationId,
    });
    if (opened.outcome !== 'accepted' || opened.status === undefined)
      return answer(deps, c, opened, nextMeta, `the next lot "${nextId}" did not open: `);
    if (opened.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(
      {
        action: actionInfo(opened),
        lot: await withOnlinePaddle(
          deps.catalogue,
          floorLotOfResult(deps.masks, opened, opened.status, nextMeta),
        ),
        previous: { action: actionInfo(prev), lot: floorLotOfResult(deps.masks, prev, prev.status, meta) },
      } satisfies FloorActionResponse & { previous: FloorActionResponse },
      200,
    );
  });
}
