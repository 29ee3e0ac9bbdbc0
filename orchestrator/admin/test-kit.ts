/**
 * The admin API in process, for unit-tier tests: an in-memory PGlite with the migrations, the
 * in-process engine store, and `app.request()` — no PostgreSQL, Redis or socket.
 */
import { MemoryBiddingStore } from '../../bidding/index.ts';
import { UserTokens } from '../../common/auth.ts';
import { createLogger } from '../../common/logger.ts';
import { topics } from '../../common/topics.ts';
import { adminApi, type AdminApiDeps } from './api.ts';
import { migrate, pgliteDatabase, type Database } from '../ledger.ts';
import { EngineSync } from '../lifecycle/engine-sync.ts';
import { InvitationService } from '../catalogue/invitations.ts';
import type { Sender } from '../notify/senders.ts';
import { adminBuilders, type AdminBuilders } from '../../test/support/builders.ts';

/** An admin API answer: the status and the JSON body (with the error body's details when refused). */
export interface AdminAnswer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };
}

export interface InProcessAdmin {
  db: Database;
  engine: MemoryBiddingStore;
  /** An admin API call with an admin token (`token: null` sends none, a string sends that one). */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<AdminAnswer>;
  /** A raw call with the admin token (multipart uploads, CSV bodies): the Response as it is. */
  request(
    method: string,
    path: string,
    init?: { body?: FormData | string; headers?: Record<string, string> },
  ): Promise<Response>;
  /** A call that must succeed (2xx); its JSON body. */
  ok(method: string, path: string, body?: unknown): Promise<AdminAnswer['body']>;
  /** The raw answer (CSV exports), with an admin token. */
  raw(path: string): Promise<Response>;
  build: AdminBuilders;
  tokens: UserTokens;
  close(): Promise<void>;
}

const KEY = 'in-process-admin-test-key-0123456789abcdef012345';

/** Starts the admin API over a fresh in-memory database; `deps` adds the optional parts (KYC, cancel). */
export async function inProcessAdmin(
  deps: Partial<Pick<AdminApiDeps, 'kyc' | 'cancel' | 'media'>> & {
    /** Invitations are mailed here, with links on http://gavel.test. */
    mail?: Sender;
  } = {},
): Promise<InProcessAdmin> {
  const db = await pgliteDatabase();
  await migrate(db);
  const engine = new MemoryBiddingStore();
  const logger = createLogger('admin-test', 'silent');
  const tokens = new UserTokens({ key: KEY, audience: 'admin' });
  const app = adminApi({
    db,
    engine,
    sync: new EngineSync(db, engine, logger),
    tokens,
    topics: topics(),
    logger,
    kyc: deps.kyc,
    cancel: deps.cancel,
    media: deps.media,
    invitations:
      deps.mail === undefined
        ? undefined
        : new InvitationService({ db, mail: deps.mail, publicOrigin: 'http://gavel.test', logger }),
  });
  const adminToken = await tokens.sign({ id: 'ada', role: 'admin', name: undefined });
  const api = async (
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<AdminAnswer> => {
    const headers: Record<string, string> = {};
    const bearer = token === undefined ? adminToken : token;
    if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await app.request(path, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as AdminAnswer['body'] };
  };
  const ok = async (method: string, path: string, body?: unknown): Promise<AdminAnswer['body']> => {
    const a = await api(method, path, body);
    if (a.status >= 300) throw new Error(`${method} ${path} → ${a.status} ${JSON.stringify(a.body)}`);
    return a.body;
  };
  const request = (
    method: string,
    path: string,
    init: { body?: FormData | string; headers?: Record<string, string> } = {},
  ): Promise<Response> =>
    Promise.resolve(
      app.request(path, {
        method,
        headers: { Authorization: `Bearer ${adminToken}`, ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
      }),
    );
  const raw = (path: string): Promise<Response> =>
    Promise.resolve(app.request(path, { headers: { Authorization: `Bearer ${adminToken}` } }));
  return { db, engine, api, request, ok, raw, build: adminBuilders(ok), tokens, close: () => db.close() };
}
