import { describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import type { BiddingService } from './bidding-service.ts';
import { createBiddingApi } from './http-api.ts';

const TOKEN = 'a-service-token-of-some-length';
const auth = { authorization: `Bearer ${TOKEN}` };

/** A service that knows no auction and fails on every write: enough for the API's own answers. */
function service(fail: () => never): BiddingService {
  return {
    placeBid: () => Promise.resolve().then(fail),
    floorAction: () => Promise.resolve().then(fail),
    snapshot: () => Promise.resolve(undefined),
    waitingAbsentees: () => Promise.resolve([]),
    auctionMeta: () => Promise.resolve(undefined),
    decisions: () => Promise.resolve([]),
    acceptedBids: () => Promise.resolve([]),
    drain: () => Promise.resolve(),
  };
}

function api(
  fail: () => never = () => {
    throw new Error('redis went away');
  },
) {
  return createBiddingApi(service(fail), { token: TOKEN, logger: createLogger('bidding', 'silent') });
}

async function errorOf(res: Response): Promise<[number, string | undefined]> {
  const body = (await res.json()) as { error?: { code?: string; message?: string } };
  expect(body.error?.message?.length).toBeGreaterThan(0);
  return [res.status, body.error?.code];
}

const bid = {
  auctionId: 'lot-1',
  bidderId: 'alice',
  amount: 10_000,
  idempotencyKey: 'k1',
  source: 'api',
};

describe('the bidding engine internal API answers errors in the common body', () => {
  it('refuses a caller without the service token', async () => {
    const res = await api().request('/internal/v1/auctions/lot-1/snapshot');
    expect(await errorOf(res)).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('answers an unknown auction with UNKNOWN_AUCTION and an unknown route with NOT_FOUND', async () => {
    const app = api();
    expect(
      await errorOf(await app.request('/internal/v1/auctions/nope/snapshot', { headers: auth })),
    ).toEqual([404, 'UNKNOWN_AUCTION']);
    expect(await errorOf(await app.request('/internal/v1/auctions/nope/meta', { headers: auth }))).toEqual([
      404,
      'UNKNOWN_AUCTION',
    ]);
    expect(await errorOf(await app.request('/internal/v1/nothing', { headers: auth }))).toEqual([
      404,
      'NOT_FOUND',
    ]);
  });

  it('refuses a malformed bid with VALIDATION_FAILED', async () => {
    const res = await api().request('/internal/v1/bids', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...bid, amount: 1.5 }),
    });
    expect(await errorOf(res)).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('answers 503 UNAVAILABLE when the engine fails unexpectedly', async () => {
    const res = await api().request('/internal/v1/bids', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(bid),
    });
    expect(await errorOf(res)).toEqual([503, 'UNAVAILABLE']);
  });
});
