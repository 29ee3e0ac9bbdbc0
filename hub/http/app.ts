import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from '../../common/logger.ts';
import { isSafeField, SSE_HEADERS } from '../../common/sse.ts';
import { MERCURE_PATH, SUBSCRIPTIONS_PATH, type MercureClaim } from '../../common/mercure.ts';
import {
  AuthError,
  findToken,
  type FoundToken,
  type TokenVerifier,
  type VerifiedToken,
} from '../core/auth.ts';
import type { HubConfig } from '../service/config.ts';
import { clientAddress, ConnectionLimiter } from '../core/connection-limits.ts';
import { corsHeaders, originAllowed, preflightHeaders, requestOrigin } from './cors.ts';
import type { Hub } from '../fanout/hub.ts';
import { Subscriber } from '../fanout/hub.ts';
import type { HubMetrics } from '../service/metrics.ts';
import { HubRefusal, refusalBody, refusalFrom, refusalHeaders } from '../core/refusal.ts';
import { firstUncoveredTopic, matchAny, selectorError } from '../core/topic-selector.ts';
import type { SubscriptionRecord } from '../transport/transport.ts';
import type { Update } from '../core/update.ts';
import { AppError } from '../../common/errors.ts';
import { readBodyText } from '../../common/http-body.ts';

export interface HubHttpDeps {
  config: HubConfig;
  hub: Hub;
  metrics: HubMetrics;
  logger: Logger;
  publisher: TokenVerifier;
  subscriber: TokenVerifier;
}

/**
 * The hub's HTTP surface. `GET /.well-known/mercure` (the long-lived stream) is served on the
 * raw Node response, so an idle subscriber costs little memory and writes never pass through
 * a web-stream adapter; everything else is a small Hono app.
 */
export function createHubHttp(deps: HubHttpDeps): {
  app: Hono;
  /** Handles hub paths; returns false for any other path so a host server can route it. */
  handle: (req: IncomingMessage, res: ServerResponse) => boolean;
} {
  const app = createHubApp(deps);
  const honoListener = getRequestListener(app.fetch);
  const limiter = new ConnectionLimiter({
    perIp: deps.config.maxConnectionsPerIp,
    perSubject: deps.config.maxConnectionsPerSubject,
  });
  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === MERCURE_PATH && req.method === 'POST') {
      void publishRaw(deps, req, res, q < 0 ? undefined : url.slice(q + 1));
      return true;
    }
    if (path === MERCURE_PATH && req.method === 'GET') {
      subscribe(deps, limiter, req, res).catch((err: unknown) => {
        deps.logger.error({ err }, 'subscribe failed');
        if (!res.headersSent) {
          const r = new HubRefusal(
            503,
            'HUB_UNAVAILABLE',
            'the hub could not read its history; retry shortly',
          );
          res.writeHead(r.status, refusalHeaders(r)).end(refusalBody(r));
        } else res.destroy();
      });
      return true;
    }
    // No /metrics here: this is the public origin (the embedded gateway mounts the hub on its own).
    // The metrics have their own listener (see metrics-server.ts).
    if (path === MERCURE_PATH || path.startsWith(`${MERCURE_PATH}/`) || path === '/healthz') {
      void honoListener(req, res);
      return true;
    }
    return false;
  };
  return { app, handle };
}

function refuse(
  deps: HubHttpDeps,
  what: string,
  r: HubRefusal,
  extra: Record<string, unknown> = {},
): HubRefusal {
  deps.metrics.refused.inc({ reason: r.code });
  deps.logger.info(
    { refused: what, status: r.status, reason: r.code, detail: r.message, ...extra },
    `${what} refused: ${r.message}`,
  );
  return r;
}

async function verifyFound(verifier: TokenVerifier, found: FoundToken): Promise<MercureClaim | undefined> {
  return verifier.verify(found.token);
}

