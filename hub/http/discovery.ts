import type { MiddlewareHandler } from 'hono';
import { mercureLink } from '../../common/mercure.ts';

/**
 * Hono middleware for resources that have live updates: adds `Link: <hub>; rel="mercure"` so
 * clients discover the hub. A handler can set `c.set('mercureLastEventId', id)` to add the
 * `last-event-id` the client should subscribe from (snapshot, then exactly the deltas after it).
 */
export type MercureDiscoveryVariables = { mercureLastEventId?: string };

export function mercureDiscovery(
  hubUrl: string,
): MiddlewareHandler<{ Variables: MercureDiscoveryVariables }> {
  return async function mercureDiscoveryMiddleware(c, next) {
    await next();
    c.res.headers.append('Link', mercureLink(hubUrl, c.get('mercureLastEventId')));
  };
}
