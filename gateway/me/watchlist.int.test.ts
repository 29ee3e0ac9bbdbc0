/**
 * The watch list as a distributed deployment serves it: a gateway with ORCHESTRATOR_URL and the
 * accounts service token, the back office on real PostgreSQL, `/v1/me/watchlist` over HTTP with the
 * bidder's bearer token (the gateway reaches the back office's /bidders-self/v1 through
 * RemoteBidderSelf). Refusals carry their codes; each bidder sees and changes only their own list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserTokens, type Role } from '../../common/auth.ts';
import { watchListSchema } from '../../common/contracts/bidder-self.ts';
import type { RunningGateway } from '../index.ts';
import { startTestGavel } from '../../test/support/gavel.ts';
import { LATER, startTestBackOffice, type TestBackOffice } from '../../test/support/orchestrator.ts';

const SERVICE_TOKEN = 'watchlist-service-token-for-tests-0123';
const USER_KEY = 'watchlist-user-key-0123456789abcdef0123456789';
const users = new UserTokens({ key: USER_KEY, audience: 'api' });
let bo: TestBackOffice;
let gateway: RunningGateway;
const token = (id: string, role: Role = 'bidder'): Promise<string> => users.sign({ id, role, name: id });

async function call(
  method: 'GET' | 'PUT' | 'DELETE',
  path: string,
  bearer?: string,
): Promise<{ status: number; body: { lots?: { lotId: string }[]; error?: { code: string } } }> {
  const res = await fetch(`${gateway.url}/v1/me/watchlist${path}`, {
    method,
    headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` },
  });
  return { status: res.status, body: (await res.json()) as never };
}
const ids = (b: { lots?: { lotId: string }[] }): string[] => (b.lots ?? []).map((l) => l.lotId);

async function sale(id: string, lots: string[], extra: Record<string, unknown> = {}): Promise<void> {
  await bo.ok('POST', '/sales', { id, mode: 'timed', currency: 'EUR', title: id, ...LATER, ...extra });
  for (const [i, lot] of lots.entries())
    await bo.ok('POST', `/sales/${id}/lots`, {
      id: lot,
      lotNumber: i + 1,
      title: `Lot ${lot}`,
      opening: '100.00',
      increments: [{ from: '0', step: '10.00' }],
    });
}

beforeAll(async () => {
  bo = await startTestBackOffice('watchlist', { accounts: { serviceToken: SERVICE_TOKEN } });
  gateway = await startTestGavel({
    orchestratorUrl: bo.orch.url!,
    accountsServiceToken: SERVICE_TOKEN,
    publicOrigin: 'http://gavel.test',
    userJwtKey: USER_KEY,
  });
  await sale('wl-public', ['wl-a', 'wl-b', 'wl-c']);
  await bo.ok('POST', '/sales/wl-public/publish');
  await sale('wl-draft', ['wl-draft-1']);
  await sale('wl-private', ['wl-secret'], { visibility: 'invite_only' });
  await bo.ok('POST', '/sales/wl-private/publish');
}, 90_000);
afterAll(async () => {
  await gateway?.close();
  await bo?.close();
});

describe('GET/PUT/DELETE /v1/me/watchlist across processes', () => {
  it('stars and unstars lots, idempotently', async () => {
    const alice = await token('wl-alice');
    expect(await call('GET', '', alice)).toEqual({ status: 200, body: { lots: [] } });
    expect(ids((await call('PUT', '/wl-a', alice)).body)).toEqual(['wl-a']);
    const twice = await call('PUT', '/wl-c', alice);
    expect(twice.status).toBe(200);
    expect(ids(twice.body).sort()).toEqual(['wl-a', 'wl-c']);
    // Again: still once.
    expect(ids((await call('PUT', '/wl-c', alice)).body).sort()).toEqual(['wl-a', 'wl-c']);
    const list = await call('GET', '', alice);
    expect(watchListSchema.safeParse(list.body).success).toBe(true);
    expect(list.body.lots?.find((l) => l.lotId === 'wl-a')).toMatchObject({ saleId: 'wl-public' });
    expect(ids((await call('DELETE', '/wl-a', alice)).body)).toEqual(['wl-c']);
    expect(ids((await call('DELETE', '/wl-a', alice)).body)).toEqual(['wl-c']);
  });

  it("keeps each bidder's list their own", async () => {
    const bob = await token('wl-bob');
    const carol = await token('wl-carol');
    await call('PUT', '/wl-b', bob);
    expect(ids((await call('GET', '', carol)).body)).toEqual([]);
    // Carol unstarring Bob's lot changes only her (empty) list.
    await call('DELETE', '/wl-b', carol);
    expect(ids((await call('GET', '', bob)).body)).toEqual(['wl-b']);
    // The path names a lot, never a bidder: there is no way to ask for someone else's list.
    expect((await call('GET', '/wl-bob', carol)).status).toBe(404);
  });

  it('refuses with codes: no token, not a bidder, a bad id, a lot the bidder may not see', async () => {
    const dave = await token('wl-dave');
    const refusals = [
      [await call('GET', ''), 401, 'UNAUTHENTICATED'],
      [await call('PUT', '/wl-a', await token('wl-staff', 'auctioneer')), 403, 'FORBIDDEN'],
      [await call('PUT', '/bad%20id', dave), 400, 'VALIDATION_FAILED'],
      [await call('PUT', '/wl-nope', dave), 404, 'UNKNOWN_LOT'],
      // Not published yet: as if it did not exist.
      [await call('PUT', '/wl-draft-1', dave), 404, 'UNKNOWN_LOT'],
      // Invite-only, and Dave is not invited.
      [await call('PUT', '/wl-secret', dave), 404, 'UNKNOWN_LOT'],
    ] as const;
    for (const [answer, status, code] of refusals) {
      expect(answer.status, code).toBe(status);
      expect(answer.body.error?.code).toBe(code);
    }
    expect(ids((await call('GET', '', dave)).body)).toEqual([]);
  });

  it('holds at most 500 lots a bidder (WATCHLIST_FULL)', async () => {
    const erin = await token('wl-erin');
    // 500 more lots in the public sale, each a copy of wl-a, all watched by Erin.
    await bo.orch.db.query(
      `INSERT INTO lots SELECT (jsonb_populate_record(l, jsonb_build_object('id', 'wl-bulk-' || g, 'lot_number', 100 + g))).*
         FROM lots l, generate_series(1, 500) g WHERE l.id = 'wl-a'`,
    );
    await bo.orch.db.query(
      `INSERT INTO watchlist (bidder_id, lot_id) SELECT 'wl-erin', 'wl-bulk-' || g FROM generate_series(1, 500) g`,
    );
    const full = await call('PUT', '/wl-a', erin);
    expect(full.status).toBe(409);
    expect(full.body.error?.code).toBe('WATCHLIST_FULL');
    // Unstarring one makes room.
    await call('DELETE', '/wl-bulk-1', erin);
    expect((await call('PUT', '/wl-a', erin)).status).toBe(200);
  });
});
