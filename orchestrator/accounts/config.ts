import { z } from 'zod';
import { envSecret, loadEnv } from '../../common/config.ts';

/** The accounts API a gateway in another process calls (`/accounts/v1`); unset token = not served. */
export interface AccountsConfig {
  /** `ACCOUNTS_SERVICE_TOKEN`: the gateways' credential (at least 16 bytes); the same value on both sides. */
  serviceToken: string | undefined;
}

const schema = z.object({ ACCOUNTS_SERVICE_TOKEN: envSecret(16) });

export function accountsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AccountsConfig {
  return { serviceToken: loadEnv(schema, env).ACCOUNTS_SERVICE_TOKEN };
}
