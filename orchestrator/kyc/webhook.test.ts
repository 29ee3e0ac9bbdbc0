import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config.ts';
import { AppError } from '../../common/errors.ts';
import { kycConfigFromEnv } from './config.ts';
import { parseKycEvent, parseKycSignature, signKycWebhook, verifyKycSignature } from './webhook.ts';

const SECRET = 'k'.repeat(40);
const BODY = '{"id":"evt_1","type":"check.completed"}';
const NOW = 1_800_000_000;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return `${err.status} ${err.code}`;
    throw err;
  }
}

describe('KYC webhook signature', () => {
  it('is HMAC-SHA256 of "<t>.<body>" in hex, and verifies', () => {
    const header = signKycWebhook(SECRET, BODY, NOW);
    const expected = createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');
    expect(header).toBe(`t=${NOW},v1=${expected}`);
    expect(verifyKycSignature(SECRET, BODY, header, { nowSeconds: NOW })).toBe(NOW);
  });

  it('refuses another secret, another body, another timestamp: 403 BAD_SIGNATURE', () => {
    const header = signKycWebhook(SECRET, BODY, NOW);
    expect(code(() => verifyKycSignature('x'.repeat(40), BODY, header, { nowSeconds: NOW }))).toBe(
      '403 BAD_SIGNATURE',
    );
    expect(code(() => verifyKycSignature(SECRET, `${BODY} `, header, { nowSeconds: NOW }))).toBe(
      '403 BAD_SIGNATURE',
    );
    const moved = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(code(() => verifyKycSignature(SECRET, BODY, moved, { nowSeconds: NOW }))).toBe(
      '403 BAD_SIGNATURE',
    );
  });

  it('accepts within the tolerance either way and refuses beyond it: 403 STALE_SIGNATURE', () => {
    const header = signKycWebhook(SECRET, BODY, NOW);
    expect(verifyKycSignature(SECRET, BODY, header, { nowSeconds: NOW + 300 })).toBe(NOW);
    expect(verifyKycSignature(SECRET, BODY, header, { nowSeconds: NOW - 300 })).toBe(NOW);
    expect(code(() => verifyKycSignature(SECRET, BODY, header, { nowSeconds: NOW + 301 }))).toBe(
      '403 STALE_SIGNATURE',
    );
    expect(code(() => verifyKycSignature(SECRET, BODY, header, { nowSeconds: NOW - 301 }))).toBe(
      '403 STALE_SIGNATURE',
    );
    // A forged message is BAD_SIGNATURE whatever its age.
    const forged = signKycWebhook('x'.repeat(40), BODY, NOW - 10_000);
    expect(code(() => verifyKycSignature(SECRET, BODY, forged, { nowSeconds: NOW }))).toBe(
      '403 BAD_SIGNATURE',
    );
  });

  it('accepts any of several v1 signatures (secret rotation) and ignores unknown schemes', () => {
    const good = signKycWebhook(SECRET, BODY, NOW).split(',')[1] ?? '';
    const other = signKycWebhook('o'.repeat(40), BODY, NOW).split(',')[1] ?? '';
    expect(verifyKycSignature(SECRET, BODY, `t=${NOW},${other},${good},v0=abc`, { nowSeconds: NOW })).toBe(
      NOW,
    );
  });

  it.each([
    [undefined],
    [''],
    ['garbage'],
    [`t=${NOW}`],
    ['v1=' + 'a'.repeat(64)],
    [`t=abc,v1=${'a'.repeat(64)}`],
    [`t=${NOW},v1=${'a'.repeat(63)}`],
    [`t=${NOW},v1=${'g'.repeat(64)}`],
    [`t=${NOW},t=${NOW},v1=${'a'.repeat(64)}`],
    [`t=-5,v1=${'a'.repeat(64)}`],
  ])('refuses the malformed header %j: 403 MALFORMED_SIGNATURE', (header) => {
    expect(code(() => parseKycSignature(header))).toBe('403 MALFORMED_SIGNATURE');
    expect(code(() => verifyKycSignature(SECRET, BODY, header, { nowSeconds: NOW }))).toBe(
      '403 MALFORMED_SIGNATURE',
    );
  });
});

describe('KYC webhook payload', () => {
  const event = {
    id: 'evt_1',
    type: 'check.completed',
    data: { providerRef: 'chk_1', result: 'verified', completedAt: '2026-01-01T00:00:00Z' },
  };

  it('parses a check.completed event', () => {
    expect(parseKycEvent(JSON.stringify(event))).toEqual(event);
  });

  it('refuses invalid JSON with 400 BAD_JSON and a wrong shape with 400 VALIDATION_FAILED naming the field', () => {
    expect(code(() => parseKycEvent('{"id":'))).toBe('400 BAD_JSON');
    try {
      parseKycEvent(JSON.stringify({ ...event, data: { ...event.data, result: 'maybe' } }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.status).toBe(400);
      expect(e.code).toBe('VALIDATION_FAILED');
      expect(e.details?.issues).toEqual([expect.objectContaining({ path: 'data.result' })]);
    }
    expect(code(() => parseKycEvent(JSON.stringify({ ...event, type: 'check.started' })))).toBe(
      '400 VALIDATION_FAILED',
    );
    expect(
      code(() =>
        parseKycEvent(JSON.stringify({ ...event, data: { ...event.data, completedAt: 'yesterday' } })),
      ),
    ).toBe('400 VALIDATION_FAILED');
  });
});

describe('kycConfigFromEnv', () => {
  const full = {
    KYC_PROVIDER_URL: 'http://127.0.0.1:9000',
    KYC_API_KEY: 'key',
    KYC_WEBHOOK_SECRET: 's'.repeat(32),
    KYC_PUBLIC_URL: 'https://backoffice.example/kyc/',
  };

  it('is disabled without KYC_PROVIDER_URL', () => {
    expect(kycConfigFromEnv({})).toEqual({ enabled: false });
    expect(kycConfigFromEnv({ KYC_PROVIDER_URL: ' ', KYC_API_KEY: 'ignored' })).toEqual({ enabled: false });
  });

  it('reads an enabled configuration with defaults', () => {
    expect(kycConfigFromEnv(full)).toEqual({
      enabled: true,
      providerUrl: 'http://127.0.0.1:9000',
      apiKey: 'key',
      webhookSecret: 's'.repeat(32),
      publicUrl: 'https://backoffice.example/kyc/',
      callbackUrl: 'https://backoffice.example/kyc/webhook',
      providerName: 'vendor',
      timeoutMs: 5000,
      signatureToleranceSeconds: 300,
    });
  });

  it('names every missing or bad variable', () => {
    expect(() => kycConfigFromEnv({ KYC_PROVIDER_URL: full.KYC_PROVIDER_URL })).toThrow(ConfigError);
    let message = '';
    try {
      kycConfigFromEnv({ KYC_PROVIDER_URL: 'ftp://x', KYC_WEBHOOK_SECRET: 'short', KYC_TIMEOUT_MS: '0' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const key of ['KYC_PROVIDER_URL', 'KYC_WEBHOOK_SECRET', 'KYC_TIMEOUT_MS'])
      expect(message).toContain(key);
    const missing = (() => {
      try {
        kycConfigFromEnv({ KYC_PROVIDER_URL: full.KYC_PROVIDER_URL });
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    for (const key of ['KYC_API_KEY', 'KYC_WEBHOOK_SECRET', 'KYC_PUBLIC_URL']) expect(missing).toContain(key);
  });
});
