/**
 * The KYC provider adapter: how the back office asks an identity-verification vendor to start a check.
 * Results come back later by webhook (webhook.ts). The wire contract is ours (see the README's KYC
 * section); `HttpKycProvider` speaks it, `FakeKycProvider` (fake-provider.ts) implements it locally.
 */
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';

export interface KycApplicant {
  id: string;
  name: string;
  email?: string | undefined;
  country?: string | undefined;
}

export interface StartCheckRequest {
  /** Our kyc_checks.id: sent as the Idempotency-Key, so a retried start yields the same check. */
  reference: string;
  bidder: KycApplicant;
  /** Where the provider posts the result (our `POST …/webhook`). */
  callbackUrl: string;
}

export interface StartCheckResult {
  providerRef: string;
  /** Where the bidder completes the verification, when the provider hosts it. */
  verificationUrl?: string | undefined;
}

export interface KycProvider {
  /** Stored in kyc_checks.provider and in the audit actor `kyc:<name>`. */
  readonly name: string;
  /**
   * Starts (or, with the same `reference`, finds again) a check at the provider.
   * Throws AppError 502 KYC_PROVIDER_REFUSED when the provider answers 4xx, 503 KYC_PROVIDER_UNAVAILABLE
   * when it cannot be reached, answers 5xx or does not answer in time.
   */
  startCheck(req: StartCheckRequest, correlationId?: string): Promise<StartCheckResult>;
}

export interface HttpKycProviderOptions {
  /** Base URL of the vendor API; `POST {baseUrl}/v1/checks`. */
  baseUrl: string;
  apiKey: string;
  /** Default `vendor`. */
  name?: string;
  /** Per request, default 5000 ms. */
  timeoutMs?: number;
  logger?: Logger;
  /** Injectable for tests; default the global fetch. */
  fetch?: typeof fetch;
}

const startResponse = z.object({
  providerRef: z.string().min(1).max(200),
  verificationUrl: z.url().optional(),
});

const vendorError = z.object({
  error: z.object({ code: z.string().optional(), message: z.string() }),
});

/** `POST {baseUrl}/v1/checks` with `Authorization: Bearer <apiKey>` and `Idempotency-Key: <reference>`. */
export class HttpKycProvider implements KycProvider {
  readonly name: string;
  readonly #url: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  readonly #fetch: typeof fetch;

  constructor(opts: HttpKycProviderOptions) {
    this.name = opts.name ?? 'vendor';
    this.#url = new URL('v1/checks', opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`).href;
    this.#apiKey = opts.apiKey;
    this.#timeoutMs = opts.timeoutMs ?? 5_000;
    this.#logger = opts.logger;
    this.#fetch = opts.fetch ?? fetch;
  }

  async startCheck(req: StartCheckRequest, correlationId?: string): Promise<StartCheckResult> {
    const log = this.#logger?.child({ correlationId, kycCheckId: req.reference, provider: this.name });
    const started = Date.now();
    let res: Response;
    let text: string;
    try {
      res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': req.reference,
          ...(correlationId === undefined ? {} : { 'x-request-id': correlationId }),
        },
        body: JSON.stringify({
          reference: req.reference,
          applicant: {
            id: req.bidder.id,
            name: req.bidder.name,
            ...(req.bidder.email == null ? {} : { email: req.bidder.email }),
            ...(req.bidder.country == null ? {} : { country: req.bidder.country }),
          },
          callbackUrl: req.callbackUrl,
        }),
        // Covers the whole exchange, body included: a vendor that stalls mid-body is as down as one
        // that never answers.
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      log?.warn({ err, timedOut, ms: Date.now() - started }, 'kyc provider unreachable');
      throw unavailable(
        timedOut
          ? `the KYC provider did not answer within ${this.#timeoutMs} ms; retry later`
          : 'the KYC provider could not be reached; retry later',
        { reason: timedOut ? 'timeout' : 'network' },
        err,
      );
    }

    if (res.status >= 500 || res.status === 429) {
      log?.warn({ status: res.status, ms: Date.now() - started }, 'kyc provider failed');
      throw unavailable(`the KYC provider answered ${res.status}; retry later`, {
        reason: 'provider_error',
        providerStatus: res.status,
      });
    }
    if (res.status < 200 || res.status >= 300) {
      const parsed = vendorError.safeParse(safeJson(text));
      const message = parsed.success ? parsed.data.error.message : `HTTP ${res.status}`;
      log?.warn({ status: res.status, vendorCode: parsed.data?.error.code }, 'kyc provider refused');
      throw new AppError('KYC_PROVIDER_REFUSED', `the KYC provider refused the check: ${message}`, {
        details: {
          providerStatus: res.status,
          ...(parsed.data?.error.code === undefined ? {} : { providerCode: parsed.data.error.code }),
        },
      });
    }

    const body = startResponse.safeParse(safeJson(text));
    if (!body.success) {
      // A 2xx we cannot read: we do not know the check's id, so treat it as not started; a retry with
      // the same reference finds the same check at the vendor.
      log?.warn({ status: res.status, issues: body.error.issues }, 'kyc provider answer unreadable');
      throw unavailable('the KYC provider answered something unreadable; retry later', {
        reason: 'bad_response',
      });
    }
    log?.info({ providerRef: body.data.providerRef, ms: Date.now() - started }, 'kyc check started');
    return body.data;
  }
}

function unavailable(message: string, details: Record<string, unknown>, cause?: unknown): AppError {
  return new AppError('KYC_PROVIDER_UNAVAILABLE', message, { details, cause });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