async function subscribe(
  deps: HubHttpDeps,
  limiter: ConnectionLimiter,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { config, hub } = deps;
  const url = new URL(req.url ?? '/', 'http://hub.invalid');
  const cors = corsHeaders(req.headers.origin, config.corsOrigins);
  const fail = (r: HubRefusal): void => {
    refuse(deps, 'subscribe', r, { remote: req.socket.remoteAddress });
    res.writeHead(r.status, { ...refusalHeaders(r), ...cors }).end(refusalBody(r));
  };

  const topics = url.searchParams.getAll('topic');
  if (topics.length === 0)
    return fail(new HubRefusal(400, 'MISSING_TOPIC', 'at least one "topic" query parameter is required'));
  if (topics.length > config.maxTopics)
    return fail(
      new HubRefusal(
        400,
        'TOO_MANY_TOPICS',
        `${topics.length} topic selectors in one subscription; this hub allows at most ${config.maxTopics} (MERCURE_MAX_TOPICS)`,
      ),
    );
  const limits = { maxLength: config.maxTopicLength, maxVariables: config.maxTemplateExpressions };
  for (const t of topics) {
    const e = selectorError(t, limits);
    if (e !== undefined) return fail(new HubRefusal(400, e.code, e.message));
  }

  let token: VerifiedToken | undefined;
  const found = findToken(req.headers.authorization, url.searchParams, req.headers.cookie);
  if (found !== undefined) {
    try {
      token = await deps.subscriber.verifyToken(found.token);
    } catch (err) {
      const r = refusalFrom(err);
      if (r === undefined) throw err;
      return fail(r);
    }
  } else if (!config.anonymous) {
    return fail(
      new HubRefusal(
        401,
        'ANONYMOUS_DISABLED',
        'anonymous subscribers are not allowed on this hub; send a subscriber JWT (Authorization: Bearer, mercureAuthorization cookie or authorization query parameter)',
      ),
    );
  }

  let release: () => void;
  try {
    release = limiter.acquire({
      ip: clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustedProxies),
      subject: token?.subject,
    });
  } catch (err) {
    if (err instanceof HubRefusal) return fail(err);
    throw err;
  }
  res.on('close', release);

  const claim = token?.claim;
  const header = req.headers['last-event-id'];
  const cursor =
    (header === undefined ? undefined : utf8FromHeader(Array.isArray(header) ? header[0]! : header)) ??
    url.searchParams.get('lastEventID') ??
    url.searchParams.get('Last-Event-ID') ??
    undefined;

  const sub = new Subscriber({
    selectors: topics,
    claims: claim?.subscribe,
    payload: claim?.payload,
    sink: res,
  });
  res.on('close', () => hub.detach(sub));
  const { lastEventId, replay } = await hub.attach(sub, cursor === '' ? undefined : cursor);
  if (sub.closed || res.destroyed) {
    hub.detach(sub);
    return;
  }
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true, 30_000);
  // A close-delimited body (no Transfer-Encoding, no Content-Length): each frame is one socket write
  // of the shared frame bytes, not a corked four-part chunked write flushed on the next tick
  // (measured: about a fifth less hub CPU per delivery). A stream never ends early by itself anyway.
  res.removeHeader('Content-Length');
  res.removeHeader('Transfer-Encoding');
  res.writeHead(200, {
    ...SSE_HEADERS,
    ...cors,
    Connection: 'close',
    'Last-Event-ID': utf8ToHeader(lastEventId),
  });
  // The opening comment makes `onopen` fire at once; `retry` sets the reconnection delay. Written as
  // bytes: without chunked framing, a first write given as a string carries the head with it as
  // UTF-8 and would mangle a Latin-1 encoded non-ASCII Last-Event-ID.
  res.write(Buffer.from(`:\nretry: ${config.retryMs}\n\n`, 'latin1'));
  hub.goLive(sub, replay);
}

/**
 * Update ids travel in the `Last-Event-ID` headers, but Node reads header values as Latin-1 and
 * throws on writing a character above U+00FF: an id like "prix-€5" made every response that
 * carried it fail with 503 (new subscribers while it was the latest id, and every resume from
 * it). EventSource sends Last-Event-ID as UTF-8 (HTML spec) and the reference hub writes the
 * id's UTF-8 bytes back: do the same both ways, so any id round-trips.
 */
