import { createLogger } from '../../common/logger.ts';
import {
  gatewayConfigFromEnv,
  startGateway,
  type GatewayConfig,
  type RunningGateway,
} from '../../gateway/index.ts';

/** Starts Gavel's gateway on a free loopback port (embedded unless overridden), logs silenced unless TEST_LOG_LEVEL is set. */
export async function startTestGavel(overrides: Partial<GatewayConfig> = {}): Promise<RunningGateway> {
  const config = { ...gatewayConfigFromEnv({}), port: 0, host: '127.0.0.1', demo: false, ...overrides };
  const level = (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent';
  return startGateway(config, createLogger('gavel', level));
}

export interface BidResult {
  status: number;
  body: {
    bid?: Record<string, unknown>;
    error?: { code: string; message: string; details?: { bid?: Record<string, unknown> } };
  };
  headers: Headers;
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
