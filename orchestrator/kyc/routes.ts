import { Hono } from 'hono';
import { readBodyText } from '../../common/http-body.ts';
import { errorHandler } from '../../common/http-errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { KycService } from './service.ts';
import { KYC_SIGNATURE_HEADER, KYC_WEBHOOK_MAX_BYTES, type WebhookOutcome } from './webhook.ts';

/**
 * The provider-facing KYC routes, to mount under the path `KYC_PUBLIC_URL` names (`app.route('/kyc',
 * kycRoutes(service))` with `KYC_PUBLIC_URL=https://…/kyc`): `POST /webhook`. No user token: the
 * signature is the authentication. Answers: 200 `{status: applied|duplicate|stale}`; 401, 403, 400,
 * 404 UNKNOWN_CHECK, 413 with the JSON error body (the provider retries non-2xx); 503 UNAVAILABLE on
 * anything unexpected (the database), so the provider retries later — the common error handler's answers.
 */
export function kycRoutes(service: Pick<KycService, 'handleWebhook'>, opts: { logger: Logger }): Hono {
  const app = new Hono();
  app.onError(errorHandler(opts.logger));
  app.post('/webhook', async (c) => {
    // The raw bytes first: the signature covers them exactly, and nothing is parsed before it is checked.
    const raw = await readBodyText(c, KYC_WEBHOOK_MAX_BYTES);
    const outcome = await service.handleWebhook(
      raw,
      c.req.header(KYC_SIGNATURE_HEADER),
      c.req.header('x-request-id'),
    );
    return c.json(answer(outcome), 200);
  });
  return app;
}

function answer(outcome: WebhookOutcome): Record<string, string> {
  switch (outcome.status) {
    case 'applied':
      return {
        status: 'applied',
        eventId: outcome.eventId,
        checkId: outcome.checkId,
        result: outcome.result,
      };
    case 'duplicate':
      return { status: 'duplicate', eventId: outcome.eventId };
    case 'stale':
      return { status: 'stale', eventId: outcome.eventId, checkId: outcome.checkId };
  }
}
