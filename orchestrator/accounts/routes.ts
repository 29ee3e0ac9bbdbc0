/**
 * The accounts service over HTTP (`/accounts/v1/…`), for a gateway in another process. Callers
 * authenticate with the shared `ACCOUNTS_SERVICE_TOKEN`; the gateway is the only caller, people
 * never reach these routes (they carry session secrets and link tokens in their bodies).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AccountsPort } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

const linkBody = z.strictObject({
  email: z.string().max(254),
  name: z.string().max(100).optional(),
  origin: z.url(),
});
const consumeBody = z.strictObject({
  token: z.string().max(200),
  userAgent: z.string().max(1000).optional(),
});
const secretBody = z.strictObject({ secret: z.string().max(200) });
const revokeBody = z.strictObject({ adminId: z.string().min(1).max(200) });

export function accountsRoutes(accounts: AccountsPort, serviceToken: string): Hono {
  const app = new Hono();
  const want = digest(serviceToken);
  app.use('*', async (c, next) => {
    const m = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (m === null || !timingSafeEqual(digest(m[1]!), want))
      throw new AppError('UNAUTHENTICATED', 'the accounts API takes the ACCOUNTS_SERVICE_TOKEN');
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.post('/links', async (c) => {
    await accounts.requestLink(linkBody.parse(await readJson(c)));
    return c.body(null, 204);
  });
  app.post('/links/consume', async (c) => {
    const { token, userAgent } = consumeBody.parse(await readJson(c));
    return c.json(await accounts.consumeLink(token, userAgent));
  });
  app.post('/sessions/resolve', async (c) => {
    const { secret } = secretBody.parse(await readJson(c));
    return c.json({ session: (await accounts.resolve(secret)) ?? null });
  });
  app.post('/sessions/sign-out', async (c) => {
    await accounts.signOut(secretBody.parse(await readJson(c)).secret);
    return c.body(null, 204);
  });
  app.post('/sessions/:ref/revoke', async (c) => {
    const { adminId } = revokeBody.parse(await readJson(c));
    await accounts.revokeStaffSession(adminId, c.req.param('ref'));
    return c.body(null, 204);
  });
  app.post('/accounts/:id/sign-out-everywhere', async (c) =>
    c.json({ revoked: await accounts.signOutEverywhere(c.req.param('id')) }),
  );
  app.get('/accounts/:id/sessions', async (c) =>
    c.json({ sessions: await accounts.sessions(c.req.param('id')) }),
  );
  return app;
}
