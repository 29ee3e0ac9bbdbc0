import { biddingConfigFromEnv } from '../../bidding/index.ts';
import { tracingConfigFromEnv } from '../../common/tracing.ts';
import { gatewayConfigFromEnv } from '../../gateway/index.ts';
import { embeddedHubConfigFromEnv, hubConfigFromEnv } from '../../hub/index.ts';
import {
  embeddedLedgerConfigFromEnv,
  notifyConfigFromEnv,
  orchestratorConfigFromEnv,
} from '../../orchestrator/index.ts';

/**
 * Each process's config readers (the `*ConfigFromEnv` functions its entry point calls), and the
 * variable names they read, observed: handed an environment that records every name looked up in
 * it (zod reads each key of an object schema's shape). Used by test/docs-configuration.test.ts (the
 * docs name exactly what the code reads) and test/compose.test.ts (compose sets only what is read).
 */

export type Process = 'gateway' | 'hub' | 'bidding' | 'orchestrator';
export const PROCESSES: readonly Process[] = ['gateway', 'hub', 'bidding', 'orchestrator'];

/** Enough for every schema to pass, so no later schema of the same call is skipped. */
export const PASSING: Record<string, string> = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  HUB_PUBLISH_URL: 'redis://127.0.0.1:6379?prefix=gavel:{hub}',
  BIDDING_SERVICE_TOKEN: 'a-shared-token-of-thirty-two-bytes',
  GAVEL_MASK_KEY: 'k'.repeat(32),
};

/** The config readers each entry point calls; the test below checks them against the entry files. */
export const ENTRY_POINTS: Record<
  Process,
  { file: string; readers: Record<string, (env: NodeJS.ProcessEnv) => unknown> }
> = {
  gateway: {
    file: 'main.ts',
    readers: {
      gatewayConfigFromEnv,
      embeddedLedgerConfigFromEnv,
      embeddedHubConfigFromEnv,
      notifyConfigFromEnv,
      tracingConfigFromEnv,
    },
  },
  hub: { file: 'hub/main.ts', readers: { hubConfigFromEnv } },
  bidding: { file: 'bidding/main.ts', readers: { biddingConfigFromEnv, tracingConfigFromEnv } },
  orchestrator: {
    file: 'orchestrator/main.ts',
    readers: { orchestratorConfigFromEnv, tracingConfigFromEnv },
  },
};

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

export function namesRead(read: (env: NodeJS.ProcessEnv) => unknown): Set<string> {
  const seen = new Set<string>();
  const note = (key: string | symbol): void => {
    if (typeof key === 'string' && ENV_NAME.test(key)) seen.add(key);
  };
  const env = new Proxy<NodeJS.ProcessEnv>(
    { ...PASSING },
    {
      get(target, key) {
        note(key);
        return typeof key === 'string' ? target[key] : undefined;
      },
      has(target, key) {
        note(key);
        return typeof key === 'string' && key in target;
      },
    },
  );
  try {
    read(env);
  } catch {
    // A refused configuration has still been read in full; only the names matter here.
  }
  return seen;
}
