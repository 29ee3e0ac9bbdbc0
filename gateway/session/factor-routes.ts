/**
 * The staff's authenticator app (TOTP) at the gateway: the set-up forms on /account, and the
 * sign-in's code step (/sign-in/code) for a session that waits for its second factor. Plain forms,
 * each with the session's CSRF token; the back office checks the codes and rate-limits wrong ones.
 */
import { Hono, type Context } from 'hono';
import { toString as qrSvg } from 'qrcode';
import type { Account } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import { problemPage, codePage, recoveryCodesPage, totpSetupPage } from './account-pages.ts';
import { readSessionCookie } from './cookie.ts';
import { csrfTokenFor, csrfTokenMatches } from './csrf.ts';
import type { SessionKit } from './kit.ts';

/** A refusal a person can act on (a wrong code, too many): shown on the page, with its status. */
const shown = (err: unknown): err is AppError =>
  err instanceof AppError &&
  ['TOTP_INVALID', 'RATE_LIMITED', 'VALIDATION_FAILED', 'TOTP_NOT_ENROLLED', 'ALREADY_EXISTS'].includes(
    err.code,
  );

const landing = (account: Account): string => (account.kind === 'bidder' ? '/bid' : '/floor');

export function factorRoutes(kit: SessionKit): Hono {
  const app = new Hono();
  const { port, pageHeaders } = kit;

  /** The cookie's session that waits for its code, or undefined. */
  const pending = async (c: Context): Promise<{ secret: string; account: Account } | undefined> => {
    const secret = readSessionCookie(c, kit.secure);
    if (secret === undefined) return undefined;
    const p = await (await port()).pendingSession(secret);
    return p === undefined ? undefined : { secret, account: p.account };
  };

  app.get('/sign-in/code', async (c) => {
    pageHeaders(c);
    const p = await pending(c);
    if (p === undefined) return c.redirect('/sign-in', 303);
    return c.html(codePage({ name: p.account.name, csrf: csrfTokenFor(p.secret) }));
  });
  app.post('/sign-in/code', async (c) => {
    kit.fromOurOrigin(c);
    pageHeaders(c);
    const form = await kit.readForm(c);
    const p = await pending(c);
    if (p === undefined) return c.redirect('/sign-in', 303);
    if (!csrfTokenMatches(form.get('csrf') ?? undefined, p.secret))
      throw new AppError('CSRF_FAILED', "send the session's CSRF token");
    try {
      const done = await (await port()).completeSecondFactor(p.secret, form.get('code') ?? '');
      return c.redirect(landing(done.account), 303);
    } catch (err) {
      if (!shown(err)) throw err;
      return c.html(
        codePage({ name: p.account.name, csrf: csrfTokenFor(p.secret), error: err.message }),
        err.status as 400,
      );
    }
  });

  /** A staff member's own account, from a form with the session's CSRF token. */
  const staffForm = async (c: Context) => {
    const form = await kit.readForm(c);
    const s = await kit.signedIn(c, form.get('csrf') ?? undefined);
    pageHeaders(c);
    return { form, s, csrf: csrfTokenFor(s.secret) };
  };

  app.post('/account/totp', async (c) => {
    const { s, csrf } = await staffForm(c);
    try {
      const { uri, secret } = await (await port()).beginTotp(s.session.account.id);
      return c.html(totpSetupPage({ csrf, uri, secret, qr: await qrSvg(uri, { type: 'svg', margin: 1 }) }));
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return c.html(problemPage('Authenticator app', err.message, '/account'), err.status as 400);
    }
  });
  app.post('/account/totp/confirm', async (c) => {
    const { form, s, csrf } = await staffForm(c);
    try {
      const { recoveryCodes } = await (
        await port()
      ).confirmTotp(s.session.account.id, form.get('code') ?? '');
      return c.html(recoveryCodesPage(recoveryCodes));
    } catch (err) {
      if (!shown(err)) throw err;
      // The page again, with the same set-up (the URI came back in the form; only the stored secret is checked).
      const uri = form.get('uri') ?? '';
      const secret = /[?&]secret=([A-Z2-7]+)/.exec(uri)?.[1] ?? '';
      if (!uri.startsWith('otpauth://totp/') || secret === '')
        return c.html(problemPage('Authenticator app', err.message, '/account'), err.status as 400);
      return c.html(
        totpSetupPage({
          csrf,
          uri,
          secret,
          qr: await qrSvg(uri, { type: 'svg', margin: 1 }),
          error: err.message,
        }),
        err.status as 400,
      );
    }
  });
  app.post('/account/totp/remove', async (c) => {
    const { form, s } = await staffForm(c);
    try {
      await (await port()).removeTotp(s.session.account.id, form.get('code') ?? '');
    } catch (err) {
      if (!shown(err)) throw err;
      return c.html(problemPage('Authenticator app', err.message, '/account'), err.status as 400);
    }
    return c.redirect('/account?notice=totp-removed', 303);
  });
  return app;
}
