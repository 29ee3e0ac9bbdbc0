/**
 * The invitation landing's back-office half over HTTP (`/invitations/v1/…`), for a gateway in
 * another process (docs/invite-only.md). Callers authenticate with the shared
 * `ACCOUNTS_SERVICE_TOKEN`; people never reach these routes (link tokens travel in their bodies).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import type { InvitationsPort } from '../../common/invitations.ts';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const describeBody = z.strictObject({ token: z.string().max(200) });
const acceptBody = z.strictObject({ token: z.string().max(200), name: z.string().max(200).optional() });

export function invitationsRoutes(invitations: InvitationsPort, serviceToken: string): Hono {
  const app = new Hono();
  const want = digest(serviceToken);
  app.use('*', async (c, next) => {
    const m = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (m === null || !timingSafeEqual(digest(m[1]!), want))
      throw new AppError('UNAUTHENTICATED', 'the invitations API takes the ACCOUNTS_SERVICE_TOKEN');
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.post('/describe', async (c) => {
    const { token } = describeBody.parse(await readJson(c));
    return c.json(await invitations.describe(token));
  });
  app.post('/accept', async (c) => {
    const { token, name } = acceptBody.parse(await readJson(c));
    return c.json(await invitations.accept(token, name));
  });
  return app;
}
