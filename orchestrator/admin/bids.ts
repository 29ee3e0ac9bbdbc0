/**
 * Bid cancellation by the house (`POST /lots/:id/bids/:seq/cancel`): the canceller recomputes the
 * standing (timed lots) and records why.
 */
import type { Hono } from 'hono';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { decimalParam } from './lookups.ts';
import { cancelBody } from './schemas.ts';

export function bidRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { cancel } = deps;
  app.post('/lots/:id/bids/:seq/cancel', async (c) => {
    const seq = decimalParam(c.req.param('seq'), 'seq', { code: 'BAD_SEQ' });
    const body = cancelBody.parse(await readJson(c));
    if (cancel === undefined) throw new AppError('NOT_AVAILABLE', 'bid cancellation is not configured here');
    const ctx = who(c);
    const out = await cancel.cancelBid({ lotId: c.req.param('id'), seq, reason: body.reason, ...ctx });
    return c.json(out);
  });
}
