import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../common/config.ts';
import { notifyConfigFromEnv } from '../config.ts';
import { generateVapidKeys, vapidProblem } from './vapid.ts';

describe('VAPID keys', () => {
  const good = generateVapidKeys('mailto:ops@house.example');
  const env = (over: Record<string, string>) => ({
    VAPID_PUBLIC_KEY: good.publicKey,
    VAPID_PRIVATE_KEY: good.privateKey,
    VAPID_SUBJECT: good.subject,
    ...over,
  });

  it('are read from the environment when all three are given', () => {
    expect(notifyConfigFromEnv(env({})).push).toEqual({ vapid: good });
    expect(notifyConfigFromEnv({}).push).toBeUndefined();
  });

  it('refuse at start, with the reason, what would fail at the first push', () => {
    const other = generateVapidKeys('mailto:x@y.example');
    const refused = (over: Record<string, string>): string => {
      try {
        notifyConfigFromEnv(env(over));
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ VAPID_SUBJECT: '' })).toMatch(/VAPID_SUBJECT: .*go together/);
    expect(refused({ VAPID_PUBLIC_KEY: good.publicKey.slice(4) })).toMatch(/65 \(uncompressed/);
    expect(refused({ VAPID_PRIVATE_KEY: `${good.privateKey}==` })).toMatch(/not base64url/);
    expect(refused({ VAPID_PUBLIC_KEY: other.publicKey })).toMatch(/not the public key of VAPID_PRIVATE_KEY/);
    expect(refused({ VAPID_SUBJECT: 'ops@house.example' })).toMatch(/mailto: or https:/);
    expect(vapidProblem({ ...good, privateKey: Buffer.alloc(32).toString('base64url') })).toMatch(
      /not a valid P-256 private key/,
    );
  });
});
