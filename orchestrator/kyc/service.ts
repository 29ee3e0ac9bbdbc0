import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import type { KycConfig } from './config.ts';
import { HttpKycProvider, type KycProvider } from './provider.ts';
import {
  applyKycEvent,
  KYC_SIGNATURE_TOLERANCE_SECONDS,
  KYC_WEBHOOK_MAX_BYTES,
  parseKycEvent,
  verifyKycSignature,
  type KycStatus,
  type WebhookOutcome,
} from './webhook.ts';
import { audit, CHECK_COLUMNS, toCheck, type BidderRow, type CheckRow, type KycCheck } from './checks.ts';

/**
 * Called after a KYC change of a bidder is committed: the orchestrator recomputes the bidder's
 * eligibility there (a revoking result must reach the engine before the next bid). Awaited before the
 * webhook is answered; a failure is logged, not retried (the change is recorded: reconcile from
 * bidders.kyc_status).
 */
export type OnKycChange = (bidderId: string, status: KycStatus) => void | Promise<void>;

export interface KycServiceOptions {
  db: Database;
  provider: KycProvider;
  /** HMAC secret of the result webhooks (KYC_WEBHOOK_SECRET). */
  webhookSecret: string;
  /** The full URL the provider posts results to: where `kycRoutes()` is mounted, plus `/webhook`. */
  callbackUrl: string;
  logger: Logger;
  onKycChange?: OnKycChange;
  /** Accepted clock difference of a webhook signature, seconds; default 300. */
  toleranceSeconds?: number;
  /** Clock for signature ages, ms since the epoch (tests). */
  now?: () => number;
  /** kyc_checks ids; default random UUIDs. */
  newId?: () => string;
}

/**
 * Starts KYC checks at the provider and records their results from its webhook.
 *
 * A start is three short steps, never a transaction held across the HTTP call (PGlite has one
 * connection): record the check (`requested`), call the provider with the check id as Idempotency-Key,
 * then store its reference — or, if the provider refused or could not be reached, mark the check
 * `error` (with the reason) so nothing is left looking in progress. `retry()` sends the same check
 * again, with the same Idempotency-Key.
 */
export class KycService {
  readonly #db: Database;
  readonly #provider: KycProvider;
  readonly #secret: string;
  readonly #callbackUrl: string;
  readonly #logger: Logger;
  readonly #onKycChange: OnKycChange | undefined;
  readonly #tolerance: number;
  readonly #now: () => number;
  readonly #newId: () => string;

  constructor(opts: KycServiceOptions) {
    this.#db = opts.db;
    this.#provider = opts.provider;
    this.#secret = opts.webhookSecret;
    this.#callbackUrl = opts.callbackUrl;
    this.#logger = opts.logger.child({ module: 'kyc', provider: opts.provider.name });
    this.#onKycChange = opts.onKycChange;
    this.#tolerance = opts.toleranceSeconds ?? KYC_SIGNATURE_TOLERANCE_SECONDS;
    this.#now = opts.now ?? Date.now;
    this.#newId = opts.newId ?? randomUUID;
  }

  get providerName(): string {
    return this.#provider.name;
  }

