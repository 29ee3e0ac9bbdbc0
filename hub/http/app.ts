import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { MERCURE_PATH, SUBSCRIPTIONS_PATH } from '../../common/mercure.ts';
import { corsHeaders, preflightHeaders } from './cors.ts';
import { errorResponse, notFound, writeError, type ErrorResponse } from './errors.ts';
import { publishRaw, publishRoute } from './publish.ts';
import type { HubHttpDeps } from './request.ts';
import { subscribeHandler } from './subscribe.ts';
import { subscriptionsRoute } from './subscriptions.ts';

/**
 * The hub's HTTP surface. `GET /.well-known/mercure` (the long-lived stream) and the publish
 * `POST` are served on the raw Node request and response (see subscribe.ts and publish.ts);
 * everything else is a small Hono app.
 */
export function createHubHttp(deps: HubHttpDeps): {
  app: Hono;
  /** Handles hub paths; returns false for any other path so a host server can route it. */
  handle: (req: IncomingMessage, res: ServerResponse) => boolean;
} {
  const app = createHubApp(deps);
  const honoListener = getRequestListener(app.fetch);
  const subscribe = subscribeHandler(deps);
  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === MERCURE_PATH && req.method === 'POST') {
      void publishRaw(deps, req, res, q < 0 ? undefined : url.slice(q + 1));
      return true;
    }
    if (path === MERCURE_PATH && req.method === 'GET') {
      subscribe(req, res).catch((err: unknown) => {
        const e = errorResponse(err, {
          cors: {},
          logger: deps.logger,
          what: 'subscribe',
          couldNot: 'read its history',
        });
        if (!res.headersSent) writeError(res, e);
        else res.destroy();
      });
      return true;
    }
    // No /metrics here: this is the public origin (the embedded gateway mounts the hub on its own).
    // The metrics have their own listener (see service/metrics-server.ts).
    if (path === MERCURE_PATH || path.startsWith(`${MERCURE_PATH}/`) || path === '/healthz') {
      void honoListener(req, res);
      return true;
    }
    return false;
  };
  return { app, handle };
}

function createHubApp(deps: HubHttpDeps): Hono {
  const { config, hub } = deps;
  const app = new Hono();

  const send = (c: Context, e: ErrorResponse): Response => c.body(e.body, e.status as 400, e.headers);
  app.onError((err, c) =>
    send(
      c,
      errorResponse(err, {
        cors: corsHeaders(c.req.header('origin'), config.corsOrigins),
        logger: deps.logger,
      }),
    ),
  );
  app.notFound((c) => send(c, notFound(`no hub resource at ${c.req.path}`)));

  app.options('*', (c) => {
    const h = preflightHeaders(c.req.header('origin'), config.corsOrigins);
    return c.body(null, 204, h);
  });

  app.post(MERCURE_PATH, publishRoute(deps));

  const subscriptions = subscriptionsRoute(deps);
  app.get(SUBSCRIPTIONS_PATH, subscriptions);
  app.get(`${SUBSCRIPTIONS_PATH}/*`, subscriptions);

  app.get('/healthz', async (c) => {
    const ok = await hub.transport.healthy().catch(() => false);
    return c.json(
      { status: ok ? 'ok' : 'degraded', transport: hub.transport.kind, subscribers: hub.size },
      ok ? 200 : 503,
    );
  });
  return app;
}
