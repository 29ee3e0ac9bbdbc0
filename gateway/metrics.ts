import type { MiddlewareHandler } from 'hono';
import { Counter, Registry } from 'prom-client';
import { AppError } from '../common/errors.ts';

/** Which limit refused a request (`gavel_rate_limit_refusals_total{limit}`). */
export type RateLimitName = 'bid' | 'sign_in_link';

/** Why a provider's webhook delivery was refused, or its message not taken (`gavel_webhook_refusals_total{reason}`). */
export type WebhookRefusal =
  'not_configured' | 'bad_signature' | 'bad_verify_token' | 'bad_payload' | 'unknown_sender';

export type WebhookProvider = 'twilio' | 'whatsapp-cloud';

/** The error codes of a refused webhook request, by the reason they are counted under (the rest: bad_payload). */
const WEBHOOK_REASONS: Record<string, WebhookRefusal> = {
  MESSAGING_DISABLED: 'not_configured',
  BAD_SIGNATURE: 'bad_signature',
  BAD_VERIFY_TOKEN: 'bad_verify_token',
};

/**
 * A gateway's Prometheus metrics (its own registry; the process merges it with the engine's and the
 * hub's when they run here, common/metrics.ts): bid requests received by channel, and the refusals
 * an operator alerts on — rate limits and providers' webhooks.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly bidsReceived = new Counter({
    name: 'gavel_gateway_bids_received_total',
    help: 'Bid requests that reached the bid routes or the text-message ingress, before the engine (channel: api, sms, whatsapp, floor)',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  readonly rateLimitRefusals = new Counter({
    name: 'gavel_rate_limit_refusals_total',
    help: 'Requests refused by a rate limit (limit: bid = the per-bidder bid rate, sign_in_link = links per address)',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  readonly webhookRefusals = new Counter({
    name: 'gavel_webhook_refusals_total',
    help: "Providers' webhook deliveries refused (not_configured, bad_signature, bad_verify_token, bad_payload) or messages from unknown senders",
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });

  bidReceived(channel: 'api' | 'sms' | 'whatsapp' | 'floor'): void {
    this.bidsReceived.inc({ channel });
  }

  rateLimited(limit: RateLimitName): void {
    this.rateLimitRefusals.inc({ limit });
  }

  webhookRefused(provider: WebhookProvider, reason: WebhookRefusal): void {
    this.webhookRefusals.inc({ provider, reason });
  }

  /** Middleware counting every request it sees as a bid received on `channel`. */
  countBids(channel: 'api' | 'floor'): MiddlewareHandler {
    return async (c, next) => {
      if (c.req.method === 'POST') this.bidReceived(channel);
      await next();
    };
  }

  /** Middleware counting the provider's webhook requests that were refused, by reason. */
  countWebhookRefusals(provider: WebhookProvider): MiddlewareHandler {
    return async (c, next) => {
      await next();
      const err = c.error;
      if (err === undefined) return;
      // Not configured answers 503; any other refusal is a 4xx (a 503 of our own is not the delivery's fault).
      const reason = err instanceof AppError ? WEBHOOK_REASONS[err.code] : undefined;
      if (reason !== undefined) this.webhookRefused(provider, reason);
      else if (c.res.status >= 400 && c.res.status < 500) this.webhookRefused(provider, 'bad_payload');
    };
  }
}
