import type { IncomingMessage } from 'node:http';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { isLoopback } from '../../common/loopback.ts';
import type { UserTokens } from '../../common/auth.ts';
import { readJson } from '../../common/http-body.ts';
import type { DemoUsersResponse, SessionUser, SignInResponse } from '../../common/contracts/index.ts';

/** A user of the seeded demo: who the sign-in buttons offer. */
export type DemoUser = SessionUser;

export interface DemoSignInOptions {
  /** Answer callers beyond this machine too (`GAVEL_DEMO_ALLOW_REMOTE`); default: loopback only. */
  allowRemote?: boolean;
}

const body = z.strictObject({
  user: z.string({ error: 'user is required, e.g. "bidder-alice"' }).min(1).max(100),
});

/** Headers a reverse proxy adds: a request that came through one is not from this machine, whatever its socket says. */
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** Whether the request came from this machine: a loopback peer, and not relayed by a proxy. */
function fromThisMachine(c: Context): boolean {
  // The Node request, when served by @hono/node-server; in-process requests have none (and are not trusted).
  const peer = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
  return peer !== undefined && isLoopback(peer) && FORWARDED.every((h) => c.req.header(h) === undefined);
}

export function localOnly(): MiddlewareHandler {
  return async function demoLocalOnly(c, next) {
    if (!fromThisMachine(c))
      throw new AppError(
        'DEMO_LOCAL_ONLY',
        'the demo sign-in answers only on the machine Gavel runs on; sign in with a token (the operator may set GAVEL_DEMO_ALLOW_REMOTE=true)',
      );
    await next();
  };
}

/**
 * The seeded demo's sign-in: a token for one of its users, no password. Mounted only when the
 * demo is seeded, so a real deployment has no way to mint tokens without credentials; and it
 * answers only callers on this machine unless `allowRemote`.
 * GET /v1/demo/users lists them (the sign-in buttons); POST /v1/demo/sign-in {"user"} signs in.
 */
export function demoSignInRoutes(
  users: readonly DemoUser[],
  tokens: UserTokens,
  opts: DemoSignInOptions = {},
): Hono {
  const app = new Hono();
  if (opts.allowRemote !== true) app.use('*', localOnly());
  app.get('/users', (c) => c.json({ users: [...users] } satisfies DemoUsersResponse));
  app.post('/sign-in', async (c) => {
    const { user: id } = body.parse(await readJson(c));
    const user = users.find((u) => u.id === id);
    if (user === undefined)
      throw new AppError('UNKNOWN_USER', `no demo user "${id}"; pick one of GET /v1/demo/users`);
    const token = await tokens.sign(user);
    c.header('Cache-Control', 'no-store');
    return c.json({ token, user } satisfies SignInResponse);
  });
  return app;
}
