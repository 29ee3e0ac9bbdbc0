import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { mintMercureToken, type JwtAlg, type SigningKey } from '../../common/mercure.ts';
import type { Topics } from '../../common/topics.ts';
import type { User } from '../../common/auth.ts';
import { isStaff, viewerOf, type Catalogue } from '../../common/catalogue.ts';
import type { HubTokenResponse } from '../../common/contracts/index.ts';
import type { AppEnv } from '../../common/http-env.ts';

export type HubCookie = false | { secure: boolean };

/**
 * Whether the hub cookie is set, and how: when the hub's public URL is on `publicOrigin` (the
 * embedded hub always is, under the gateway's own origin), `Secure` when that origin is https.
 */
export function hubCookieFor(hubUrl: string, publicOrigin: string | undefined, embedded: boolean): HubCookie {
  const hub = new URL(hubUrl);
  if (embedded || (publicOrigin !== undefined && hub.origin === new URL(publicOrigin).origin))
    return {
      secure:
        hub.protocol === 'https:' ||
        (publicOrigin !== undefined && new URL(publicOrigin).protocol === 'https:'),
    };
  return false;
}

export interface HubTokenDeps {
  topics: Topics;
  hubUrl: string;
  subscriberKey: SigningKey;
  subscriberAlg: JwtAlg;
  ttlSeconds: number;
  /**
   * Set the `mercureAuthorization` cookie — when the hub shares the gateway's public origin (the
   * pages' EventSource then sends it; a header it cannot send, and a token in the URL would land in
   * logs); `secure` behind TLS. False: a hub on another origin, whose pages get the token instead.
   */
  cookie: HubCookie;
  /** Which invite-only sales a bidder may follow (their topics are private updates). */
  catalogue: Catalogue;
}

/**
 * What a caller may read privately. Public sales' updates are public: every subscriber gets them
 * without any selector. An invite-only sale's updates are private (docs/invite-only.md), so: staff
 * get every auction and sale topic (the floor console listens there) and the staff-only sale topics
 * (missed-bid warnings); a bidder gets the topics of
 * the invite-only sales they are invited to (`invitedSales`), and their own bidder topic — only a
 * bidder, and only their own: private notices there carry the bidder's confidential maximum
 * (`leading`, `max_raised`), which no one else sees, staff included; anonymous callers get nothing.
 * Never `*`: that would also cover every bidder's topic and the hub's subscription events.
 */
export function readableTopics(
  topics: Topics,
  user: User | undefined,
  invitedSales: readonly string[] = [],
): string[] {
  if (isStaff(user)) return [topics.allAuctions(), topics.allSales(), topics.allStaffSales()];
  if (user?.role !== 'bidder') return [];
  return [...invitedSales.map((id) => topics.sale(id)), topics.bidder(user.id)];
}

/** POST /v1/hub-token: a short-lived hub subscriber token limited to the topics the caller may read. */
export function hubTokenRoutes(deps: HubTokenDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/', async (c) => {
    const user = c.get('user');
    const invited =
      user?.role === 'bidder'
        ? (await deps.catalogue.sales(viewerOf(user)))
            .filter((s) => s.visibility === 'invite_only')
            .map((s) => s.id)
        : [];
    const subscribe = readableTopics(deps.topics, user, invited);
    const token = await mintMercureToken(
      { subscribe, ...(user === undefined ? {} : { payload: { user: user.id, role: user.role } }) },
      {
        key: deps.subscriberKey,
        alg: deps.subscriberAlg,
        ttlSeconds: deps.ttlSeconds,
        ...(user === undefined ? {} : { subject: user.id }),
      },
    );
    if (deps.cookie !== false) {
      setCookie(c, 'mercureAuthorization', token, {
        path: '/.well-known/mercure',
        httpOnly: true,
        sameSite: 'Strict',
        secure: deps.cookie.secure,
        maxAge: deps.ttlSeconds,
      });
    }
    c.header('Cache-Control', 'no-store');
    return c.json({
      token,
      hubUrl: deps.hubUrl,
      subscribe,
      expiresAt: new Date(Date.now() + deps.ttlSeconds * 1000).toISOString(),
      privateTopic: user?.role === 'bidder' ? deps.topics.bidder(user.id) : null,
    } satisfies HubTokenResponse);
  });
  return app;
}
