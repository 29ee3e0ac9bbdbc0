import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBid, startTestGavel } from '../../test/support/gavel.ts';
import { DEMO_BIDDERS, seedDemo } from './seed.ts';
import type { RunningGateway } from '../server.ts';

/** The seeded demo sale that `npm start` prints: it must work as the README says. */
describe('demo sale (embedded default)', () => {
  let g: RunningGateway;
  beforeAll(async () => {
    g = await startTestGavel();
    await seedDemo(g.store!);
  });
  afterAll(async () => {
    await g.close();
  });

  it('takes bids on the timed lots from the demo bidders', async () => {
    const alice = await g.tokens.sign({ id: DEMO_BIDDERS[0].id, role: 'bidder', name: DEMO_BIDDERS[0].name });
    const res = await postBid(g.url, 'timed-1', alice, { amount: '1000.00' }, randomUUID());
    expect(res.status).toBe(201);
    const carol = await g.tokens.sign({ id: DEMO_BIDDERS[2].id, role: 'bidder', name: DEMO_BIDDERS[2].name });
    const over = await postBid(g.url, 'timed-3', carol, { amount: '25000.00' }, randomUUID());
    expect([over.status, over.body.error?.code]).toEqual([403, 'OVER_LIMIT']);
  });

  it('keeps live lots for the auctioneer to open, then takes bids at the asking price', async () => {
    const bob = await g.tokens.sign({ id: DEMO_BIDDERS[1].id, role: 'bidder', name: DEMO_BIDDERS[1].name });
    const early = await postBid(g.url, 'live-2', bob, { amount: '2500.00' }, randomUUID());
    expect([early.status, early.body.error?.code]).toEqual([409, 'NOT_STARTED']);
    const clerk = await g.tokens.sign({ id: 'demo-auctioneer', role: 'auctioneer', name: 'Auctioneer' });
    const open = await fetch(`${g.url}/v1/auctions/live-2/floor/open`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${clerk}`, 'Idempotency-Key': randomUUID() },
    });
    expect(open.status).toBe(200);
    expect((await postBid(g.url, 'live-2', bob, { amount: '2500.00' }, randomUUID())).status).toBe(201);
  });
});
