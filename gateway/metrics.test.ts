import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { AppError } from '../common/errors.ts';
import { errorHandler } from '../common/http-errors.ts';
import { createLogger } from '../common/logger.ts';
import { GatewayMetrics } from './metrics.ts';
import { consumeLink, createLinkLimiter, LINKS_PER_ADDRESS } from './session/link-limit.ts';

async function value(m: GatewayMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const text = await m.registry.metrics();
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return Number(new RegExp(`^${name}\\{${want}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

describe('gateway metrics', () => {
  it('counts refused webhook requests by the reason their error code names, and nothing that went through', async () => {
    const m = new GatewayMetrics();
    const app = new Hono();
    app.onError(errorHandler(createLogger('test', 'silent')));
    app.use('/hook', m.countWebhookRefusals('whatsapp-cloud'));
    app.post('/hook', async (c) => {
      const kind = await c.req.text();
      if (kind === 'forged') throw new AppError('BAD_SIGNATURE', 'no');
      if (kind === 'off') throw new AppError('MESSAGING_DISABLED', 'not configured');
      if (kind === 'junk') throw new AppError('VALIDATION_FAILED', 'not a delivery');
      if (kind === 'boom') throw new Error('ours, not theirs');
      return c.json({ received: 1 });
    });
    for (const body of ['forged', 'forged', 'off', 'junk', 'boom', 'fine'])
      await app.request('/hook', { method: 'POST', body });
    const refused = (reason: string): Promise<number> =>
      value(m, 'gavel_webhook_refusals_total', { provider: 'whatsapp-cloud', reason });
    expect(await refused('bad_signature')).toBe(2);
    expect(await refused('not_configured')).toBe(1);
    expect(await refused('bad_payload')).toBe(1);
    const text = await m.registry.metrics();
    expect(text.match(/^gavel_webhook_refusals_total\{/gm)).toHaveLength(3);
  });

  it('counts the sign-in links refused by the per-address limit', async () => {
    const m = new GatewayMetrics();
    const limiter = createLinkLimiter(undefined, `test-${Date.now()}`);
    const onRefused = (): void => m.rateLimited('sign_in_link');
    for (let i = 0; i < LINKS_PER_ADDRESS.points; i++) await consumeLink(limiter, 'a@example.com', onRefused);
    expect(await value(m, 'gavel_rate_limit_refusals_total', { limit: 'sign_in_link' })).toBe(0);
    await expect(consumeLink(limiter, 'A@example.com', onRefused)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(await value(m, 'gavel_rate_limit_refusals_total', { limit: 'sign_in_link' })).toBe(1);
  });
});