  /**
   * Starts a check of `bidderId` (404 UNKNOWN_BIDDER). Throws the provider's 502 KYC_PROVIDER_REFUSED /
   * 503 KYC_PROVIDER_UNAVAILABLE after marking the check `error`. A verified bidder stays verified
   * while the new check runs; a rejected or expired one goes back to `pending`.
   */
  async start(bidderId: string, actor: string, correlationId: string = randomUUID()): Promise<KycCheck> {
    const id = this.#newId();
    const provider = this.#provider.name;
    const bidder = await this.#db.transaction(async (tx) => {
      const rows = await tx.query<BidderRow>(
        'SELECT id, display_name, email, country FROM bidders WHERE id = $1',
        [bidderId],
      );
      const found = rows[0];
      if (found === undefined) {
        throw new AppError('UNKNOWN_BIDDER', `no bidder ${bidderId}`, { details: { bidderId } });
      }
      await tx.query(
        `INSERT INTO kyc_checks (id, bidder_id, provider, status, correlation_id) VALUES ($1, $2, $3, 'requested', $4)`,
        [id, bidderId, provider, correlationId],
      );
      await audit(tx, actor, 'kyc.requested', bidderId, { checkId: id, provider }, correlationId);
      return found;
    });
    return this.#send(id, bidder, actor, correlationId);
  }

  /** Sends a check that failed to start (`error`) again, with the same Idempotency-Key. 409 otherwise. */
  async retry(checkId: string, actor: string, correlationId: string = randomUUID()): Promise<KycCheck> {
    const bidder = await this.#db.transaction(async (tx) => {
      const rows = await tx.query<CheckRow>(
        `SELECT ${CHECK_COLUMNS} FROM kyc_checks WHERE id = $1 FOR UPDATE`,
        [checkId],
      );
      const check = rows[0];
      if (check === undefined) {
        throw new AppError('UNKNOWN_CHECK', `no KYC check ${checkId}`, { details: { checkId } });
      }
      if (check.status !== 'error' || check.provider_ref !== null || check.provider !== this.#provider.name) {
        throw new AppError('KYC_CHECK_NOT_RETRYABLE', `KYC check ${checkId} is ${check.status}`, {
          details: { checkId, status: check.status },
        });
      }
      await tx.query(
        `UPDATE kyc_checks SET status = 'requested', reason = NULL, updated_at = now() WHERE id = $1`,
        [checkId],
      );
      await audit(tx, actor, 'kyc.retried', check.bidder_id, { checkId }, correlationId);
      const b = await tx.query<BidderRow>(
        'SELECT id, display_name, email, country FROM bidders WHERE id = $1',
        [check.bidder_id],
      );
      if (b[0] === undefined) throw new Error(`bidder ${check.bidder_id} of check ${checkId} is gone`);
      return b[0];
    });
    return this.#send(checkId, bidder, actor, correlationId);
  }

  async #send(checkId: string, bidder: BidderRow, actor: string, correlationId: string): Promise<KycCheck> {
    const log = this.#logger.child({ correlationId, kycCheckId: checkId, bidderId: bidder.id });
    let started: { providerRef: string; verificationUrl?: string | undefined };
    try {
      started = await this.#provider.startCheck(
        {
          reference: checkId,
          bidder: {
            id: bidder.id,
            name: bidder.display_name,
            email: bidder.email ?? undefined,
            country: bidder.country?.trim() ?? undefined,
          },
          callbackUrl: this.#callbackUrl,
        },
        correlationId,
      );
    } catch (err) {
      const error =
        err instanceof AppError
          ? err
          : new AppError('KYC_PROVIDER_UNAVAILABLE', 'the KYC provider could not be reached; retry later', {
              cause: err,
            });
      // Only a check still waiting for its start is marked: a result may have arrived meanwhile (the
      // provider took the check, then our wait timed out) and that result stands.
      await this.#db.transaction(async (tx) => {
        const marked = await tx.query(
          `UPDATE kyc_checks SET status = 'error', reason = $2, updated_at = now()
           WHERE id = $1 AND status = 'requested' AND provider_ref IS NULL RETURNING id`,
          [checkId, `${error.code}: ${error.message}`],
        );
        await audit(
          tx,
          actor,
          'kyc.start_failed',
          bidder.id,
          { checkId, code: error.code, message: error.message, marked: marked.length > 0 },
          correlationId,
        );
      });
      log.warn({ code: error.code, err: error.cause ?? error }, 'kyc check could not be started');
      throw error;
    }

    const { check, pending } = await this.#db.transaction(async (tx) => {
      await tx.query(
        `UPDATE kyc_checks SET provider_ref = $2, verification_url = $3, updated_at = now()
         WHERE id = $1 AND provider_ref IS NULL`,
        [checkId, started.providerRef, started.verificationUrl ?? null],
      );
      // Back to pending only while this check has no result yet (its webhook may have overtaken us).
      const changed = await tx.query(
        `UPDATE bidders SET kyc_status = 'pending', updated_at = now()
         WHERE id = $1 AND kyc_status IN ('rejected', 'expired')
           AND EXISTS (SELECT 1 FROM kyc_checks WHERE id = $2 AND status = 'requested')
         RETURNING id`,
        [bidder.id, checkId],
      );
      await audit(
        tx,
        actor,
        'kyc.started',
        bidder.id,
        { checkId, providerRef: started.providerRef, statusReset: changed.length > 0 },
        correlationId,
      );
      const rows = await tx.query<CheckRow>(`SELECT ${CHECK_COLUMNS} FROM kyc_checks WHERE id = $1`, [
        checkId,
      ]);
      if (rows[0] === undefined) throw new Error(`kyc check ${checkId} vanished`);
      return { check: toCheck(rows[0]), pending: changed.length > 0 };
    });
    if (check.providerRef !== started.providerRef) {
      log.error(
        { providerRef: started.providerRef, stored: check.providerRef },
        'kyc provider answered a different reference than its webhook carried',
      );
    }
    log.info({ providerRef: started.providerRef, status: check.status }, 'kyc check started');
    if (pending) await this.#notify(bidder.id, 'pending', log);
    return check;
  }

  /**
   * The webhook, transport-free: `rawBody` exactly as received (at most 64 KiB, 413 beyond), the
   * signature header; then 403 MALFORMED_SIGNATURE / STALE_SIGNATURE, 403 BAD_SIGNATURE, 400 BAD_JSON /
   * VALIDATION_FAILED, 404 UNKNOWN_CHECK, or the outcome (applied, duplicate, stale).
   */
  async handleWebhook(
    rawBody: string,
    signatureHeader: string | undefined,
    requestId?: string,
  ): Promise<WebhookOutcome> {
    const log = this.#logger.child({ webhookRequestId: requestId });
    if (Buffer.byteLength(rawBody, 'utf8') > KYC_WEBHOOK_MAX_BYTES) {
      throw new AppError(
        'BODY_TOO_LARGE',
        `the request body is larger than the limit of ${KYC_WEBHOOK_MAX_BYTES} bytes`,
        {
          details: { maxBytes: KYC_WEBHOOK_MAX_BYTES },
        },
      );
    }
    try {
      verifyKycSignature(this.#secret, rawBody, signatureHeader, {
        nowSeconds: Math.floor(this.#now() / 1000),
        toleranceSeconds: this.#tolerance,
      });
    } catch (err) {
      log.warn({ code: err instanceof AppError ? err.code : undefined }, 'kyc webhook refused');
      throw err;
    }
    const event = parseKycEvent(rawBody);
    const provider = this.#provider.name;
    let outcome: WebhookOutcome;
    try {
      outcome = await this.#db.transaction((tx) => applyKycEvent(tx, provider, event));
    } catch (err) {
      if (err instanceof AppError) {
        log.warn(
          { code: err.code, eventId: event.id, providerRef: event.data.providerRef },
          'kyc webhook refused',
        );
      }
      throw err;
    }
    if (outcome.status === 'duplicate') {
      log[outcome.samePayload ? 'info' : 'warn'](
        { eventId: event.id, samePayload: outcome.samePayload },
        outcome.samePayload ? 'kyc webhook repeated' : 'kyc webhook event id reused with a different payload',
      );
      return outcome;
    }
    const olog = log.child({
      correlationId: outcome.correlationId,
      kycCheckId: outcome.checkId,
      bidderId: outcome.bidderId,
    });
    if (outcome.status === 'stale') {
      olog.info(
        { eventId: event.id, result: event.data.result },
        'kyc result older than the current one: ignored',
      );
      return outcome;
    }
    olog.info(
      { eventId: event.id, result: outcome.result, bidderUpdated: outcome.bidderUpdated },
      'kyc result recorded',
    );
    if (outcome.bidderUpdated) await this.#notify(outcome.bidderId, outcome.result, olog);
    return outcome;
  }

  async getCheck(checkId: string): Promise<KycCheck | undefined> {
    const rows = await this.#db.query<CheckRow>(`SELECT ${CHECK_COLUMNS} FROM kyc_checks WHERE id = $1`, [
      checkId,
    ]);
    return rows[0] === undefined ? undefined : toCheck(rows[0]);
  }

  /** The bidder's checks, newest first. */
  async listChecks(bidderId: string): Promise<KycCheck[]> {
    const rows = await this.#db.query<CheckRow>(
      `SELECT ${CHECK_COLUMNS} FROM kyc_checks WHERE bidder_id = $1 ORDER BY requested_at DESC, id`,
      [bidderId],
    );
    return rows.map(toCheck);
  }

  async #notify(bidderId: string, status: KycStatus, log: Logger): Promise<void> {
    if (this.#onKycChange === undefined) return;
    try {
      await this.#onKycChange(bidderId, status);
    } catch (err) {
      log.error(
        { err, bidderId, status },
        'onKycChange failed: eligibility may be out of date until reconciled',
      );
    }
  }
}

/**
 * The service for an enabled KYC configuration, speaking HTTP to the configured provider; undefined
 * when KYC is disabled (`KYC_PROVIDER_URL` unset).
 */
export function kycServiceFromConfig(
  config: KycConfig,
  deps: { db: Database; logger: Logger; onKycChange?: OnKycChange },
): KycService | undefined {
  if (!config.enabled) return undefined;
  return new KycService({
    db: deps.db,
    provider: new HttpKycProvider({
      baseUrl: config.providerUrl,
      apiKey: config.apiKey,
      name: config.providerName,
      timeoutMs: config.timeoutMs,
      logger: deps.logger.child({ module: 'kyc' }),
    }),
    webhookSecret: config.webhookSecret,
    callbackUrl: config.callbackUrl,
    logger: deps.logger,
    toleranceSeconds: config.signatureToleranceSeconds,
    ...(deps.onKycChange === undefined ? {} : { onKycChange: deps.onKycChange }),
  });
}