function utf8ToHeader(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

function utf8FromHeader(value: string): string {
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  // Not UTF-8 (a client that sent Latin-1 bytes): keep what Node read.
  return decoded.includes('\uFFFD') && !value.includes('\uFFFD') ? value : decoded;
}

/** Control characters cannot go in an HTTP header (nor survive one), and an id must: refused. */
function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
/** What publishing needs from a request, whichever server delivered it. */
interface PublishRequest {
  header(name: string): string | undefined;
  query(): URLSearchParams;
  /** The body as text; rejects with BodyTooLarge past `max` bytes. */
  body(max: number): Promise<string>;
}

class BodyTooLarge extends Error {}

/**
 * A publish (Mercure POST): checks the request, appends the update, and returns its id; a refusal is
 * thrown as a HubRefusal (counted and logged here). Shared by the raw Node path and the Hono route.
 */
async function publishUpdate(deps: HubHttpDeps, req: PublishRequest): Promise<string> {
  const { config, hub } = deps;
  const fail = (r: HubRefusal): never => {
    throw refuse(deps, 'publish', r);
  };
  const tooLarge = (): never =>
    fail(
      new HubRefusal(
        413,
        'BODY_TOO_LARGE',
        `the update is larger than the hub's limit of ${config.maxBodyBytes} bytes`,
      ),
    );
  // A declared oversize is refused before anything else, as a body-limit middleware would.
  if (Number(req.header('content-length') ?? '0') > config.maxBodyBytes) tooLarge();
  const found = findToken(req.header('authorization'), req.query(), req.header('cookie'));
  if (found === undefined)
    fail(new HubRefusal(401, 'TOKEN_MISSING', 'publishing needs a publisher JWT (Authorization: Bearer)'));
  const token = found!;
  if (token.source === 'cookie') {
    const origin = requestOrigin(req.header('origin'), req.header('referer'));
    if (origin === undefined || !originAllowed(origin, config.publishOrigins)) {
      fail(
        new HubRefusal(
          403,
          'ORIGIN_NOT_ALLOWED',
          `a cookie-authenticated publish must come from an allowed origin (got ${origin ?? 'none'})`,
        ),
      );
    }
  }
  let claim: MercureClaim | undefined;
  try {
    claim = await verifyFound(deps.publisher, token);
  } catch (err) {
    if (err instanceof AuthError) fail(new HubRefusal(err.status, err.code, err.message));
    throw err;
  }

  const type = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    fail(
      new HubRefusal(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'publish with Content-Type: application/x-www-form-urlencoded',
      ),
    );
  }
  let text: string;
  try {
    text = await req.body(config.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) tooLarge();
    throw err;
  }
  const form = new URLSearchParams(text!);
  const update = parseUpdate(form, fail);

  if (claim?.publish === undefined)
    fail(new HubRefusal(403, 'CLAIM_MISSING', 'the JWT has no "mercure.publish" claim'));
  const uncovered = firstUncoveredTopic(claim!.publish!, update.topics);
  if (uncovered !== undefined)
    fail(
      new HubRefusal(
        403,
        'TOPIC_NOT_AUTHORIZED',
        `the JWT's mercure.publish claim does not cover the topic "${uncovered}"`,
      ),
    );

  const { duplicate } = await hub.publish(update);
  deps.logger.debug({ id: update.id, topics: update.topics, duplicate }, 'published');
  return update.id;
}

const NO_QUERY = new URLSearchParams();

/**
 * A publish on the raw Node request and response: the same checks and answers as the Hono route,
 * without building a web Request, Headers and Response for every update (every bid's updates come
 * through here, so this is the hub's hot path next to fan-out).
 */
