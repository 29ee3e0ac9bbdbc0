/**
 * The invitation landing (docs/invite-only.md): `GET /invite/<token>` shows the sale the invitation
 * is for and one button (with a name field when the address has no account yet); `POST` accepts it
 * once in the back office, which answers a one-time sign-in link's token for the invitee's account;
 * this route consumes it at once (the invitation link proved the mailbox, as a sign-in link does),
 * sets the session cookie and sends the bidder to the sale (`/bid?sale=<id>`).
 */
import { Hono, type Context } from 'hono';
import type { AccountsPort } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import { readBodyText } from '../../common/http-body.ts';
import type { InvitationsPort } from '../../common/invitations.ts';
import { langHeaders, langOf } from '../i18n.ts';
import { writeSessionCookie } from './cookie.ts';
import { sameOrigin } from './csrf.ts';
import { invitationInvalidPage, invitationPage } from './invite-pages.ts';

export interface InviteRoutesDeps {
  invitations?: InvitationsPort | Promise<InvitationsPort | undefined> | undefined;
  accounts: AccountsPort | Promise<AccountsPort | undefined> | undefined;
  /** PUBLIC_ORIGIN: the only origin whose form posts are taken. */
  publicOrigin: string;
}

/** A token as handed out: base64url of 32 bytes. Anything else is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function inviteRoutes(deps: InviteRoutesDeps): Hono {
  const app = new Hono();
  const secure = new URL(deps.publicOrigin).protocol === 'https:';
  const ports = async (): Promise<{ invitations: InvitationsPort; accounts: AccountsPort }> => {
    const [invitations, accounts] = await Promise.all([deps.invitations, deps.accounts]);
    if (invitations === undefined || accounts === undefined)
      throw new AppError('ACCOUNTS_UNAVAILABLE', 'invitations need the back office (GAVEL_LEDGER)');
    return { invitations, accounts };
  };
  /** The URL holds the token: never cached, never sent on as a referrer, no script, no framing. */
  const pageHeaders = (c: Context): void => {
    c.header('Cache-Control', 'no-store');
    langHeaders(c, langOf(c));
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
  };

  app.get('/invite/:token', async (c) => {
    pageHeaders(c);
    const token = c.req.param('token');
    const { invitations } = await ports();
    const landing = TOKEN.test(token) ? await invitations.describe(token) : { state: 'unknown' as const };
    if (landing.state !== 'valid') return c.html(invitationInvalidPage(landing.state, langOf(c)), 404);
    return c.html(invitationPage({ token, ...landing, lang: langOf(c) }));
  });

  app.post('/invite/:token', async (c) => {
    pageHeaders(c);
    // A site cannot make a visitor accept an invitation (and be signed in to that account).
    if (
      !sameOrigin(
        { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') },
        deps.publicOrigin,
      )
    )
      throw new AppError('CSRF_FAILED', `accept the invitation from ${new URL(deps.publicOrigin).origin}`);
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the form as application/x-www-form-urlencoded');
    const name = new URLSearchParams(await readBodyText(c)).get('name') ?? undefined;
    const token = c.req.param('token');
    const { invitations, accounts } = await ports();
    if (!TOKEN.test(token)) return c.html(invitationInvalidPage('unknown', langOf(c)), 404);
    try {
      const accepted = await invitations.accept(token, name);
      const opened = await accounts.consumeLink(accepted.signInToken, c.req.header('user-agent'));
      writeSessionCookie(c, secure, opened.secret, new Date(opened.expiresAt));
      const to =
        opened.account.kind === 'bidder' ? `/bid?sale=${encodeURIComponent(accepted.saleId)}` : '/floor';
      return c.redirect(to, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'INVITATION_INVALID') {
        const landing = await invitations.describe(token);
        return c.html(
          invitationInvalidPage(landing.state === 'valid' ? 'unknown' : landing.state, langOf(c)),
          400,
        );
      }
      if (err.code === 'VALIDATION_FAILED') {
        const landing = await invitations.describe(token);
        if (landing.state === 'valid')
          return c.html(
            invitationPage({ token, ...landing, error: err.message.replace(/^name: /, ''), lang: langOf(c) }),
            400,
          );
      }
      throw err;
    }
  });
  return app;
}
