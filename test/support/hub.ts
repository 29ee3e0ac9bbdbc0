import { SignJWT } from 'jose';
import { hubDefaults, startHub, type HubConfig, type RunningHub } from '../../hub/index.ts';
import { createLogger, type Logger } from '../../common/logger.ts';
import { tracked } from './registry.ts';

export const PUBLISHER_KEY = 'test-publisher-key-0123456789abcdef0123456789';
export const SUBSCRIBER_KEY = 'test-subscriber-key-0123456789abcdef012345678';

/** Starts a hub on a free loopback port with test keys; override anything (and the logger, to capture logs). */
export async function startTestHub(overrides: Partial<HubConfig> = {}, logger?: Logger): Promise<RunningHub> {
  const config: HubConfig = {
    ...hubDefaults,
    host: '127.0.0.1',
    port: 0,
    publisherKey: PUBLISHER_KEY,
    subscriberKey: SUBSCRIBER_KEY,
    anonymous: true,
    heartbeatSeconds: 15,
    // Any free loopback port: many test hubs run side by side.
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    ...overrides,
  };
  const hub = await startHub(
    config,
    logger ??
      createLogger(
        'hub',
        process.env.TEST_LOG_LEVEL === undefined ? 'silent' : (process.env.TEST_LOG_LEVEL as 'info'),
      ),
  );
  return tracked(`hub ${hub.url}`, hub);
}

export interface TokenOptions {
  key?: string;
  alg?: string;
  expiresIn?: string | number;
  /** The token's subject (`sub`). */
  subject?: string;
}

export async function hubToken(
  mercure: { publish?: string[]; subscribe?: string[]; payload?: unknown },
  opts: TokenOptions = {},
): Promise<string> {
  let jwt = new SignJWT({ mercure }).setProtectedHeader({ alg: opts.alg ?? 'HS256' }).setIssuedAt();
  if (opts.expiresIn !== undefined) jwt = jwt.setExpirationTime(opts.expiresIn);
  if (opts.subject !== undefined) jwt = jwt.setSubject(opts.subject);
  return jwt.sign(new TextEncoder().encode(opts.key ?? PUBLISHER_KEY));
}

export const publisherToken = (topics: string[] = ['*']): Promise<string> => hubToken({ publish: topics });
export const subscriberToken = (topics: string[], payload?: unknown): Promise<string> =>
  hubToken({ subscribe: topics, ...(payload === undefined ? {} : { payload }) }, { key: SUBSCRIBER_KEY });

export interface PublishFields {
  topic: string | string[];
  data?: string;
  id?: string;
  type?: string;
  retry?: string;
  private?: boolean;
}

/** POSTs an update; returns the raw Response. */
export async function publish(
  hubUrl: string,
  token: string | undefined,
  fields: PublishFields,
  headers: Record<string, string> = {},
): Promise<Response> {
  const body = new URLSearchParams();
  for (const t of Array.isArray(fields.topic) ? fields.topic : [fields.topic]) body.append('topic', t);
  if (fields.data !== undefined) body.set('data', fields.data);
  if (fields.id !== undefined) body.set('id', fields.id);
  if (fields.type !== undefined) body.set('type', fields.type);
  if (fields.retry !== undefined) body.set('retry', fields.retry);
  if (fields.private === true) body.set('private', 'on');
  return fetch(`${hubUrl}/.well-known/mercure`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...headers,
    },
    body,
  });
}

export function subscribeUrl(hubUrl: string, topics: string[], extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const t of topics) q.append('topic', t);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return `${hubUrl}/.well-known/mercure?${q.toString()}`;
}
