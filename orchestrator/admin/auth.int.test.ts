import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config.ts';
import { startTestBackOffice, TEST_JWT_KEY, type TestBackOffice } from '../../test/support/orchestrator.ts';
import { runUntilExit } from '../../test/support/process.ts';
import { REDIS_URL } from '../../test/support/redis-namespace.ts';
import { signClaims, tokenClaims, type TokenClaims } from '../../test/support/tokens.ts';
import { orchestratorConfigFromEnv } from '../service/config.ts';

const ops = { id: 'ops', role: 'admin' } as const;

/** The admin API's tokens: the admin audience only, under an hour, every claim present; optionally a key of their own. */
describe('admin API authentication (real PostgreSQL, Redis and HTTP)', () => {
  let t: TestBackOffice;
  beforeAll(async () => {
    t = await startTestBackOffice('admin-auth');
  });
  afterAll(async () => {
    await t.close();
  });

  const sales = async (claims: TokenClaims, key = TEST_JWT_KEY): Promise<[number, string | undefined]> => {
    const a = await t.api('GET', '/sales', undefined, await signClaims(key, claims));
    return [a.status, a.body.error?.code];
  };

  it('takes an admin-audience admin token', async () => {
    expect(await sales(tokenClaims(ops, 'admin'))).toEqual([200, undefined]);
  });

  it.each([
    ['an API-audience token, even an admin one', { aud: 'gavel-staff' }],
    ["a bidder's audience", { aud: 'gavel-bidder' }],
    ['no aud', { aud: undefined }],
    ['no exp', { exp: undefined }],
    ['no iat', { iat: undefined }],
    ['a lifetime of an hour', { exp: Math.floor(Date.now() / 1000) + 3600 }],
    ['a 100-year exp', { exp: Math.floor(Date.now() / 1000) + 100 * 365 * 86_400 }],
    [
      'an iat in the future',
      { iat: Math.floor(Date.now() / 1000) + 900, exp: Math.floor(Date.now() / 1000) + 1200 },
    ],
    ['another issuer', { iss: 'someone-else' }],
  ] as const)('refuses %s (401)', async (_label, overrides) => {
    expect(await sales(tokenClaims(ops, 'admin', overrides))).toEqual([401, 'TOKEN_INVALID_CLAIMS']);
  });

  it('refuses a bidder with an admin-audience token (403)', async () => {
    expect(await sales(tokenClaims({ id: 'b', role: 'bidder' }, 'admin'))).toEqual([403, 'FORBIDDEN']);
  });

  it('with ADMIN_JWT_KEY, takes only tokens signed with it, not with the gateway key', async () => {
    const adminKey = 'admin-only-key-0123456789abcdef0123456789abcdef';
    const own = await startTestBackOffice('admin-auth-key', { adminJwtKey: adminKey });
    try {
      const get = async (key: string): Promise<number> =>
        (await own.api('GET', '/sales', undefined, await signClaims(key, tokenClaims(ops, 'admin')))).status;
      expect(await get(adminKey)).toBe(200);
      expect(await get(TEST_JWT_KEY)).toBe(401);
    } finally {
      await own.close();
    }
  });
});

describe('admin-token keys', () => {
  it('refuses GATEWAY_JWT_KEY or ADMIN_JWT_KEY under 32 bytes, naming the variable', () => {
    const base = { REDIS_URL, GAVEL_MASK_KEY: 'm'.repeat(32) };
    expect(() => orchestratorConfigFromEnv({ ...base, GATEWAY_JWT_KEY: 'a' })).toThrow(
      /GATEWAY_JWT_KEY: expected at least 32 bytes, got 1/,
    );
    expect(() => orchestratorConfigFromEnv({ ...base, ADMIN_JWT_KEY: 'x'.repeat(20) })).toThrow(ConfigError);
    expect(orchestratorConfigFromEnv({ ...base, ADMIN_JWT_KEY: 'x'.repeat(32) }).adminJwtKey).toBe(
      'x'.repeat(32),
    );
  });

  it('`npm run orchestrator` and `npm start` exit 2 at start with GATEWAY_JWT_KEY=a', async () => {
    const run = (script: string) =>
      runUntilExit(script, { GATEWAY_JWT_KEY: 'a', REDIS_URL, GAVEL_LEDGER: 'false', PORT: '0' });
    const [orch, gateway] = await Promise.all([run('orchestrator/main.ts'), run('main.ts')]);
    expect(orch.code).toBe(2);
    expect(orch.err).toContain('GATEWAY_JWT_KEY: expected at least 32 bytes');
    expect(gateway.code).toBe(2);
    expect(gateway.err).toContain('GATEWAY_JWT_KEY: expected at least 32 bytes');
  }, 60_000);
});
