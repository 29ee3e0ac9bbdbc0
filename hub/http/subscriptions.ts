import type { Context } from 'hono';
import type { AppError } from '../../common/errors.ts';
import { SUBSCRIPTIONS_PATH, type MercureClaim } from '../../common/mercure.ts';
import { findToken } from '../core/auth.ts';
import { HubRefusal } from '../core/refusal.ts';
import { subscriptionResource } from '../core/subscriptions.ts';
import { matchAny } from '../core/topic-selector.ts';
import { corsHeaders } from './cors.ts';
import { refuse, refusalOrThrow, type HubHttpDeps } from './request.ts';

/**
 * The subscription API (`GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]`): the
 * active subscriptions as JSON-LD, of every hub instance the transport knows. Needs a subscriber
 * JWT whose `mercure.subscribe` covers the requested URL; a refusal is thrown as a HubRefusal.
 */
export function subscriptionsRoute(deps: HubHttpDeps): (c: Context) => Promise<Response> {
  const { config, hub } = deps;
  return async (c) => {
    const cors = corsHeaders(c.req.header('origin'), config.corsOrigins);
    const fail = (r: AppError): never => {
      throw refuse(deps, 'subscriptions', r);
    };
    if (!config.subscriptions)
      fail(new HubRefusal('SUBSCRIPTIONS_DISABLED', 'the subscription API is disabled on this hub'));
    const url = new URL(c.req.url);
    const rest = url.pathname
      .slice(SUBSCRIPTIONS_PATH.length)
      .split('/')
      .filter((s) => s !== '');
    if (rest.length > 2) fail(new HubRefusal('NOT_FOUND', 'no such subscription resource'));
    let topic: string | undefined;
    let subscriber: string | undefined;
    try {
      topic = rest[0] === undefined ? undefined : decodeURIComponent(rest[0]);
      subscriber = rest[1] === undefined ? undefined : decodeURIComponent(rest[1]);
    } catch {
      fail(
        new HubRefusal('INVALID_PATH', 'the topic or subscriber in the path is not valid percent-encoding'),
      );
    }
    const found = findToken(c.req.header('authorization'), url.searchParams, c.req.header('cookie'));
    if (found === undefined)
      return fail(new HubRefusal('TOKEN_MISSING', 'the subscription API needs a subscriber JWT'));
    let claim: MercureClaim | undefined;
    try {
      claim = await deps.subscriber.verify(found.token);
    } catch (err) {
      fail(refusalOrThrow(err));
    }
    const selectors = claim?.subscribe;
    if (selectors === undefined)
      return fail(new HubRefusal('CLAIM_MISSING', 'the JWT has no "mercure.subscribe" claim'));
    const requested = url.pathname;
    if (!matchAny(selectors, [requested]))
      fail(
        new HubRefusal(
          'TOPIC_NOT_AUTHORIZED',
          `the JWT's mercure.subscribe claim does not cover "${requested}"`,
        ),
      );

    const all = await hub.transport.listSubscriptions();
    // Authorisation is on the requested URL only, as in the spec and the reference hub: a token
    // for the list URL sees the whole list.
    const visible = all.filter(
      (s) =>
        (topic === undefined || s.topic === topic) &&
        (subscriber === undefined || s.subscriber === subscriber),
    );
    const lastEventID = (await hub.transport.lastEventId()) ?? 'earliest';
    const headers = { ...cors, 'Content-Type': 'application/ld+json', 'Cache-Control': 'no-store' };
    if (subscriber !== undefined) {
      const one = visible[0];
      if (one === undefined)
        return fail(
          new HubRefusal('SUBSCRIPTION_NOT_FOUND', 'no active subscription with that topic and subscriber'),
        );
      return c.body(
        JSON.stringify({
          '@context': 'https://mercure.rocks/',
          ...subscriptionResource(one, true),
          lastEventID,
        }),
        200,
        headers,
      );
    }
    return c.body(
      JSON.stringify({
        '@context': 'https://mercure.rocks/',
        id: requested,
        type: 'Subscriptions',
        lastEventID,
        subscriptions: visible.map((s) => subscriptionResource(s, true)),
      }),
      200,
      headers,
    );
  };
}
