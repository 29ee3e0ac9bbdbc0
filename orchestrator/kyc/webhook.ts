/**
 * The provider's result webhook: signature, payload, and the one transaction that records a result.
 *
 * Signature: `Gavel-Kyc-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The HMAC covers the exact bytes received, so the body is verified before it is parsed; the
 * timestamp bounds replays to the tolerance window and the event id table makes a replay inside it
 * harmless. Several `v1=` entries are allowed (a provider rotating its secret signs with both).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import { parseJson } from '../../common/http-body.ts';
import type { Queryable } from '../ledger/db.ts';

export const KYC_SIGNATURE_HEADER = 'Gavel-Kyc-Signature';
export const KYC_WEBHOOK_MAX_BYTES = 64 * 1024;
export const KYC_SIGNATURE_TOLERANCE_SECONDS = 300;

export type KycResult = 'verified' | 'rejected' | 'expired';
/** bidders.kyc_status */
export type KycStatus = 'pending' | KycResult;

export type KycSignatureErrorCode = 'MALFORMED_SIGNATURE' | 'BAD_SIGNATURE' | 'STALE_SIGNATURE';

/** The header value for `rawBody` signed at `timestamp` (unix seconds). */
export function signKycWebhook(secret: string, rawBody: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, rawBody)}`;
}

function hmacHex(secret: string, timestamp: number | string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

export interface ParsedSignature {
  timestamp: number;
  signatures: Buffer[];
}

const TIMESTAMP = /^\d{1,12}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** Parses `t=…,v1=…[,v1=…]`; unknown keys (future schemes) are ignored. Throws 403 MALFORMED_SIGNATURE. */
export function parseKycSignature(header: string | undefined): ParsedSignature {
  if (header === undefined || header.trim() === '') {
    throw signatureError('MALFORMED_SIGNATURE', `the ${KYC_SIGNATURE_HEADER} header is missing`);
  }
  if (header.length > 1024) throw malformed();
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw malformed();
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !TIMESTAMP.test(value)) throw malformed();
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value)) throw malformed();
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) throw malformed();
  return { timestamp, signatures };
}

export interface VerifyOptions {
  /** Unix seconds, default now. */
  nowSeconds?: number;
  /** Default 300. */
  toleranceSeconds?: number;
}

/**
 * Checks the HMAC first, the age second: STALE_SIGNATURE is only ever said about a message we know is
 * the provider's (a late retry or a replay), and anything forged is BAD_SIGNATURE whatever its time.
 * Returns the signed timestamp.
 */
export function verifyKycSignature(
  secret: string,
  rawBody: string,
  header: string | undefined,
  opts: VerifyOptions = {},
): number {
  const sig = parseKycSignature(header);
  const expected = Buffer.from(hmacHex(secret, sig.timestamp, rawBody), 'hex');
  // Every candidate is compared (no early exit) so the time taken does not say which one matched.
  let ok = false;
  for (const candidate of sig.signatures) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) ok = true;
  }
  if (!ok) throw signatureError('BAD_SIGNATURE', 'the webhook signature does not match its body');
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? KYC_SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(now - sig.timestamp) > tolerance) {
    throw signatureError(
      'STALE_SIGNATURE',
      `the webhook was signed ${now - sig.timestamp} s from now; at most ${tolerance} s either way is accepted`,
      { timestamp: sig.timestamp, toleranceSeconds: tolerance },
    );
  }
  return sig.timestamp;
}

const malformed = (): AppError =>
  signatureError(
    'MALFORMED_SIGNATURE',
    `the ${KYC_SIGNATURE_HEADER} header is not "t=<unix seconds>,v1=<hex HMAC-SHA256>"`,
  );

function signatureError(
  code: KycSignatureErrorCode,
  message: string,
  details?: Record<string, unknown>,
): AppError {
  return new AppError(code, message, details === undefined ? {} : { details });
}

export const kycEventSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('check.completed'),
  data: z.object({
    providerRef: z.string().min(1).max(200),
    /** Our kyc_checks.id, as sent at the start: lets a result find a check whose start answer we never stored. */
    reference: z.string().min(1).max(200).optional(),
    result: z.enum(['verified', 'rejected', 'expired']),
    reason: z.string().max(1000).optional(),
    completedAt: z.iso.datetime({ offset: true }),
  }),
});
export type KycEvent = z.output<typeof kycEventSchema>;

/** JSON (400 BAD_JSON) then the schema (400 VALIDATION_FAILED with `details.issues`). */
export function parseKycEvent(rawBody: string): KycEvent {
  const parsed = kycEventSchema.safeParse(parseJson(rawBody));
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first === undefined || first.path.length === 0 ? 'body' : first.path.join('.');
  throw new AppError('VALIDATION_FAILED', `${where}: ${first?.message ?? 'invalid'}`, {
    details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

export type WebhookOutcome =
  | {
      status: 'applied';
      eventId: string;
      checkId: string;
      bidderId: string;
      result: KycResult;
      /** Whether bidders.kyc_status / kyc_checked_at were written (false: the bidder has a newer result). */
      bidderUpdated: boolean;
      correlationId: string | null;
    }
  | { status: 'duplicate'; eventId: string; samePayload: boolean }
  | { status: 'stale'; eventId: string; checkId: string; bidderId: string; correlationId: string | null };

type CheckRow = {
  id: string;
  bidder_id: string;
  status: string;
  provider_ref: string | null;
  completed_at: Date | string | null;
  correlation_id: string | null;
};

/**
 * Records one verified event, all or nothing (run it inside a transaction):
 * event id → check → bidder → audit. A repeated event id is a no-op; an unknown providerRef throws
 * 404 UNKNOWN_CHECK (the caller's rollback drops the event row too, so the provider's retry can still
 * succeed once we know the check); a result older than the check's current one is recorded as seen and
 * changes nothing.
 */
export async function applyKycEvent(
  tx: Queryable,
  provider: string,
  event: KycEvent,
): Promise<WebhookOutcome> {
  const inserted = await tx.query(
    `INSERT INTO kyc_webhook_events (provider, event_id, payload) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
    [provider, event.id, JSON.stringify(event)],
  );
  if (inserted.length === 0) {
    const prior = await tx.query<{ same: boolean }>(
      `SELECT payload = $3::jsonb AS same FROM kyc_webhook_events WHERE provider = $1 AND event_id = $2`,
      [provider, event.id, JSON.stringify(event)],
    );
    return { status: 'duplicate', eventId: event.id, samePayload: prior[0]?.same === true };
  }

  const { data } = event;
  let rows = await tx.query<CheckRow>(
    `SELECT id, bidder_id, status, provider_ref, completed_at, correlation_id FROM kyc_checks
     WHERE provider = $1 AND provider_ref = $2 FOR UPDATE`,
    [provider, data.providerRef],
  );
  if (rows.length === 0 && data.reference !== undefined) {
    // The result overtook the start's answer (or the start timed out after the provider took it).
    // No `provider_ref IS NULL` in the WHERE: if the start is storing the reference right now, the lock
    // wait ends on the new row version, which such a condition would then exclude (READ COMMITTED
    // re-checks it), turning a known check into a 404. Compared below instead.
    rows = await tx.query<CheckRow>(
      `SELECT id, bidder_id, status, provider_ref, completed_at, correlation_id FROM kyc_checks
       WHERE provider = $1 AND id = $2 FOR UPDATE`,
      [provider, data.reference],
    );
    if (rows[0] !== undefined && rows[0].provider_ref !== null && rows[0].provider_ref !== data.providerRef)
      rows = [];
  }
  const check = rows[0];
  if (check === undefined) {
    throw new AppError('UNKNOWN_CHECK', `no KYC check with providerRef ${data.providerRef}`, {
      details: { providerRef: data.providerRef },
    });
  }

  const completedAt = new Date(data.completedAt);
  const actor = `kyc:${provider}`;
  if (check.completed_at !== null && completedAt.getTime() <= new Date(check.completed_at).getTime()) {
    await audit(tx, actor, 'kyc.result_ignored', check, {
      eventId: event.id,
      providerRef: data.providerRef,
      result: data.result,
      completedAt: completedAt.toISOString(),
      current: check.status,
      currentCompletedAt: new Date(check.completed_at).toISOString(),
    });
    return {
      status: 'stale',
      eventId: event.id,
      checkId: check.id,
      bidderId: check.bidder_id,
      correlationId: check.correlation_id,
    };
  }

  await tx.query(
    `UPDATE kyc_checks SET status = $2, reason = $3, completed_at = $4, provider_ref = $5, updated_at = now()
     WHERE id = $1`,
    [check.id, data.result, data.reason ?? null, completedAt.toISOString(), data.providerRef],
  );
  const before = await tx.query<{ kyc_status: string }>(
    'SELECT kyc_status FROM bidders WHERE id = $1 FOR UPDATE',
    [check.bidder_id],
  );
  // Another check of the same bidder may have a later result already: the newest result wins.
  const updated = await tx.query(
    `UPDATE bidders SET kyc_status = $2, kyc_checked_at = $3, updated_at = now()
     WHERE id = $1 AND (kyc_checked_at IS NULL OR kyc_checked_at <= $3) RETURNING id`,
    [check.bidder_id, data.result, completedAt.toISOString()],
  );
  await audit(tx, actor, 'kyc.completed', check, {
    checkId: check.id,
    eventId: event.id,
    providerRef: data.providerRef,
    result: data.result,
    ...(data.reason === undefined ? {} : { reason: data.reason }),
    completedAt: completedAt.toISOString(),
    previousStatus: before[0]?.kyc_status ?? null,
    bidderUpdated: updated.length > 0,
  });
  return {
    status: 'applied',
    eventId: event.id,
    checkId: check.id,
    bidderId: check.bidder_id,
    result: data.result,
    bidderUpdated: updated.length > 0,
    correlationId: check.correlation_id,
  };
}

async function audit(
  tx: Queryable,
  actor: string,
  action: string,
  check: CheckRow,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (actor, action, entity_type, entity_id, details, correlation_id)
     VALUES ($1, $2, 'bidder', $3, $4::jsonb, $5)`,
    [actor, action, check.bidder_id, JSON.stringify({ checkId: check.id, ...details }), check.correlation_id],
  );
}
