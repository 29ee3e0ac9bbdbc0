import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jwtAlgEnv, loadEnv, sharedEnv } from './config.ts';

const schema = z.object({ ...sharedEnv, ALG: jwtAlgEnv });

describe('the shared configuration fragment', () => {
  it('gives the defaults every service had', () => {
    expect(loadEnv(schema, {})).toEqual({
      LOG_LEVEL: 'info',
      REDIS_PREFIX: 'gavel',
      GAVEL_TOPIC_BASE: 'https://gavel.local',
      ALG: 'HS256',
    });
  });

  it('takes valid values and refuses the rest, naming the variable', () => {
    expect(
      loadEnv(schema, {
        LOG_LEVEL: 'debug',
        REDIS_PREFIX: 't:1',
        GAVEL_TOPIC_BASE: 'https://x.test',
        ALG: 'RS256',
      }),
    ).toMatchObject({ LOG_LEVEL: 'debug', REDIS_PREFIX: 't:1', ALG: 'RS256' });
    expect(() => loadEnv(schema, { LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadEnv(schema, { REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
    expect(() => loadEnv(schema, { GAVEL_TOPIC_BASE: 'not a url' })).toThrow(/GAVEL_TOPIC_BASE/);
    expect(() => loadEnv(schema, { ALG: 'none' })).toThrow(/ALG/);
  });
});
