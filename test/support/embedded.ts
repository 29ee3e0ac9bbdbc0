import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserTokens } from '../../common/auth.ts';
import { freePort } from './net.ts';
import { startUntilRunning } from './process.ts';

/** `npm start`'s process as the end-to-end tests run it: its URLs and an admin's admin-API token. */
export interface RunningEmbedded {
  /** The gateway's origin, e.g. `http://127.0.0.1:40123`. */
  api: string;
  /** The embedded admin API, e.g. `http://127.0.0.1:40124/admin/v1`. */
  admin: string;
  /** An admin token signed with the ADMIN_JWT_KEY it was given. */
  adminToken: string;
  /** Everything it printed so far. */
  output(): string;
  /** Stops it and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * Starts `main.ts` (the embedded default, PGlite in a folder of its own, free ports, the hub's
 * metrics on any free port) with `env` on top, and resolves once it says it is running.
 */
export async function startEmbedded(
  name: string,
  env: Record<string, string> = {},
): Promise<RunningEmbedded> {
  const dir = await mkdtemp(join(tmpdir(), `gavel-${name}-`));
  const [port, adminPort] = [await freePort(), await freePort()];
  const adminKey = env.ADMIN_JWT_KEY ?? `${name}-e2e-admin-key-0123456789abcdef0123456789`;
  try {
    const running = await startUntilRunning({
      PORT: String(port),
      GAVEL_ADMIN_PORT: String(adminPort),
      GAVEL_DATA_DIR: join(dir, 'pglite'),
      GAVEL_MODE: 'embedded',
      LOG_LEVEL: 'warn',
      ADMIN_JWT_KEY: adminKey,
      // Any free port for the hub's metrics: other processes of the suite may hold the default.
      MERCURE_METRICS_PORT: '0',
      ...env,
    });
    const adminToken = await new UserTokens({ key: adminKey, audience: 'admin' }).sign({
      id: 'ops',
      role: 'admin',
      name: 'Ops',
    });
    return {
      api: `http://127.0.0.1:${port}`,
      admin: `http://127.0.0.1:${adminPort}/admin/v1`,
      adminToken,
      output: () => running.output(),
      async stop() {
        await running.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
