import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSE_HEADERS } from '../../common/sse.ts';
import type { AppError } from '../../common/errors.ts';
import { findToken, type VerifiedToken } from '../core/auth.ts';
import { clientAddress, ConnectionLimiter } from '../core/connection-limits.ts';
import { HubRefusal } from '../core/refusal.ts';
import { selectorError } from '../core/topic-selector.ts';
import { Subscriber } from '../fanout/subscriber.ts';
import { corsHeaders } from './cors.ts';
import { errorResponse, writeError } from './errors.ts';
import { utf8FromHeader, utf8ToHeader } from './header-text.ts';
import { refuse, refusalOrThrow, type HubHttpDeps } from './request.ts';

/**
 * The subscribe handler (`GET /.well-known/mercure`), on the raw Node request and response: the
 * long-lived stream costs little memory when idle and its writes never pass a web-stream adapter.
 * Rejects only on an unexpected failure (reading history); every refusal is answered here.
 */
export function subscribeHandler(
  deps: HubHttpDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limiter = new ConnectionLimiter({
    perIp: deps.config.maxConnectionsPerIp,
    perSubject: deps.config.maxConnectionsPerSubject,
  });
  return (req, res) => subscribe(deps, limiter, req, res);
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
  const fail = (r: AppError): void => {
    refuse(deps, 'subscribe', r, { remote: req.socket.remoteAddress });
    writeError(res, errorResponse(r, { cors, logger: deps.logger }));
  };

  const topics = url.searchParams.getAll('topic');
  if (topics.length === 0)
    return fail(new HubRefusal('MISSING_TOPIC', 'at least one "topic" query parameter is required'));
  if (topics.length > config.maxTopics)
    return fail(
      new HubRefusal(
        'TOO_MANY_TOPICS',
        `${topics.length} topic selectors in one subscription; this hub allows at most ${config.maxTopics} (MERCURE_MAX_TOPICS)`,
      ),
    );
  const limits = { maxLength: config.maxTopicLength, maxVariables: config.maxTemplateExpressions };
  for (const t of topics) {
    const e = selectorError(t, limits);
    if (e !== undefined) return fail(new HubRefusal(e.code, e.message));
  }

  let token: VerifiedToken | undefined;
  const found = findToken(req.headers.authorization, url.searchParams, req.headers.cookie);
  if (found !== undefined) {
    try {
      token = await deps.subscriber.verifyToken(found.token);
    } catch (err) {
      return fail(refusalOrThrow(err));
    }
  } else if (!config.anonymous) {
    return fail(
      new HubRefusal(
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
