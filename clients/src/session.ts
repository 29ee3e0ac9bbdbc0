import { api, ApiError, loadSession, saveSession, type Session, type SessionUser } from './api.ts';
import { endCookieSession, keepFresh, tokenExpired, tokenFromCookie } from './cookie-session.ts';
import { byId, h, setText, show } from './dom.ts';
import { endsSession } from './stale.ts';
import { t } from './i18n/page.ts';
import {
  demoUsersResponseSchema,
  hubTokenResponseSchema,
  signInResponseSchema,
  type HubTokenResponse,
} from '../../common/contracts/index.ts';

/** A JWT's payload without verifying it: only to show who a pasted token signs in as (the gateway verifies). */
function userOfToken(token: string): SessionUser | undefined {
  const part = token.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      sub?: string;
      role?: SessionUser['role'];
      name?: string;
    };
    if (json.sub === undefined || json.role === undefined) return undefined;
    return { id: json.sub, role: json.role, name: json.name ?? json.sub };
  } catch {
    return undefined;
  }
}

/**
 * The sign-in panel (#sign-in): a "Demo" button per demo user of the wanted roles when the demo is
 * seeded (and this machine may use it), and a field to paste a token otherwise. Resolves once signed in.
 */
export async function signIn(storageKey: string, roles: SessionUser['role'][]): Promise<Session> {
  const held = loadSession(storageKey);
  const save = (s: Session): void => saveSession(storageKey, s);
  if (held !== undefined && roles.includes(held.user.role) && !tokenExpired(held.token)) {
    keepFresh(held, save);
    return held;
  }
  // Signed in by email link: the cookie session is exchanged for a short bearer token (docs/accounts.md).
  const fromCookie = await tokenFromCookie();
  if (fromCookie !== undefined && roles.includes(fromCookie.user.role)) {
    save(fromCookie);
    keepFresh(fromCookie, save);
    return fromCookie;
  }
  const panel = byId('sign-in');
  const list = byId('demo-users');
  const error = byId('sign-in-error');
  show(panel, true);
  return new Promise<Session>((resolve) => {
    const done = (session: Session): void => {
      saveSession(storageKey, session);
      show(panel, false);
      resolve(session);
    };
    void api('/v1/demo/users', demoUsersResponseSchema)
      .then(({ users }) => {
        show(byId('demo-note'), users.length > 0);
        for (const u of users.filter((x) => roles.includes(x.role))) {
          const button = h(
            'button',
            { type: 'button', class: 'big demo', 'data-user': u.id },
            t('demo.signInAs', { name: u.name }),
          );
          button.addEventListener('click', () => {
            api('/v1/demo/sign-in', signInResponseSchema, { method: 'POST', body: { user: u.id } }).then(
              done,
              (err: unknown) => setText(error, err instanceof ApiError ? err.message : t('demo.failed')),
            );
          });
          list.append(button);
        }
      })
      .catch(() => setText(list, t('demo.none')));
    byId<HTMLFormElement>('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = byId<HTMLInputElement>('token-input').value.trim();
      const user = userOfToken(token);
      if (user === undefined || !roles.includes(user.role))
        setText(error, t('demo.wrongToken', { roles: roles.join(' / ') }));
      else done({ token, user });
    });
  });
}

export function signOut(storageKey: string): void {
  saveSession(storageKey, undefined);
  void endCookieSession().finally(() => location.reload());
}

/**
 * Gets a hub subscriber token (the gateway also sets it as the `mercureAuthorization` cookie when
 * the hub shares its origin), and renews it before it expires: EventSource reconnects read the
 * cookie afresh, so a renewed cookie keeps a long session subscribed.
 */
export async function hubAccess(
  session: Session,
  /** Called once, and renewal stops, when the gateway refuses the session itself (401). */
  onEnded?: () => void,
): Promise<{ hub: HubTokenResponse; token: () => string }> {
  let current = await api('/v1/hub-token', hubTokenResponseSchema, { method: 'POST', token: session.token });
  const renew = (): void => {
    const ttl = Date.parse(current.expiresAt) - Date.now();
    setTimeout(
      () => {
        api('/v1/hub-token', hubTokenResponseSchema, { method: 'POST', token: session.token }).then(
          (next) => {
            current = next;
            renew();
          },
          (err: unknown) => {
            if (err instanceof ApiError && endsSession(err.status, err.code)) onEnded?.();
            else setTimeout(renew, 10_000);
          },
        );
      },
      Math.max(5_000, ttl * 0.8),
    );
  };
  renew();
  return { hub: current, token: () => current.token };
}

/**
 * Asks for a fresh hub token (which also renews the hub's cookie); true when the gateway refuses the
 * session itself (401: expired or revoked), false when it answered or could not be reached.
 */
export async function hubTokenRefused(token: string): Promise<boolean> {
  try {
    await api('/v1/hub-token', hubTokenResponseSchema, { method: 'POST', token });
    return false;
  } catch (err) {
    return err instanceof ApiError && endsSession(err.status, err.code);
  }
}
