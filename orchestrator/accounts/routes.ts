/**
 * The accounts service over HTTP (`/accounts/v1/…`), for a gateway in another process. Callers
 * authenticate with the shared `ACCOUNTS_SERVICE_TOKEN`; the gateway is the only caller, people
 * never reach these routes (they carry session secrets and link tokens in their bodies).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Account, AccountsPort, StaffRole } from '../../common/accounts.ts';
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
const id = z.string().min(1).max(200);
const rp = z.strictObject({
  rpId: z.string().min(1).max(253),
  rpName: z.string().min(1).max(100),
  origin: z.url(),
});
// The browser's WebAuthn answer: checked field by field by the service (passkeys.ts).
const webauthn = z.record(z.string(), z.unknown());
const registerBody = z.strictObject({
  accountId: id,
  challengeId: id,
  response: webauthn,
  name: z.string().max(200),
  rp,
});
const passkeySignInBody = z.strictObject({
  challengeId: id,
  response: webauthn,
  rp,
  userAgent: z.string().max(1000).optional(),
});
const codeBody = z.strictObject({ code: z.string().max(100) });
const secondFactorBody = z.strictObject({ secret: z.string().max(200), code: z.string().max(100) });
const inviteBody = z.strictObject({
  actorId: id,
  invitation: z.strictObject({
    email: z.string().max(254),
    name: z.string().max(200),
    roles: z.array(z.string().max(40)).max(10),
  }),
  origin: z.url(),
});
const rolesBody = z.strictObject({ actorId: id, roles: z.array(z.string().max(40)).max(10) });
const statusBody = z.strictObject({ actorId: id, status: z.string().max(20) });

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
  // --- passkeys ---
  app.post('/passkeys/registration-options', async (c) => {
    const b = z.strictObject({ accountId: id, rp }).parse(await readJson(c));
    return c.json(await accounts.passkeyRegistrationOptions(b.accountId, b.rp));
  });
  app.post('/passkeys', async (c) => {
    const b = registerBody.parse(await readJson(c));
    return c.json(await accounts.addPasskey(b.accountId, b.challengeId, b.response, b.name, b.rp), 201);
  });
  app.get('/accounts/:id/passkeys', async (c) =>
    c.json({ passkeys: await accounts.passkeys(c.req.param('id')) }),
  );
  app.post('/accounts/:id/passkeys/:passkey/remove', async (c) => {
    await accounts.removePasskey(c.req.param('id'), c.req.param('passkey'));
    return c.body(null, 204);
  });
  app.post('/passkeys/sign-in-options', async (c) => {
    const b = z.strictObject({ rp }).parse(await readJson(c));
    return c.json(await accounts.passkeySignInOptions(b.rp));
  });
  app.post('/passkeys/sign-in', async (c) => {
    const b = passkeySignInBody.parse(await readJson(c));
    return c.json(await accounts.signInWithPasskey(b.challengeId, b.response, b.rp, b.userAgent));
  });

  // --- the staff's second factor ---
  app.get('/accounts/:id/totp', async (c) => c.json(await accounts.totpStatus(c.req.param('id'))));
  app.post('/accounts/:id/totp/begin', async (c) => c.json(await accounts.beginTotp(c.req.param('id'))));
  app.post('/accounts/:id/totp/confirm', async (c) => {
    const { code } = codeBody.parse(await readJson(c));
    return c.json(await accounts.confirmTotp(c.req.param('id'), code));
  });
  app.post('/accounts/:id/totp/remove', async (c) => {
    const { code } = codeBody.parse(await readJson(c));
    await accounts.removeTotp(c.req.param('id'), code);
    return c.body(null, 204);
  });
  app.post('/sessions/pending', async (c) => {
    const { secret } = secretBody.parse(await readJson(c));
    return c.json({ pending: (await accounts.pendingSession(secret)) ?? null });
  });
  app.post('/sessions/second-factor', async (c) => {
    const { secret, code } = secondFactorBody.parse(await readJson(c));
    return c.json(await accounts.completeSecondFactor(secret, code));
  });

  // --- staff administration ---
  app.get('/staff', async (c) =>
    c.json({ staff: await accounts.listStaff(id.parse(c.req.query('actorId'))) }),
  );
  app.post('/staff/invitations', async (c) => {
    const b = inviteBody.parse(await readJson(c));
    const roles = b.invitation.roles as StaffRole[]; // checked by the service (normaliseRoles)
    return c.json(await accounts.inviteStaff(b.actorId, { ...b.invitation, roles }, b.origin), 201);
  });
  app.post('/staff/:id/roles', async (c) => {
    const b = rolesBody.parse(await readJson(c));
    return c.json(await accounts.setStaffRoles(b.actorId, c.req.param('id'), b.roles as StaffRole[]));
  });
  app.post('/staff/:id/status', async (c) => {
    const b = statusBody.parse(await readJson(c));
    return c.json(await accounts.setStaffStatus(b.actorId, c.req.param('id'), b.status as Account['status']));
  });
  return app;
}
