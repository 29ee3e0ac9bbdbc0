import type { ServerResponse } from 'node:http';
import type { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { HubRefusal, refusalFrom } from '../core/refusal.ts';

/** An error answer of the hub, ready to write on either server (raw Node or Hono). */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  /** `{ "error": { "code", "message" } }` */
  body: string;
}

export interface ErrorContext {
  /** The request's CORS headers: a browser may read why it was refused. */
  cors: Record<string, string>;
  logger: Logger;
  /** What was being done, for the log line of an unexpected error (`${what} failed`); default "hub request". */
  what?: string;
  /** What the hub could not do, in the 503's message; default "complete the request". */
  couldNot?: string;
}

/** The hub could not serve the request (its store failed): 503, retry shortly. */
function hubUnavailable(couldNot = 'complete the request'): HubRefusal {
  return new HubRefusal('HUB_UNAVAILABLE', `the hub could not ${couldNot}; retry shortly`);
}

/**
 * The one mapping from any error to the hub's error response. A refusal (an AppError: a
 * HubRefusal, or the AuthError of a token check) is answered as itself, with the request's CORS
 * headers; anything else is logged and answered 503 HUB_UNAVAILABLE, without them (as the hub
 * always has).
 */
export function errorResponse(err: unknown, ctx: ErrorContext): ErrorResponse {
  const r = refusalFrom(err);
  if (r !== undefined) return refusalResponse(r, ctx.cors);
  ctx.logger.error({ err }, `${ctx.what ?? 'hub request'} failed`);
  return refusalResponse(hubUnavailable(ctx.couldNot));
}

/** 404 NOT_FOUND, for a path no hub listener serves (public port, Hono app, metrics listener). */
export function notFound(message: string): ErrorResponse {
  return refusalResponse(new HubRefusal('NOT_FOUND', message));
}

/** Writes an error response on a raw Node response. */
export function writeError(res: ServerResponse, e: ErrorResponse): void {
  res.writeHead(e.status, e.headers).end(e.body);
}

/** A refusal as the catalogue answers it (`WWW-Authenticate` on a 401), with the given CORS headers. */
function refusalResponse(r: AppError, cors: Record<string, string> = {}): ErrorResponse {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  };
  if (r.status === 401)
    headers['WWW-Authenticate'] =
      `Bearer realm="mercure", error="invalid_token", error_description="${r.message.replace(/["\\]/g, "'")}"`;
  return { status: r.status, headers: { ...headers, ...cors }, body: JSON.stringify(r.toBody()) };
}
