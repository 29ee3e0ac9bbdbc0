/**
 * The panel's only way into the back office: the admin JSON API over HTTP (`/admin/v1/…`), with a
 * short-lived admin-audience token minted for the signed-in staff member — so the back office checks
 * and audits every change as theirs, exactly as for any other admin-API client.
 */
import type { UserTokens } from '../../common/auth.ts';

/** An admin-API refusal as the panel shows it: the code, the message, and the field it names (if any). */
export interface ApiProblem {
  status: number;
  code: string;
  message: string;
  field: string | undefined;
}

export type ApiAnswer<T> = { ok: true; status: number; body: T } | { ok: false; problem: ApiProblem };

/** The JSON the admin API answers (objects whose fields the pages read defensively). */
export type Json = Record<string, unknown>;

/** How long a panel request's token lives: one request's work, then it is useless. */
export const PANEL_TOKEN_SECONDS = 60;

export class AdminClient {
  readonly #base: string;
  readonly #token: string;
  readonly #requestId: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(base: string, token: string, requestId?: string, fetcher: typeof fetch = fetch) {
    this.#base = base.replace(/\/+$/, '');
    this.#token = token;
    this.#requestId = requestId;
    this.#fetch = fetcher;
  }

  /** A client for this staff member: an admin token for `PANEL_TOKEN_SECONDS`. */
  static async for(
    base: string,
    tokens: UserTokens,
    who: { id: string; name: string },
    requestId?: string,
    fetcher?: typeof fetch,
  ): Promise<AdminClient> {
    const token = await tokens.sign({ id: who.id, role: 'admin', name: who.name }, PANEL_TOKEN_SECONDS);
    return new AdminClient(base, token, requestId, fetcher);
  }

  async call<T = Json>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    return body === undefined
      ? this.#send<T>(method, path, undefined, undefined)
      : this.#send<T>(method, path, JSON.stringify(body), 'application/json');
  }

  /**
   * A body that is not JSON: a FormData (multipart, its boundary set by fetch) or a text with its type
   * (a CSV catalogue).
   */
  send<T = Json>(
    method: string,
    path: string,
    body: FormData | string,
    type?: string,
  ): Promise<ApiAnswer<T>> {
    return this.#send<T>(method, path, body, type);
  }

  async #send<T>(
    method: string,
    path: string,
    body: FormData | string | undefined,
    type: string | undefined,
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#token}` };
    // The gateway's request id travels on: the audit row and the gateway's log share it.
    if (this.#requestId !== undefined) headers['X-Request-Id'] = this.#requestId;
    if (type !== undefined) headers['Content-Type'] = type;
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers,
        body,
        // An upload of several large pictures is decoded and resized before the answer.
        signal: AbortSignal.timeout(body instanceof FormData ? 120_000 : 15_000),
      });
    } catch {
      return {
        ok: false,
        problem: {
          status: 503,
          code: 'UNAVAILABLE',
          message: 'the back office did not answer; try again',
          field: undefined,
        },
      };
    }
    const text = await res.text();
    if (res.ok) {
      if (res.headers.get('content-type')?.includes('application/json') !== true)
        return { ok: true, status: res.status, body: text as T };
      return { ok: true, status: res.status, body: (text === '' ? {} : JSON.parse(text)) as T };
    }
    return { ok: false, problem: problemFrom(res.status, text) };
  }
}

/** The admin API's error body → the field it names: `details.field`, or the first zod issue's path. */
export function problemFrom(status: number, text: string): ApiProblem {
  try {
    const body = JSON.parse(text) as {
      error?: {
        code?: string;
        message?: string;
        details?: { field?: unknown; issues?: { path?: unknown }[] };
      };
    };
    const e = body.error ?? {};
    const fromIssues = e.details?.issues?.[0]?.path;
    const field =
      typeof e.details?.field === 'string'
        ? e.details.field
        : typeof fromIssues === 'string' && fromIssues !== ''
          ? fromIssues
          : fieldFromMessage(e.message);
    return { status, code: e.code ?? 'UNAVAILABLE', message: e.message ?? `HTTP ${status}`, field };
  } catch {
    return {
      status,
      code: 'UNAVAILABLE',
      message: `the back office answered HTTP ${status}`,
      field: undefined,
    };
  }
}

/** Many refusals say "field: why"; the part before the colon names the field. */
function fieldFromMessage(message: string | undefined): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9.]*): /.exec(message ?? '');
  return m?.[1];
}
