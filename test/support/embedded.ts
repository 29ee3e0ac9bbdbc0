import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserTokens } from '../../common/auth.ts';
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
  const adminKey = env.ADMIN_JWT_KEY ?? `${name}-e2e-admin-key-0123456789abcdef0123456789`;
  try {
    const running = await startUntilRunning({
      // Port 0: the process binds any free port and prints its URLs (picking one here and
      // binding it later raced other processes of the suite for it).
      PORT: '0',
      GAVEL_ADMIN_PORT: '0',
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
    const api = printed(running.output(), /API:\s+(http:\/\/[^/\s]+)\//);
    const admin = printed(running.output(), /Back office:\s+(http:\/\/[^/\s]+\/admin\/v1)\//);
    return {
      api,
      admin,
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

/** The URL `npm start` printed on the line `pattern` matches (its first group). */
function printed(output: string, pattern: RegExp): string {
  const found = pattern.exec(output)?.[1];
  if (found === undefined) throw new Error(`npm start did not print ${String(pattern)}:\n${output}`);
  return found;
}

/** Calls the embedded admin API as its admin; throws with the answer when it is not a success. */
export async function adminCall(
  g: RunningEmbedded,
  method: string,
  path: string,
  body?: unknown,
): Promise<void> {
  const res = await fetch(`${g.admin}${path}`, {
    method,
    headers: { Authorization: `Bearer ${g.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}
