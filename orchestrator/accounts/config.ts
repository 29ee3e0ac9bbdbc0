import { z } from 'zod';
import { envSecret, loadEnv } from '../../common/config.ts';

/** The accounts API a gateway in another process calls (`/accounts/v1`); unset token = not served. */
export interface AccountsConfig {
  /** `ACCOUNTS_SERVICE_TOKEN`: the gateways' credential (at least 16 bytes); the same value on both sides. */
  serviceToken: string | undefined;
  /** `ACCOUNTS_TOTP_KEY`: 32 bytes (base64 or base64url) sealing the staff's TOTP secrets; unset = stored as they are. */
  totpKey?: Buffer | undefined;
}

const totpKey = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const key = Buffer.from(v, 'base64');
    if (key.length === 32) return key;
    ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes in base64 (openssl rand -base64 32)' });
    return z.NEVER;
  });

const schema = z.object({ ACCOUNTS_SERVICE_TOKEN: envSecret(), ACCOUNTS_TOTP_KEY: totpKey });

export function accountsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AccountsConfig {
  const e = loadEnv(schema, env);
  return { serviceToken: e.ACCOUNTS_SERVICE_TOKEN, totpKey: e.ACCOUNTS_TOTP_KEY };
}