async function publishRaw(
  deps: HubHttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
  query: string | undefined,
): Promise<void> {
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const cors = corsHeaders(req.headers.origin, deps.config.corsOrigins);
  try {
    const id = await publishUpdate(deps, {
      header,
      query: () => (query === undefined ? NO_QUERY : new URLSearchParams(query)),
      body: (max) => readRequestText(req, max),
    });
    res.writeHead(200, {
      ...cors,
      'Content-Type': 'text/plain; charset=UTF-8',
      'Content-Length': Buffer.byteLength(id),
      'Cache-Control': 'no-store',
    });
    res.end(id);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const r = refusalFrom(err);
    if (r !== undefined) {
      res.writeHead(r.status, { ...refusalHeaders(r), ...cors }).end(refusalBody(r));
      return;
    }
    deps.logger.error({ err }, 'hub request failed');
    const e = new HubRefusal(503, 'HUB_UNAVAILABLE', 'the hub could not complete the request; retry shortly');
    res.writeHead(e.status, refusalHeaders(e)).end(refusalBody(e));
  }
}

/** The request body as UTF-8 text, at most `max` bytes (BodyTooLarge beyond, the rest discarded). */
function readRequestText(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', reject);
  });
}

const RESERVED_TOPIC = /\/\.well-known\/mercure(\/|$|\?|#)/;
const FALSEY = new Set(['false', 'off', '0', 'no']);

function createHubApp(deps: HubHttpDeps): Hono {
  const { config, hub } = deps;
  const app = new Hono();

  app.onError((err, c) => {
    const r = refusalFrom(err);
    if (r !== undefined)
      return c.body(refusalBody(r), r.status as 400, {
        ...refusalHeaders(r),
        ...corsHeaders(c.req.header('origin'), config.corsOrigins),
      });
    deps.logger.error({ err }, 'hub request failed');
    const e = new HubRefusal(503, 'HUB_UNAVAILABLE', 'the hub could not complete the request; retry shortly');
    return c.body(refusalBody(e), 503, refusalHeaders(e));
  });
  app.notFound((c) => {
    const r = new HubRefusal(404, 'NOT_FOUND', `no hub resource at ${c.req.path}`);
    return c.body(refusalBody(r), 404, refusalHeaders(r));
  });

  app.options('*', (c) => {
    const h = preflightHeaders(c.req.header('origin'), config.corsOrigins);
    return c.body(null, 204, h);
  });

  app.post(MERCURE_PATH, async (c) => {
    const cors = corsHeaders(c.req.header('origin'), config.corsOrigins);
    const id = await publishUpdate(deps, {
      header: (name) => c.req.header(name),
      query: () => new URL(c.req.url).searchParams,
      body: async (max) => {
        try {
          return await readBodyText(c, max);
        } catch (err) {
          if (err instanceof AppError && err.status === 413) throw new BodyTooLarge();
          throw err;
        }
      },
    });
    return c.text(id, 200, { ...cors, 'Cache-Control': 'no-store' });
  });

  const subscriptionsRoute = async (c: Context): Promise<Response> => {
    const cors = corsHeaders(c.req.header('origin'), config.corsOrigins);
    const fail = (r: HubRefusal): never => {
      throw refuse(deps, 'subscriptions', r);
    };
    if (!config.subscriptions)
      fail(new HubRefusal(404, 'SUBSCRIPTIONS_DISABLED', 'the subscription API is disabled on this hub'));
    const url = new URL(c.req.url);
    const rest = url.pathname
      .slice(SUBSCRIPTIONS_PATH.length)
      .split('/')
      .filter((s) => s !== '');
    if (rest.length > 2) fail(new HubRefusal(404, 'NOT_FOUND', 'no such subscription resource'));
    let topic: string | undefined;
    let subscriber: string | undefined;
    try {
      topic = rest[0] === undefined ? undefined : decodeURIComponent(rest[0]);
      subscriber = rest[1] === undefined ? undefined : decodeURIComponent(rest[1]);
    } catch {
      fail(
        new HubRefusal(
          400,
          'INVALID_PATH',
          'the topic or subscriber in the path is not valid percent-encoding',
        ),
      );
    }
    const found = findToken(c.req.header('authorization'), url.searchParams, c.req.header('cookie'));
    if (found === undefined)
      fail(new HubRefusal(401, 'TOKEN_MISSING', 'the subscription API needs a subscriber JWT'));
    let claim: MercureClaim | undefined;
    try {
      claim = await verifyFound(deps.subscriber, found!);
    } catch (err) {
      if (err instanceof AuthError) fail(new HubRefusal(err.status, err.code, err.message));
      throw err;
    }
    const selectors = claim?.subscribe;
    if (selectors === undefined)
      fail(new HubRefusal(403, 'CLAIM_MISSING', 'the JWT has no "mercure.subscribe" claim'));
    const requested = url.pathname;
    if (!matchAny(selectors!, [requested]))
      fail(
        new HubRefusal(
          403,
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
        fail(
          new HubRefusal(
            404,
            'SUBSCRIPTION_NOT_FOUND',
            'no active subscription with that topic and subscriber',
          ),
        );
      return c.body(
        JSON.stringify({ '@context': 'https://mercure.rocks/', ...present(one!), lastEventID }),
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
        subscriptions: visible.map(present),
      }),
      200,
      headers,
    );
  };
  app.get(SUBSCRIPTIONS_PATH, subscriptionsRoute);
  app.get(`${SUBSCRIPTIONS_PATH}/*`, subscriptionsRoute);

  app.get('/healthz', async (c) => {
    const ok = await hub.transport.healthy().catch(() => false);
    return c.json(
      { status: ok ? 'ok' : 'degraded', transport: hub.transport.kind, subscribers: hub.size },
      ok ? 200 : 503,
    );
  });
  return app;
}

function present(s: SubscriptionRecord): Record<string, unknown> {
  return {
    id: s.id,
    type: 'Subscription',
    subscriber: s.subscriber,
    topic: s.topic,
    active: true,
    ...(s.payload === undefined ? {} : { payload: s.payload }),
  };
}

/** Validates a form-encoded update; `fail` throws the refusal. */
export function parseUpdate(form: URLSearchParams, fail: (r: HubRefusal) => never): Update {
  const topics = form.getAll('topic');
  if (topics.length === 0 || topics.some((t) => t === ''))
    fail(new HubRefusal(400, 'MISSING_TOPIC', 'an update needs at least one non-empty "topic"'));
  const reserved = topics.find((t) => RESERVED_TOPIC.test(t));
  if (reserved !== undefined)
    fail(
      new HubRefusal(
        400,
        'RESERVED_TOPIC',
        `topics under /.well-known/mercure are reserved for the hub ("${reserved}")`,
      ),
    );
  const id = form.get('id') ?? `urn:uuid:${randomUUID()}`;
  if (id === '' || !isSafeField(id) || hasControlChar(id))
    fail(
      new HubRefusal(
        400,
        'INVALID_ID',
        'the "id" must be non-empty and contain no CR, LF, NUL or other control character',
      ),
    );
  if (id === 'earliest')
    fail(new HubRefusal(400, 'INVALID_ID', '"earliest" is reserved and cannot be an update id'));
  const type = form.get('type') ?? undefined;
  if (type !== undefined && !isSafeField(type))
    fail(new HubRefusal(400, 'INVALID_TYPE', 'the "type" must contain no CR, LF or NUL'));
  const retryRaw = form.get('retry');
  let retry: number | undefined;
  if (retryRaw !== null) {
    retry = Number(retryRaw);
    if (!/^\d+$/.test(retryRaw) || !Number.isSafeInteger(retry))
      fail(
        new HubRefusal(
          400,
          'INVALID_RETRY',
          `"retry" must be a non-negative integer of milliseconds, got "${retryRaw}"`,
        ),
      );
  }
  const priv = form.get('private');
  return {
    id,
    topics,
    data: form.get('data') ?? '',
    private: priv !== null && !FALSEY.has(priv.toLowerCase()),
    type: type === '' ? undefined : type,
    retry,
  };
}
