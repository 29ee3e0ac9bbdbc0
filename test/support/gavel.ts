import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger } from '../../common/logger.ts';
import {
  gatewayConfigFromEnv,
  startGateway,
  type GatewayConfig,
  type RunningGateway,
} from '../../gateway/index.ts';
import { tracked } from './registry.ts';
import { TEST_MASK_KEY } from './tokens.ts';

/** The least environment a distributed gateway starts with (config tests: nothing is reached). */
export const DISTRIBUTED_GATEWAY_ENV = {
  GAVEL_MODE: 'distributed',
  REDIS_URL: 'redis://r:6379',
  HUB_URL: 'http://hub/.well-known/mercure',
  GATEWAY_JWT_KEY: 'k'.repeat(32),
  MERCURE_PUBLISHER_JWT_KEY: 'p'.repeat(32),
  GAVEL_MASK_KEY: 'm'.repeat(32),
} as const;

/**
 * A gateway of the deployed topology with the engine on Redis under `redisPrefix`, publishing to
 * the hubs' stream `stream` and naming `hubUrl` to the pages; fresh random user JWT key unless given.
 */
export function redisGatewayConfig(opts: {
  redisPrefix: string;
  hubUrl: string;
  stream: string;
  publisherKey: string;
  subscriberKey: string;
  userJwtKey?: string;
  publicOrigin?: string;
}): GatewayConfig {
  return {
    ...gatewayConfigFromEnv({}),
    port: 0,
    host: '127.0.0.1',
    demo: false,
    maskKey: TEST_MASK_KEY,
    mode: 'distributed',
    redisUrl: 'redis://127.0.0.1:6379',
    redisPrefix: opts.redisPrefix,
    hubUrl: opts.hubUrl,
    hubPublishUrl: opts.stream,
    publisherKey: opts.publisherKey,
    subscriberKey: opts.subscriberKey,
    userJwtKey: opts.userJwtKey ?? randomBytes(32).toString('hex'),
    ...(opts.publicOrigin === undefined ? {} : { publicOrigin: opts.publicOrigin }),
  };
}

/** Starts Gavel's gateway on a free loopback port (embedded unless overridden), logs silenced unless TEST_LOG_LEVEL is set. */
export async function startTestGavel(overrides: Partial<GatewayConfig> = {}): Promise<RunningGateway> {
  const config = {
    ...gatewayConfigFromEnv({}),
    port: 0,
    host: '127.0.0.1',
    demo: false,
    maskKey: TEST_MASK_KEY,
    ...overrides,
  };
  const level = (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent';
  const gateway = await startGateway(config, createLogger('gavel', level));
  return tracked(`gateway ${gateway.url}`, gateway);
}

export interface BidResult {
  status: number;
  body: {
    bid?: Record<string, unknown>;
    error?: { code: string; message: string; details?: { bid?: Record<string, unknown> } };
  };
  headers: Headers;
}

/** A POST with a fresh Idempotency-Key, as the clients send the floor's buttons and bids: the status and JSON body. */
export async function postWithKey(
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Idempotency-Key': randomUUID(),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function postBid(
  url: string,
  auctionId: string,
  token: string | undefined,
  body: unknown,
  key: string | undefined,
  extraHeaders: Record<string, string> = {},
): Promise<BidResult> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...extraHeaders };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (key !== undefined) headers['Idempotency-Key'] = key;
  const res = await fetch(`${url}/v1/auctions/${encodeURIComponent(auctionId)}/bids`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as BidResult['body'], headers: res.headers };
}
