import { describe, expect, it } from 'vitest';
import { gatewayConfigFromEnv } from '../config.ts';

const DISTRIBUTED = {
  GAVEL_MODE: 'distributed',
  REDIS_URL: 'redis://127.0.0.1:6379',
  HUB_URL: 'https://bids.example.com/.well-known/mercure',
  GATEWAY_JWT_KEY: 'k'.repeat(32),
  GAVEL_MASK_KEY: 'm'.repeat(32),
  MERCURE_PUBLISHER_JWT_KEY: 'p'.repeat(32),
  ORCHESTRATOR_URL: 'http://office.internal:3003',
};

describe('the sign-in settings of the gateway', () => {
  it('keeps the origin of PUBLIC_ORIGIN, and refuses what is no http(s) origin', () => {
    expect(gatewayConfigFromEnv({ PUBLIC_ORIGIN: 'https://bids.example.com/some/path' }).publicOrigin).toBe(
      'https://bids.example.com',
    );
    expect(gatewayConfigFromEnv({}).publicOrigin).toBeUndefined();
    for (const bad of ['bids.example.com', 'ftp://bids.example.com'])
      expect(() => gatewayConfigFromEnv({ PUBLIC_ORIGIN: bad }), bad).toThrow(/PUBLIC_ORIGIN/);
  });

  it('wants a long enough ACCOUNTS_SERVICE_TOKEN, and PUBLIC_ORIGIN beside it when distributed', () => {
    expect(() => gatewayConfigFromEnv({ ACCOUNTS_SERVICE_TOKEN: 'short' })).toThrow(/ACCOUNTS_SERVICE_TOKEN/);
    const token = { ACCOUNTS_SERVICE_TOKEN: 'a-service-token-0123456789abcdef' };
    expect(() => gatewayConfigFromEnv({ ...DISTRIBUTED, ...token })).toThrow(/needs PUBLIC_ORIGIN/);
    const config = gatewayConfigFromEnv({
      ...DISTRIBUTED,
      ...token,
      PUBLIC_ORIGIN: 'https://bids.example.com',
    });
    expect([config.accountsServiceToken, config.publicOrigin]).toEqual([
      'a-service-token-0123456789abcdef',
      'https://bids.example.com',
    ]);
  });

  it('takes ADMIN_JWT_KEY (a back-office gateway serving /admin) only when long enough', () => {
    expect(gatewayConfigFromEnv(DISTRIBUTED).adminJwtKey).toBeUndefined();
    expect(gatewayConfigFromEnv({ ...DISTRIBUTED, ADMIN_JWT_KEY: 'a'.repeat(32) }).adminJwtKey).toBe(
      'a'.repeat(32),
    );
    expect(() => gatewayConfigFromEnv({ ...DISTRIBUTED, ADMIN_JWT_KEY: 'short' })).toThrow(/ADMIN_JWT_KEY/);
  });
});
