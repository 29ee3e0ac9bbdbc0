/**
 * Invitations to a sale (docs/invite-only.md): `POST /sales/{id}/invitations` `{ emails: [...] }`
 * invites (validated, deduplicated whatever the case, each mailed a link, audited with the admin),
 * `GET` lists them, `DELETE /sales/{id}/invitations/{invitationId}` revokes one.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import type { AppEnv } from '../../common/http-env.ts';
import { MAX_INVITEES, normaliseInvitees } from '../catalogue/invitations.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { mustSale } from './lookups.ts';

const inviteBody = z.strictObject({
  emails: z
    .array(z.unknown(), { error: 'emails is a list of addresses like ["ada@example.com"]' })
    .min(1, 'emails: give at least one address')
    .max(MAX_INVITEES, `emails: at most ${MAX_INVITEES} addresses at a time`),
});

export function invitationRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const service = () => {
    if (deps.invitations === undefined)
      throw new AppError('NOT_AVAILABLE', 'invitations are not configured here (email and PUBLIC_ORIGIN)');
    return deps.invitations;
  };

  app.post('/sales/:id/invitations', async (c) => {
    const body = inviteBody.parse(await readJson(c));
    const emails = normaliseInvitees(body.emails);
    const { actor, correlationId } = who(c);
    const result = await service().invite(c.req.param('id'), emails, actor, correlationId);
    return c.json(result, 201);
  });

  app.get('/sales/:id/invitations', async (c) => {
    const sale = await mustSale(deps.db, c.req.param('id'));
    return c.json({ invitations: await service().list(sale.id) });
  });

  app.delete('/sales/:id/invitations/:invitationId', async (c) => {
    const { actor, correlationId } = who(c);
    const invitation = await service().revoke(
      c.req.param('id'),
      c.req.param('invitationId'),
      actor,
      correlationId,
    );
    return c.json({ invitation });
  });
}
