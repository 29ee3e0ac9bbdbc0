/**
 * The invitation landing in process (`app.request()`), over fake back-office ports: what the page
 * shows for each state of a link, its headers, the origin check, and accepting (cookie, redirect).
 */
import { describe, expect, it } from 'vitest';
import type { AccountsPort, OpenedSession } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import type { AcceptedInvitation, InvitationLanding, InvitationsPort } from '../../common/invitations.ts';
import { Hono } from 'hono';
import { errorHandler } from '../../common/http-errors.ts';
import { createLogger } from '../../common/logger.ts';
import { inviteRoutes, type InviteRoutesDeps } from './invite.ts';

/** The routes as the gateway mounts them: its error handler maps AppErrors to their status. */
function landing(deps: InviteRoutesDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(createLogger('invite-test', 'silent')));
  app.route('/', inviteRoutes(deps));
  return app;
}

const ORIGIN = 'http://gavel.test';
const LIVE = 'a'.repeat(43);
const USED = 'b'.repeat(43);

function fakes(): { invitations: InvitationsPort; accounts: AccountsPort; accepted: string[] } {
  const accepted: string[] = [];
  const invitations: InvitationsPort = {
    describe: (token): Promise<InvitationLanding> =>
      Promise.resolve(
        token === LIVE && accepted.length === 0
          ? {
              state: 'valid',
              saleId: 'club',
              saleTitle: 'Night <Sale>',
              email: 'ada@example.com',
              hasAccount: false,
            }
          : token === LIVE || token === USED
            ? { state: 'accepted' }
            : { state: 'unknown' },
      ),
    accept: (token, name): Promise<AcceptedInvitation> => {
      if (token !== LIVE || accepted.length > 0)
        return Promise.reject(new AppError('INVITATION_INVALID', 'used'));
      if (name === undefined || name.trim() === '')
        return Promise.reject(new AppError('VALIDATION_FAILED', 'name: your name is needed'));
      accepted.push(name);
      return Promise.resolve({ saleId: 'club', signInToken: 'c'.repeat(43) });
    },
  };
  const session: OpenedSession = {
    secret: 'session-secret',
    ref: 'ses_1',
    account: {
      id: 'acc_1',
      kind: 'bidder',
      email: 'ada@example.com',
      name: 'Ada',
      roles: [],
      status: 'active',
    },
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  };
  const accounts = {
    consumeLink: (token: string) =>
      token === 'c'.repeat(43)
        ? Promise.resolve(session)
        : Promise.reject(new AppError('LINK_INVALID', 'no')),
  } as unknown as AccountsPort;
  return { invitations, accounts, accepted };
}

const form = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: {
    'Content-Type': 'application/x-www-form-urlencoded',
    Origin: ORIGIN,
    'Sec-Fetch-Site': 'same-origin',
    ...headers,
  },
  body,
});

describe('the invitation landing', () => {
  it('shows a live link’s sale (escaped) with a name field, never cached nor sent on as a referrer', async () => {
    const app = landing({ ...fakes(), publicOrigin: ORIGIN });
    const res = await app.request(`/invite/${LIVE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('Night &lt;Sale&gt;');
    expect(html).toContain('id="invite-name"');
    expect(html).toContain(`action="/invite/${LIVE}"`);
  });

  it('speaks French to a French browser or a lang=fr cookie, English otherwise', async () => {
    const app = landing({ ...fakes(), publicOrigin: ORIGIN });
    const en = await app.request(`/invite/${LIVE}`, { headers: { 'Accept-Language': 'de, en;q=0.5' } });
    const enHtml = await en.text();
    expect(enHtml).toContain('<html lang="en">');
    expect(enHtml).toContain('Accept the invitation');
    expect(en.headers.get('content-language')).toBe('en');
    expect(en.headers.get('vary')).toContain('Accept-Language');
    const fr = await app.request(`/invite/${LIVE}`, { headers: { 'Accept-Language': 'fr-CA,fr;q=0.9' } });
    const frHtml = await fr.text();
    expect(fr.headers.get('content-language')).toBe('fr');
    expect(frHtml).toContain('<html lang="fr">');
    expect(frHtml).toContain('Accepter l’invitation');
    expect(frHtml).toContain('Night &lt;Sale&gt;');
    expect(frHtml).not.toContain('Accept the invitation');
    // The email address stays escaped inside the French sentence.
    expect(frHtml).toMatch(/en tant que <strong>[^<]+<\/strong>\./);
    const used = await app.request(`/invite/${USED}`, { headers: { Cookie: 'lang=fr' } });
    expect(used.status).toBe(404);
    const usedHtml = await used.text();
    expect(usedHtml).toContain('<html lang="fr">');
    expect(usedHtml).toContain('Déjà acceptée');
  });

  it('says nothing of the sale for an unknown, malformed or used link', async () => {
    const app = landing({ ...fakes(), publicOrigin: ORIGIN });
    for (const [token, heading] of [
      ['z'.repeat(43), 'Link not valid'],
      ['short', 'Link not valid'],
      [USED, 'Already accepted'],
    ] as const) {
      const res = await app.request(`/invite/${token}`);
      expect(res.status, token).toBe(404);
      const html = await res.text();
      expect(html).toContain(heading);
      expect(html).not.toContain('Night');
    }
  });

  it('refuses a post from another site, and a post without a name re-asks for it', async () => {
    const f = fakes();
    const app = landing({ ...f, publicOrigin: ORIGIN });
    const cross = await app.request(
      `/invite/${LIVE}`,
      form('name=Eve', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }),
    );
    expect(cross.status).toBe(403);
    expect(f.accepted).toEqual([]);
    const nameless = await app.request(`/invite/${LIVE}`, form('name='));
    expect(nameless.status).toBe(400);
    expect(await nameless.text()).toContain('your name is needed');
    expect(nameless.headers.get('set-cookie')).toBeNull();
  });

  it('accepts once: the session cookie, then the sale; the link is used up after', async () => {
    const f = fakes();
    const app = landing({ ...f, publicOrigin: ORIGIN });
    const res = await app.request(`/invite/${LIVE}`, form('name=Ada+Lovelace'));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/bid?sale=club');
    expect(res.headers.get('set-cookie')).toMatch(/^gavel_session=session-secret;.*HttpOnly/);
    expect(f.accepted).toEqual(['Ada Lovelace']);
    const again = await app.request(`/invite/${LIVE}`, form('name=Ada'));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('Already accepted');
  });
});
