import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCatalogue } from '../../common/catalogue.ts';
import {
  bidListResponseSchema,
  bidOutcomeSchema,
  bidResponseSchema,
  errorBodySchema,
  floorActionResponseSchema,
  floorLotSchema,
  floorStateResponseSchema,
  hubTokenResponseSchema,
  saleListResponseSchema,
  saleMaskResponseSchema,
  saleResponseSchema,
  snapshotResponseSchema,
} from '../../common/contracts/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { handlerGateway, type HandlerGateway } from '../handler-kit.ts';

/*
 * What the gateway answers is what common/contracts/ says the clients receive: each body parsed by
 * its contract's schema comes back equal (an extra field would be stripped, a wrong one refused).
 */

/** The body as the contract's schema reads it: equal to the body itself when it holds to the contract. */
function exactly<T>(schema: { parse(value: unknown): T }, body: unknown): void {
  expect(schema.parse(body)).toEqual(body);
}

describe('the gateway answers the wire contracts', () => {
  let g: HandlerGateway;
  let alice: string;
  let bob: string;
  let clerk: string;
  const timedId = `c-timed-${randomUUID().slice(0, 8)}`;
  const liveId = `c-live-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const catalogue = staticCatalogue([
      {
        id: 'sale-1',
        title: 'Contracts sale',
        mode: 'timed',
        currency: 'EUR',
        lots: [
          {
            id: timedId,
            lotNumber: '1',
            title: 'A lot',
            description: 'described',
            estimateLow: '100.00',
            estimateHigh: '200.00',
          },
        ],
      },
    ]);
    g = await handlerGateway({ ratePerSecond: 100, rateBurst: 200 }, { catalogue });
    alice = await g.sign('alice', 'bidder');
    bob = await g.sign('bob', 'bidder');
    clerk = await g.sign('clerk', 'auctioneer');
    const now = Date.now();
    await g.store!.configure(timedSetup(timedId, now));
    await g.store!.configure(
      timedSetup(liveId, now, { mode: 'live', status: 'scheduled', opening: 100_000 }),
    );
    for (const id of [timedId, liveId])
      for (const bidder of ['alice', 'bob']) await g.store!.setEligibility(id, bidder, 10_000_000);
  });
  afterAll(async () => {
    await g.close();
  });

  it('a bid: accepted, refused with the decision in details, and the list of bids', async () => {
    const accepted = await g.call('POST', `/v1/auctions/${timedId}/bids`, {
      token: alice,
      body: { amount: '150.00', max: '300.00' },
    });
    expect(accepted.status).toBe(201);
    exactly(bidResponseSchema, accepted.body);

    const refused = await g.call('POST', `/v1/auctions/${timedId}/bids`, {
      token: bob,
      body: { amount: '1.00' },
    });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'OUTBID']);
    exactly(errorBodySchema, refused.body);
    exactly(bidOutcomeSchema, refused.body.error?.details?.bid);

    const list = await g.call('GET', `/v1/auctions/${timedId}/bids`);
    expect(list.status).toBe(200);
    exactly(bidListResponseSchema, list.body);
  });

  it('a snapshot with its resume point, and a hub token', async () => {
    const snap = await g.call('GET', `/v1/auctions/${timedId}`);
    expect(snap.status).toBe(200);
    exactly(snapshotResponseSchema, snap.body);

    for (const token of [alice, undefined]) {
      const hub = await g.call('POST', '/v1/hub-token', { token, key: null });
      expect(hub.status).toBe(200);
      exactly(hubTokenResponseSchema, hub.body);
    }
  });

  it('the floor console: its state, an action, and a refused action with the lot as it stands', async () => {
    const state = await g.call('GET', `/v1/auctions/${liveId}/floor`, { token: clerk });
    expect(state.status).toBe(200);
    exactly(floorStateResponseSchema, state.body);

    const opened = await g.call('POST', `/v1/auctions/${liveId}/floor/open`, { token: clerk });
    expect(opened.status).toBe(200);
    exactly(floorActionResponseSchema, opened.body);

    const again = await g.call('POST', `/v1/auctions/${liveId}/floor/open`, { token: clerk });
    expect([again.status, again.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
    exactly(errorBodySchema, again.body);
    exactly(floorLotSchema, again.body.error?.details?.lot);
  });

  it('the catalogue and the caller’s mask in a sale', async () => {
    const sales = await g.call('GET', '/v1/sales');
    expect(sales.status).toBe(200);
    exactly(saleListResponseSchema, sales.body);
    const sale = await g.call('GET', '/v1/sales/sale-1');
    expect(sale.status).toBe(200);
    exactly(saleResponseSchema, sale.body);
    const me = await g.call('GET', '/v1/sales/sale-1/me', { token: alice });
    expect(me.status).toBe(200);
    exactly(saleMaskResponseSchema, me.body);
  });

  it('an error from anywhere: an unknown route, an unknown sale', async () => {
    const route = await g.call('GET', '/v1/nowhere');
    expect([route.status, route.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    exactly(errorBodySchema, route.body);
    const sale = await g.call('GET', '/v1/sales/no-such-sale');
    expect([sale.status, sale.body.error?.code]).toEqual([404, 'UNKNOWN_SALE']);
    exactly(errorBodySchema, sale.body);
  });
});
