import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { AppError } from '../../common/errors.ts';
import { readBodyText, readIncomingText } from '../../common/http-body.ts';
import type { MercureClaim } from '../../common/mercure.ts';
import { findToken } from '../core/auth.ts';
import { parseUpdate } from '../core/parse-update.ts';
import { HubRefusal } from '../core/refusal.ts';
import { firstUncoveredTopic } from '../core/topic-selector.ts';
import { corsHeaders, originAllowed, requestOrigin } from './cors.ts';
import { errorResponse, writeError } from './errors.ts';
import { refuse, refusalOrThrow, type HubHttpDeps } from './request.ts';

/** What publishing needs from a request, whichever server delivered it. */
interface PublishRequest {
  header(name: string): string | undefined;
  query(): URLSearchParams;
  /** The body as text; rejects with 413 BODY_TOO_LARGE (an AppError) past `max` bytes. */
  body(max: number): Promise<string>;
}

/**
 * A publish (Mercure POST): checks the request, appends the update, and returns its id; a refusal is
 * thrown as a HubRefusal (counted and logged here). Shared by the raw Node path and the Hono route.
 */
async function publishUpdate(deps: HubHttpDeps, req: PublishRequest): Promise<string> {
  const { config, hub } = deps;
  const fail = (r: AppError): never => {
    throw refuse(deps, 'publish', r);
  };
  const tooLarge = (): never =>
    fail(
      new HubRefusal(
        'BODY_TOO_LARGE',
        `the update is larger than the hub's limit of ${config.maxBodyBytes} bytes`,
      ),
    );
  // A declared oversize is refused before anything else, as a body-limit middleware would.
  if (Number(req.header('content-length') ?? '0') > config.maxBodyBytes) tooLarge();
  const found = findToken(req.header('authorization'), req.query(), req.header('cookie'));
  if (found === undefined)
    return fail(new HubRefusal('TOKEN_MISSING', 'publishing needs a publisher JWT (Authorization: Bearer)'));
  if (found.source === 'cookie') {
    const origin = requestOrigin(req.header('origin'), req.header('referer'));
    if (origin === undefined || !originAllowed(origin, config.publishOrigins)) {
      fail(
        new HubRefusal(
          'ORIGIN_NOT_ALLOWED',
          `a cookie-authenticated publish must come from an allowed origin (got ${origin ?? 'none'})`,
        ),
      );
    }
  }
  let claim: MercureClaim | undefined;
  try {
    claim = await deps.publisher.verify(found.token);
  } catch (err) {
    fail(refusalOrThrow(err));
  }

  const type = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    fail(
      new HubRefusal(
        'UNSUPPORTED_MEDIA_TYPE',
        'publish with Content-Type: application/x-www-form-urlencoded',
      ),
    );
  }
  const text = await req.body(config.maxBodyBytes).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'BODY_TOO_LARGE') tooLarge();
    throw err;
  });
  const update = parseUpdate(new URLSearchParams(text), fail);

  if (claim?.publish === undefined)
    return fail(new HubRefusal('CLAIM_MISSING', 'the JWT has no "mercure.publish" claim'));
  const uncovered = firstUncoveredTopic(claim.publish, update.topics);
  if (uncovered !== undefined)
    fail(
      new HubRefusal(
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
export async function publishRaw(
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
      body: (max) => readIncomingText(req, max),
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
    writeError(res, errorResponse(err, { cors, logger: deps.logger }));
  }
}

/** The same publish as a Hono route (requests that reach the hub through its Hono app). */
export function publishRoute(deps: HubHttpDeps): (c: Context) => Promise<Response> {
  return async (c) => {
    const cors = corsHeaders(c.req.header('origin'), deps.config.corsOrigins);
    const id = await publishUpdate(deps, {
      header: (name) => c.req.header(name),
      query: () => new URL(c.req.url).searchParams,
      body: (max) => readBodyText(c, max),
    });
    return c.text(id, 200, { ...cors, 'Cache-Control': 'no-store' });
  };
}
