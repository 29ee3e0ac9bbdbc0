/**
 * The Hono environment of Gavel's HTTP APIs: what the shared middleware puts on the context —
 * `requestId` (hono/request-id; also the correlation id carried into the engine's logs) and `user`
 * (common/auth.ts `authenticate`: the verified caller, undefined when anonymous).
 */
import type { AuthVariables } from './auth.ts';

export type AppVariables = AuthVariables & { requestId: string };

export type AppEnv = { Variables: AppVariables };
