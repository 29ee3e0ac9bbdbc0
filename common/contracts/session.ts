/** Sign-in as the pages see it: the demo users, a signed-in session, and the caller's mask in a sale. */
import * as z from 'zod/mini';

export const ROLES = ['bidder', 'auctioneer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface SessionUser {
  id: string;
  name: string;
  role: Role;
}

/** POST /v1/demo/sign-in. */
export interface SignInResponse {
  token: string;
  user: SessionUser;
}

/** GET /v1/demo/users. */
export interface DemoUsersResponse {
  users: SessionUser[];
}

/** GET /v1/sales/{id}/me: how the public sees the caller in that sale. */
export interface SaleMaskResponse {
  saleId: string;
  bidderId: string;
  mask: string;
}

export const sessionUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
}) satisfies z.ZodMiniType<SessionUser>;

export const signInResponseSchema = z.object({
  token: z.string(),
  user: sessionUserSchema,
}) satisfies z.ZodMiniType<SignInResponse>;

export const demoUsersResponseSchema = z.object({
  users: z.array(sessionUserSchema),
}) satisfies z.ZodMiniType<DemoUsersResponse>;

export const saleMaskResponseSchema = z.object({
  saleId: z.string(),
  bidderId: z.string(),
  mask: z.string(),
}) satisfies z.ZodMiniType<SaleMaskResponse>;
