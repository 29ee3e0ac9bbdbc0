import { describe, expect, it } from 'vitest';
import { gatewayConfigFromEnv } from '../gateway/index.ts';
import { hubConfigFromEnv } from '../hub/index.ts';
import { biddingConfigFromEnv } from '../bidding/index.ts';
import { orchestratorConfigFromEnv } from '../orchestrator/index.ts';

/** A good key: 32 random-looking bytes (as `openssl rand -hex 32` makes 64). */
const GOOD = '0123456789abcdef0123456789abcdef';
const SHORT = GOOD.slice(0, 31);

/** Each service's settings that start it, and the keys it must refuse when short. */
const SERVICES: {
  name: string;
  load: (env: NodeJS.ProcessEnv) => unknown;
  base: Record<string, string>;
  keys: string[];
}[] = [
  {
    name: 'gateway',
    load: gatewayConfigFromEnv,
    base: {},
    keys: [
      'GATEWAY_JWT_KEY',
      'ADMIN_JWT_KEY',
      'GAVEL_MASK_KEY',
      'MERCURE_PUBLISHER_JWT_KEY',
      'MERCURE_SUBSCRIBER_JWT_KEY',
      'ACCOUNTS_SERVICE_TOKEN',
      'BIDDING_SERVICE_TOKEN',
    ],
  },
  {
    name: 'hub',
    load: hubConfigFromEnv,
    base: {},
    keys: ['MERCURE_PUBLISHER_JWT_KEY', 'MERCURE_SUBSCRIBER_JWT_KEY'],
  },
  {
    name: 'bidding engine',
    load: biddingConfigFromEnv,
    base: {
      REDIS_URL: 'redis://127.0.0.1:6379',
      HUB_PUBLISH_URL: 'http://hub.internal/.well-known/mercure',
      BIDDING_SERVICE_TOKEN: GOOD,
      GAVEL_MASK_KEY: GOOD,
      MERCURE_PUBLISHER_JWT_KEY: GOOD,
    },
    keys: ['GAVEL_MASK_KEY', 'MERCURE_PUBLISHER_JWT_KEY', 'BIDDING_SERVICE_TOKEN'],
  },
  {
    name: 'orchestrator',
    load: orchestratorConfigFromEnv,
    base: { REDIS_URL: 'redis://127.0.0.1:6379', GAVEL_MASK_KEY: GOOD },
    keys: [
      'GATEWAY_JWT_KEY',
      'ADMIN_JWT_KEY',
      'GAVEL_MASK_KEY',
      'MERCURE_PUBLISHER_JWT_KEY',
      'ACCOUNTS_SERVICE_TOKEN',
    ],
  },
];

describe('start-up refuses weak keys', () => {
  for (const s of SERVICES)
    describe(`the ${s.name}`, () => {
      it('starts with its settings and 32-byte keys', () => {
        expect(() =>
          s.load({ ...s.base, ...Object.fromEntries(s.keys.map((k) => [k, GOOD])) }),
        ).not.toThrow();
      });

      for (const key of s.keys)
        it(`refuses ${key} under 32 bytes, naming it and saying how to make a good one`, () => {
          const load = (): unknown => s.load({ ...s.base, [key]: SHORT });
          expect(load).toThrow(new RegExp(`${key}: expected at least 32 bytes, got 31`));
          expect(load).toThrow(/openssl rand -hex 32/);
          // One character, the case that used to start happily.
          expect(() => s.load({ ...s.base, [key]: 'k' })).toThrow(new RegExp(`${key}: .*got 1`));
        });
    });

  it('takes a PEM key (RS256) written with \\n escapes, restoring its newlines', () => {
    const pem =
      '-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\\n-----END PUBLIC KEY-----';
    const hub = hubConfigFromEnv({ MERCURE_PUBLISHER_JWT_KEY: pem, MERCURE_PUBLISHER_JWT_ALG: 'ES256' });
    expect(hub.publisherKey).toBe(pem.replace(/\\n/g, '\n'));
  });
});
