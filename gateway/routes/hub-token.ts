import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { mintMercureToken, type JwtAlg, type SigningKey } from '../../common/mercure.ts';
import type { Topics } from '../../common/topics.ts';
import type { User } from '../../common/auth.ts';
import type { HubTokenResponse } from '../../common/contracts/index.ts';
import type { AppEnv } from '../../common/http-env.ts';

export interface HubTokenDeps {
  topics: Topics;
  hubUrl: string;
  subscriberKey: SigningKey;
  subscriberAlg: JwtAlg;
  ttlSeconds: number;
  /** Set the `mercureAuthorization` cookie (when hub and gateway share an origin). */
  cookie: boolean;
}

/**
 * What a caller may read privately. Everyone gets the auction and sale topics (the floor console and
 * the bidder's page listen there); a bidder also gets their own bidder topic — and only a bidder, and
 * only their own: private notices there carry the bidder's confidential maximum (`leading`,
 * `max_raised`), which no one else sees, staff included. Never `*`: that would also cover every
 * bidder's topic and the hub's subscription events.
 */
export function readableTopics(topics: Topics, user: User | undefined): string[] {
  const list = [topics.allAuctions(), topics.allSales()];
  if (user?.role === 'bidder') list.push(topics.bidder(user.id));
  return list;
}

/** POST /v1/hub-token: a short-lived hub subscriber token limited to the topics the caller may read. */
export function hubTokenRoutes(deps: HubTokenDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/', async (c) => {
    const user = c.get('user');
    const subscribe = readableTopics(deps.topics, user);
    const token = await mintMercureToken(
      { subscribe, ...(user === undefined ? {} : { payload: { user: user.id, role: user.role } }) },
      {
        key: deps.subscriberKey,
        alg: deps.subscriberAlg,
        ttlSeconds: deps.ttlSeconds,
        ...(user === undefined ? {} : { subject: user.id }),
      },
    );
    if (deps.cookie) {
      setCookie(c, 'mercureAuthorization', token, {
        path: '/.well-known/mercure',
        httpOnly: true,
        sameSite: 'Strict',
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
