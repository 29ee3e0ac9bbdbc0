/**
 * Passkeys at the gateway: the JSON the page script (clients/src/passkey-page.ts) drives.
 * - sign-in: POST /v1/session/passkey/options, then POST /v1/session/passkey with the authenticator's
 *   answer; the session opens as an email link's does (the cookie; the code step for staff with TOTP);
 * - the signed-in person's passkeys: list, add (options, then the answer), remove (JSON or the
 *   /account page's form). rpID and origin are PUBLIC_ORIGIN's; the back office keeps the challenges.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { readJson } from '../../common/http-body.ts';
import { writeSessionCookie } from './cookie.ts';
import { landingFor, type SessionKit } from './kit.ts';

const id = z.string({ error: 'challengeId is required' }).min(1).max(200);
const webauthn = z.record(z.string(), z.unknown(), {
  error: 'response must be the WebAuthn credential JSON',
});
const signInBody = z.strictObject({
  challengeId: id,
  response: webauthn,
  /** `/sign-in?next=`: where to land (landingFor keeps only a same-origin path). */
  next: z.string().max(2048).optional(),
});
const addBody = z.strictObject({
  challengeId: id,
  response: webauthn,
  name: z.string({ error: 'name is required' }).max(200),
});

export function passkeyRoutes(kit: SessionKit): Hono {
  const app = new Hono();
  const { port } = kit;

  // --- sign-in (no session yet: from our origin only) ---
  app.post('/v1/session/passkey/options', async (c) => {
    kit.fromOurOrigin(c);
    c.header('Cache-Control', 'no-store');
    return c.json(await (await port()).passkeySignInOptions(kit.rp));
  });
  app.post('/v1/session/passkey', async (c) => {
    kit.fromOurOrigin(c);
    c.header('Cache-Control', 'no-store');
    const { challengeId, response, next } = signInBody.parse(await readJson(c));
    const opened = await (
      await port()
    ).signInWithPasskey(challengeId, response, kit.rp, c.req.header('user-agent'));
    writeSessionCookie(c, kit.secure, opened.secret, new Date(opened.expiresAt));
    return c.json({ redirect: landingFor(opened, next), pendingFactor: opened.pendingFactor ?? null });
  });

  // --- the signed-in person's passkeys ---
  app.get('/v1/session/passkeys', async (c) => {
    const s = await kit.current(c);
    if (s === undefined) throw new AppError('UNAUTHENTICATED', 'no session: sign in at /sign-in');
    c.header('Cache-Control', 'no-store');
    return c.json({ passkeys: await (await port()).passkeys(s.session.account.id) });
  });
  app.post('/v1/session/passkeys/options', async (c) => {
    const s = await kit.signedIn(c, c.req.header('x-csrf-token'));
    c.header('Cache-Control', 'no-store');
    return c.json(await (await port()).passkeyRegistrationOptions(s.session.account.id, kit.rp));
  });
  app.post('/v1/session/passkeys', async (c) => {
    const s = await kit.signedIn(c, c.req.header('x-csrf-token'));
    const { challengeId, response, name } = addBody.parse(await readJson(c));
    const added = await (await port()).addPasskey(s.session.account.id, challengeId, response, name, kit.rp);
    return c.json(added, 201);
  });
  app.post('/v1/session/passkeys/:id/remove', async (c) => {
    const s = await kit.signedIn(c, c.req.header('x-csrf-token'));
    await (await port()).removePasskey(s.session.account.id, c.req.param('id'));
    return c.body(null, 204);
  });
  app.post('/account/passkeys/remove', async (c) => {
    const form = await kit.readForm(c);
    const s = await kit.signedIn(c, form.get('csrf') ?? undefined);
    await (await port()).removePasskey(s.session.account.id, form.get('id') ?? '');
    return c.redirect('/account?notice=passkey-removed', 303);
  });
  return app;
}
