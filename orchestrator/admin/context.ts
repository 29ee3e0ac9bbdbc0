/** What the admin API's routes share: their dependencies, the Hono environment and who is acting. */
import type { Context } from 'hono';
import type { User, UserTokens } from '../../common/auth.ts';
import type { AppEnv } from '../../common/http-env.ts';
import type { Logger } from '../../common/logger.ts';
import type { Topics } from '../../common/topics.ts';
import type { Database } from '../ledger/db.ts';
import type { EngineSync, EnginePort } from '../lifecycle/engine-sync.ts';
import type { InvitationService } from '../catalogue/invitations.ts';
import type { AdminMedia } from './images.ts';

/** KYC as the admin API needs it (implemented by orchestrator/kyc). */
export interface KycStarter {
  start(bidderId: string, actor: string, correlationId?: string): Promise<unknown>;
  retry(checkId: string, actor: string, correlationId?: string): Promise<unknown>;
  listChecks(bidderId: string): Promise<unknown[]>;
}

/** Bid cancellation with standing recompute (timed lots), provided by `cancellation.ts`. */
export interface BidCanceller {
  cancelBid(req: {
    lotId: string;
    seq: number;
    reason: string;
    actor: string;
    correlationId: string | undefined;
  }): Promise<Record<string, unknown>>;
}

export interface AdminApiDeps {
  db: Database;
  engine: EnginePort;
  sync: EngineSync;
  tokens: UserTokens;
  topics: Topics;
  logger: Logger;
  kyc?: KycStarter | undefined;
  cancel?: BidCanceller | undefined;
  /** Invitations to invite-only sales (needs email and PUBLIC_ORIGIN); none: NOT_AVAILABLE. */
  invitations?: InvitationService | undefined;
  /** Lot images: the media store and the upload limits; unset = the image routes answer NOT_AVAILABLE. */
  media?: AdminMedia | undefined;
}

/** The acting admin (for the audit log) and the request's correlation id. */
export function who(c: Context<AppEnv>): { actor: string; correlationId: string } {
  return { actor: `admin:${(c.get('user') as User).id}`, correlationId: c.get('requestId') };
}
