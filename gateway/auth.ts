/** The gateway's auth is the shared user-token contract (common/auth.ts), also used by the orchestrator's admin API. */
export {
  authenticate,
  requireRole,
  ROLES,
  UserTokens,
  type AuthVariables,
  type Role,
  type User,
} from '../common/auth.ts';
