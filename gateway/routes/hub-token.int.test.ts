import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPublisher } from '../../hub/index.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { postBid, startTestGavel } from '../../test/support/gavel.ts';
import { connectSse, eventsBeforeMarker, type SseConnection } from '../../test/support/sse-client.ts';
import type { RunningGateway } from '../server.ts';
import { readableTopics } from './hub-token.ts';

/** POST /v1/hub-token: what each role's subscriber token covers, checked against the real embedded hub. */
describe('hub subscriber tokens (embedded, real HTTP and SSE)', () => {
  const t = makeTopics('https://gavel.local');
  let g: RunningGateway;
  const users: Record<'alice' | 'clerk' | 'ops', string> = { alice: '', clerk: '', ops: '' };

  beforeAll(async () => {
    g = await startTestGavel({ ratePerSecond: 50, rateBurst: 100 });
    users.alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    users.clerk = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
    users.ops = await g.tokens.sign({ id: 'ops', role: 'admin', name: 'Ops' });
  });
  afterAll(async () => {
    await g.close();
  });

  /** A hub token as the gateway mints it for `user` (undefined: anonymous). */
  async function hubToken(user: string | undefined): Promise<{ token: string; subscribe: string[] }> {
    const res = await fetch(`${g.url}/v1/hub-token`, {
      method: 'POST',
      headers: user === undefined ? {} : { Authorization: `Bearer ${user}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { token: string; subscribe: string[] };
  }

  async function subscribe(topic: string, token: string): Promise<SseConnection> {
    return connectSse(`${g.hubUrl}?topic=${encodeURIComponent(topic)}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
  }

  it('gives staff the auction and sale selectors, a bidder their own topic and invited sales, anonymous nothing — never "*"', () => {
    const staff = [
      'https://gavel.local/auctions/{id}',
      'https://gavel.local/sales/{id}',
      'https://gavel.local/staff/sales/{id}',
    ];
    expect(readableTopics(t, undefined)).toEqual([]);
    expect(readableTopics(t, { id: 'clerk', role: 'auctioneer', name: undefined })).toEqual(staff);
    expect(readableTopics(t, { id: 'ops', role: 'admin', name: undefined })).toEqual(staff);
    expect(readableTopics(t, { id: 'alice', role: 'bidder', name: undefined })).toEqual([
      'https://gavel.local/bidders/alice',
    ]);
    expect(readableTopics(t, { id: 'alice', role: 'bidder', name: undefined }, ['club'])).toEqual([
      'https://gavel.local/sales/club',
      'https://gavel.local/bidders/alice',
    ]);
  });

  it('a staff token covers sale topics: a private update on a sale topic reaches it, not a bidder nor anonymous', async () => {
    // Public updates reach any subscriber; what a token's selectors decide is who gets a private one
    // (an invite-only sale's). A sale selector that matches no sale topic (the braces
    // percent-encoded) would deliver nothing to staff here.
    const sale = `sale-${randomUUID().slice(0, 8)}`;
    const [clerk, ops, alice, anon] = await Promise.all(
      [users.clerk, users.ops, users.alice, undefined].map(async (u) =>
        subscribe(t.sale(sale), (await hubToken(u)).token),
      ),
    );
    await localPublisher(g.hub!).publish({
      topics: [t.sale(sale)],
      data: JSON.stringify({ note: 'for the room' }),
      private: true,
      type: 'sale.note',
    });
    for (const feed of [clerk!, ops!]) {
      const [ev] = await feed.waitFor(1, 10_000);
      expect(ev?.event).toBe('sale.note');
      feed.close();
    }
    const marker = (type: string) =>
      localPublisher(g.hub!).publish({ topics: [t.sale(sale)], data: '{}', type });
    for (const feed of [alice!, anon!]) {
      expect((await eventsBeforeMarker(feed, marker)).filter((e) => e.event === 'sale.note')).toEqual([]);
      feed.close();
    }
  });

  it("staff tokens do not cover a bidder's topic: the maximum in a bidder's notice reaches only the bidder", async () => {
    const id = `ht-${randomUUID().slice(0, 8)}`;
    await g.store!.configure(timedSetup(id, Date.now()));
    await g.store!.setEligibility(id, 'alice', 1_000_000);
    const aliceTopic = t.bidder('alice');
    const own = await subscribe(aliceTopic, (await hubToken(users.alice)).token);
    const clerk = await subscribe(aliceTopic, (await hubToken(users.clerk)).token);
    const ops = await subscribe(aliceTopic, (await hubToken(users.ops)).token);

    const res = await postBid(g.url, id, users.alice, { amount: '100.00', max: '900.00' }, randomUUID());
    expect(res.status).toBe(201);
    const [leading] = await own.waitFor(1, 10_000);
    expect(leading?.event).toBe('leading');
    expect(JSON.parse(leading!.data)).toMatchObject({ type: 'leading', yourMaximum: '900.00' });

    // A public marker on the same topic after Alice had her notice: each stream delivers in order,
    // so once the marker is there, the notice would have been before it.
    await localPublisher(g.hub!).publish({ topics: [aliceTopic], data: '{}', type: 'marker' });
    for (const staff of [clerk, ops]) {
      const events = await staff.waitFor(1, 10_000);
      expect(events.map((e) => e.event)).toEqual(['marker']);
      staff.close();
    }
    own.close();
  });

  it('tells a staff member they have no private topic', async () => {
    const res = await fetch(`${g.url}/v1/hub-token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${users.clerk}` },
    });
    const body = (await res.json()) as { privateTopic: string | null; subscribe: string[] };
    expect(body.privateTopic).toBeNull();
    expect(body.subscribe).not.toContain('*');
  });
});

/** Embedded behind a reverse proxy (PUBLIC_ORIGIN): the pages must reach the hub the way they came. */
describe('the hub URL the pages are told (embedded)', () => {
  it('is on PUBLIC_ORIGIN when it is set, on the listen address when not', async () => {
    const hubUrlOf = async (g: RunningGateway): Promise<string> => {
      const alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
      const res = await fetch(`${g.url}/v1/hub-token`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${alice}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { hubUrl: string }).hubUrl;
    };
    const proxied = await startTestGavel({ publicOrigin: 'https://bids.example.test' });
    try {
      expect(await hubUrlOf(proxied)).toBe('https://bids.example.test/.well-known/mercure');
      // The hub itself still answers on the listen address (what the tests connect to).
      expect(proxied.hubUrl).toBe(`${proxied.url}/.well-known/mercure`);
    } finally {
      await proxied.close();
    }
    const direct = await startTestGavel();
    try {
      expect(await hubUrlOf(direct)).toBe(`${direct.url}/.well-known/mercure`);
    } finally {
      await direct.close();
    }
  });
});
