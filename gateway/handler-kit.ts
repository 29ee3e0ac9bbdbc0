import { randomUUID } from 'node:crypto';
import type { Role } from '../common/auth.ts';
import type { ErrorBody } from '../common/contracts/index.ts';
import { createLogger } from '../common/logger.ts';
import { createInProcessGateway, type GatewayOptions, type InProcessGateway } from './assembly.ts';
import { gatewayConfigFromEnv, type GatewayConfig } from './config.ts';

/* The gateway's handler tests' kit: the embedded gateway in process, driven through app.request() — no socket. */

/** A JSON answer: the success body's fields, or the error body. */
export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: Partial<ErrorBody> & { [field: string]: unknown };
}

export interface CallOptions {
  /** A bearer token; none when absent. */
  token?: string | undefined;
  /** The Idempotency-Key: a fresh one for a POST when absent, none when null. */
  key?: string | null;
  /** Sent as JSON (application/json) unless a string; a string goes as it is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerGateway extends InProcessGateway {
  call(method: 'GET' | 'POST', path: string, opts?: CallOptions): Promise<JsonAnswer>;
  /** A user token the gateway accepts. */
  sign(id: string, role: Role): Promise<string>;
}

/** The mask key of the handler tests (any 32 bytes: nothing else shares it). */
const MASK_KEY = 'handler-test-mask-key-0123456789abcdef0123';

/** The embedded gateway on its in-process engine and hub, demo off unless asked; close it after. */
export async function handlerGateway(
  overrides: Partial<GatewayConfig> = {},
  options: Omit<GatewayOptions, 'clients'> = {},
): Promise<HandlerGateway> {
  const config = { ...gatewayConfigFromEnv({}), demo: false, maskKey: MASK_KEY, ...overrides };
  const level = (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent';
  const g = await createInProcessGateway(config, createLogger('gavel', level), options);
  return {
    ...g,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
      const key = opts.key === undefined ? (method === 'POST' ? randomUUID() : null) : opts.key;
      if (key !== null) headers['Idempotency-Key'] = key;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['Content-Type'] = 'application/json';
      }
      const res = await g.app.request(path, { method, headers: { ...headers, ...opts.headers }, body });
      return { status: res.status, headers: res.headers, body: (await res.json()) as JsonAnswer['body'] };
    },
    sign: (id, role) => g.tokens.sign({ id, role, name: id }),
  };
}
