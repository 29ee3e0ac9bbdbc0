/** KYC checks as recorded (`kyc_checks` rows and their view) and the audit rows KYC writes. */
import type { Queryable } from '../ledger/db.ts';

export type KycCheckStatus = 'requested' | 'verified' | 'rejected' | 'expired' | 'error';

export interface KycCheck {
  id: string;
  bidderId: string;
  provider: string;
  providerRef: string | null;
  status: KycCheckStatus;
  reason: string | null;
  verificationUrl: string | null;
  requestedAt: string;
  completedAt: string | null;
  correlationId: string | null;
}

export type CheckRow = {
  id: string;
  bidder_id: string;
  provider: string;
  provider_ref: string | null;
  status: KycCheckStatus;
  reason: string | null;
  verification_url: string | null;
  requested_at: Date | string;
  completed_at: Date | string | null;
  correlation_id: string | null;
};

export type BidderRow = {
  id: string;
  display_name: string;
  email: string | null;
  country: string | null;
};

export const CHECK_COLUMNS = `id, bidder_id, provider, provider_ref, status, reason, verification_url, requested_at,
  completed_at, correlation_id`;

export function toCheck(r: CheckRow): KycCheck {
  return {
    id: r.id,
    bidderId: r.bidder_id,
    provider: r.provider,
    providerRef: r.provider_ref,
    status: r.status,
    reason: r.reason,
    verificationUrl: r.verification_url,
    requestedAt: iso(r.requested_at),
    completedAt: r.completed_at === null ? null : iso(r.completed_at),
    correlationId: r.correlation_id,
  };
}

const iso = (v: Date | string): string => new Date(v).toISOString();

export async function audit(
  tx: Queryable,
  actor: string,
  action: string,
  bidderId: string,
  details: Record<string, unknown>,
  correlationId: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (actor, action, entity_type, entity_id, details, correlation_id)
     VALUES ($1, $2, 'bidder', $3, $4::jsonb, $5)`,
    [actor, action, bidderId, JSON.stringify(details), correlationId],
  );
}
