/**
 * The gateway's HTTP API as the pages use it: the signed-in user's token, JSON checked against its
 * contract where it enters, one error type.
 */
import type * as z from 'zod/mini';
import {
  errorBodySchema,
  signInResponseSchema,
  type SessionUser,
  type SignInResponse,
} from '../../common/contracts/index.ts';
import { parseWire } from './wire.ts';

export type { SessionUser };
export type Session = SignInResponse;

/** A refused or failed request: the gateway's stable `code`, or NETWORK when nothing came back. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfter: number | undefined;
  constructor(
    status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
    retryAfter?: number,
  ) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

/** Each page keeps its own sign-in (sessionStorage: per tab, gone when the tab closes). */
export function loadSession(key: string): Session | undefined {
  const raw = sessionStorage.getItem(key);
  if (raw === null) return undefined;
  try {
    const parsed = parseWire(signInResponseSchema, JSON.parse(raw));
    return parsed.ok ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(key: string, session: Session | undefined): void {
  if (session === undefined) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(session));
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  token?: string | undefined;
  idempotencyKey?: string;
}

/**
 * One JSON request; a 2xx answer is checked against `schema` (a body that does not match becomes an
 * ApiError BAD_RESPONSE), a non-2xx answer becomes an ApiError with the gateway's code and message.
 */
export async function api<S extends z.ZodMiniType>(
  path: string,
  schema: S,
  opts: RequestOptions = {},
): Promise<z.infer<S>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.idempotencyKey !== undefined) headers['Idempotency-Key'] = opts.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : 'the network request failed');
  }
  const body: unknown = await res.json().catch(() => ({}));
  if (res.ok) {
    const parsed = parseWire(schema, body);
    if (!parsed.ok) throw new ApiError(res.status, 'BAD_RESPONSE', `${path}: ${parsed.problem}`);
    return parsed.value;
  }
  const retry = Number(res.headers.get('Retry-After'));
  const error = errorBodySchema.safeParse(body).data?.error;
  throw new ApiError(
    res.status,
    error?.code ?? `HTTP_${res.status}`,
    error?.message ?? res.statusText,
    error?.details,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

/**
 * A POST that may be retried without a second effect: the same Idempotency-Key on every attempt,
 * retried only when nothing definite came back (network failure, engine unavailable).
 */
export async function postOnce<S extends z.ZodMiniType>(
  path: string,
  schema: S,
  body: unknown,
  token: string,
  attempts = 3,
): Promise<z.infer<S>> {
  const key = crypto.randomUUID();
  for (let i = 1; ; i++) {
    try {
      return await api(path, schema, { method: 'POST', body, token, idempotencyKey: key });
    } catch (err) {
      const transient = err instanceof ApiError && (err.code === 'NETWORK' || err.status === 503);
      if (!transient || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
