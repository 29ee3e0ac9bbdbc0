import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TOKEN_SECONDS, UserTokens } from '../../common/auth.ts';
import { ConfigError } from '../../common/config.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { postBid, startTestGavel } from '../../test/support/gavel.ts';
import { signClaims, tokenClaims, type TokenClaims } from '../../test/support/tokens.ts';
import { gatewayConfigFromEnv } from '../config.ts';
import type { RunningGateway } from '../server.ts';

/** User tokens at the gateway: what a token must carry, how long it may live, whose audience it is. */
describe('user tokens at the gateway (real HTTP)', () => {
  let g: RunningGateway;
  let lot: string;
  const now = (): number => Math.floor(Date.now() / 1000);
  const alice = { id: 'alice', role: 'bidder' } as const;

  beforeAll(async () => {
    g = await startTestGavel({ ratePerSecond: 100, rateBurst: 200 });
    lot = `auth-${randomUUID().slice(0, 8)}`;
    await g.store!.configure(timedSetup(lot, Date.now()));
    await g.store!.setEligibility(lot, 'alice', 100_000_000);
  });
  afterAll(async () => {
    await g.close();
  });

  /** Alice's bid of a fresh amount with a token of these claims: the status and error code. */
  let amount = 100;
  async function bidWith(claims: TokenClaims): Promise<[number, string | undefined, unknown]> {
    const token = await signClaims(g.config.userJwtKey!, claims);
    amount += 10;
    const res = await postBid(g.url, lot, token, { amount: `${amount}.00` }, randomUUID());
    return [res.status, res.body.error?.code, (res.body.error?.details as { claim?: string })?.claim];
  }

  it('takes a token with every claim, within its lifetime', async () => {
    expect(await bidWith(tokenClaims(alice, 'api'))).toEqual([201, undefined, undefined]);
    // A signer whose clock is a little ahead: iat 30 s from now is within the skew.
    expect(await bidWith(tokenClaims(alice, 'api', { iat: now() + 30, exp: now() + 3600 }))).toEqual([
      201,
      undefined,
      undefined,
    ]);
    expect(await bidWith(tokenClaims(alice, 'api', { exp: now() + MAX_TOKEN_SECONDS.bidder }))).toEqual([
      201,
      undefined,
      undefined,
    ]);
  });

  it.each([
    ['no exp', { exp: undefined }, 'exp'],
    ['no iat', { iat: undefined }, 'iat'],
    ['no sub', { sub: undefined }, 'sub'],
    ['a 100-year exp', { exp: 4_102_444_800 + 100 * 365 * 86_400 }, 'exp'],
    ['a bidder token of 13 hours', { exp: Math.floor(Date.now() / 1000) + 13 * 3600 }, 'exp'],
    [
      'an iat 10 minutes in the future',
      { iat: Math.floor(Date.now() / 1000) + 600, exp: Math.floor(Date.now() / 1000) + 3600 },
      'iat',
    ],
    ['no iss', { iss: undefined }, 'iss'],
    ['another iss', { iss: 'someone-else' }, 'iss'],
    ['no aud', { aud: undefined }, 'aud'],
    ['the admin audience', { aud: 'gavel-admin' }, 'aud'],
    ["the staff audience (a bidder's token must say gavel-bidder)", { aud: 'gavel-staff' }, 'aud'],
    ['the retired shared audience gavel-api', { aud: 'gavel-api' }, 'aud'],
    ['another aud', { aud: 'https://example.com' }, 'aud'],
  ] as const)('refuses a token with %s (401 naming the claim)', async (_label, overrides, claim) => {
    expect(await bidWith(tokenClaims(alice, 'api', overrides))).toEqual([401, 'TOKEN_INVALID_CLAIMS', claim]);
  });

  it("refuses a staff role in a bidder's audience: the audience is bound to the role", async () => {
    const clerk = { id: 'clerk', role: 'auctioneer' } as const;
    const floor = async (claims: TokenClaims): Promise<[number, string | undefined]> => {
      const token = await signClaims(g.config.userJwtKey!, claims);
      const res = await fetch(`${g.url}/v1/auctions/${lot}/floor`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return [res.status, ((await res.json()) as { error?: { code?: string } }).error?.code];
    };
    // Past authentication (a timed lot has no floor state: 409), so the token itself was taken.
    expect(await floor(tokenClaims(clerk, 'api'))).toEqual([
      409,
      expect.not.stringMatching(/^TOKEN_/) as string,
    ]);
    expect(await floor(tokenClaims(clerk, 'api', { aud: 'gavel-bidder' }))).toEqual([
      401,
      'TOKEN_INVALID_CLAIMS',
    ]);
  });

  it('bounds an admin token to under an hour, also on the floor routes', async () => {
    const floor = async (claims: TokenClaims): Promise<number> => {
      const token = await signClaims(g.config.userJwtKey!, claims);
      const res = await fetch(`${g.url}/v1/auctions/${lot}/floor`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return res.status;
    };
    const ops = { id: 'ops', role: 'admin' } as const;
    // A timed lot has no floor (409 NOT_LIVE), but the token was taken: the route ran.
    expect(await floor(tokenClaims(ops, 'api'))).toBe(409);
    expect(await floor(tokenClaims(ops, 'api', { exp: now() + 3600 }))).toBe(401);
    expect(await floor(tokenClaims(ops, 'admin'))).toBe(401);
  });

  it('reads no gavel_session cookie: a token counts only in the Authorization header', async () => {
    const token = await signClaims(g.config.userJwtKey!, tokenClaims(alice, 'api'));
    const res = await fetch(`${g.url}/v1/auctions/${lot}/bids`, {
      method: 'POST',
      headers: {
        Cookie: `gavel_session=${token}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': randomUUID(),
      },
      body: JSON.stringify({ amount: '5000.00' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  it('signs only tokens it would take: the role bounds the lifetime', async () => {
    const tokens = new UserTokens({ key: g.config.userJwtKey!, audience: 'api' });
    await expect(tokens.sign({ id: 'ops', role: 'admin', name: undefined }, 3600)).rejects.toThrow(
      RangeError,
    );
    const admin = await tokens.sign({ id: 'ops', role: 'admin', name: undefined });
    expect(await tokens.verify(admin)).toEqual({ id: 'ops', role: 'admin', name: undefined });
  });
});

describe('user-token keys', () => {
  it('refuses a key under 32 bytes at start-up, naming the variable', () => {
    expect(() => gatewayConfigFromEnv({ GATEWAY_JWT_KEY: 'a' })).toThrow(ConfigError);
    expect(() => gatewayConfigFromEnv({ GATEWAY_JWT_KEY: 'k'.repeat(31) })).toThrow(
      /GATEWAY_JWT_KEY: expected at least 32 bytes, got 31/,
    );
    expect(gatewayConfigFromEnv({ GATEWAY_JWT_KEY: 'k'.repeat(32) }).userJwtKey).toBe('k'.repeat(32));
    expect(() => new UserTokens({ key: 'short', audience: 'api' })).toThrow(ConfigError);
  });
});
