import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import type { Role, UserTokens } from '../auth.ts';
import { readJson } from '../errors.ts';

export interface DemoUser {
  id: string;
  name: string;
  role: Role;
}

const body = z.strictObject({
  user: z.string({ error: 'user is required, e.g. "bidder-alice"' }).min(1).max(100),
});

/**
 * The seeded demo's sign-in: a token for one of its users, no password. Mounted only when the
 * demo is seeded, so a real deployment has no way to mint tokens without credentials.
 * GET /v1/demo/users lists them (the sign-in buttons); POST /v1/demo/sign-in {"user"} signs in.
 */
export function demoSignInRoutes(users: readonly DemoUser[], tokens: UserTokens): Hono {
  const app = new Hono();
  app.get('/users', (c) => c.json({ users }));
  app.post('/sign-in', async (c) => {
    const { user: id } = body.parse(await readJson(c));
    const user = users.find((u) => u.id === id);
    if (user === undefined)
      throw new AppError(404, 'UNKNOWN_USER', `no demo user "${id}"; pick one of GET /v1/demo/users`);
    const token = await tokens.sign(user);
    c.header('Cache-Control', 'no-store');
    return c.json({ token, user });
  });
  return app;
}
