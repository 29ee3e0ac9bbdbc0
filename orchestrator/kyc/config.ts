import { z } from 'zod';
import { envInt, loadEnv } from '../../common/config.ts';

/**
 * KYC configuration. `KYC_PROVIDER_URL` unset (or empty) means KYC is disabled: no check can be
 * started, no webhook route is mounted, and bidders keep whatever kyc_status they have (an operator
 * can still set it by hand). When it is set, `KYC_API_KEY`, `KYC_WEBHOOK_SECRET` (≥ 32 characters)
 * and `KYC_PUBLIC_URL` are required.
 */
export type KycConfig =
  | { enabled: false }
  | {
      enabled: true;
      /** Base URL of the provider API (`POST {providerUrl}/v1/checks`). */
      providerUrl: string;
      apiKey: string;
      webhookSecret: string;
      /** Public base URL where `kycRoutes()` is mounted; the provider posts results to `{publicUrl}/webhook`. */
      publicUrl: string;
      /** The full result URL given to the provider. */
      callbackUrl: string;
      /** Name stored with each check and in the audit actor `kyc:<name>`. */
      providerName: string;
      /** Per request to the provider, ms. */
      timeoutMs: number;
      /** Accepted clock difference of a webhook signature, seconds. */
      signatureToleranceSeconds: number;
    };

const trimmed = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const httpUrl = (what: string) =>
  trimmed.refine((v) => v === undefined || isHttpUrl(v), { message: `expected an http(s) URL (${what})` });

const schema = z
  .object({
    KYC_PROVIDER_URL: httpUrl('the KYC vendor API; unset = KYC disabled'),
    KYC_API_KEY: trimmed,
    KYC_WEBHOOK_SECRET: trimmed.refine((v) => v === undefined || v.length >= 32, {
      message: 'expected at least 32 characters (e.g. `openssl rand -hex 32`)',
    }),
    KYC_PUBLIC_URL: httpUrl('the public base the vendor posts results to'),
    KYC_PROVIDER_NAME: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? 'vendor' : v.trim()))
      .pipe(
        z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'expected a short lower-case name (a-z, 0-9, _, -)'),
      ),
    KYC_TIMEOUT_MS: envInt(5_000, 100, 60_000),
    KYC_SIGNATURE_TOLERANCE_SECONDS: envInt(300, 1, 3_600),
  })
  .superRefine((e, ctx) => {
    if (e.KYC_PROVIDER_URL === undefined) return;
    const need = (key: 'KYC_API_KEY' | 'KYC_WEBHOOK_SECRET' | 'KYC_PUBLIC_URL'): void => {
      if (e[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} is required when KYC_PROVIDER_URL is set`,
        });
      }
    };
    need('KYC_API_KEY');
    need('KYC_WEBHOOK_SECRET');
    need('KYC_PUBLIC_URL');
  });

/** Reads the KYC variables once, at the entry point (throws ConfigError naming every bad one). */
export function kycConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KycConfig {
  const e = loadEnv(schema, env);
  if (e.KYC_PROVIDER_URL === undefined) return { enabled: false };
  // Checked by superRefine; repeated for the type.
  if (e.KYC_API_KEY === undefined || e.KYC_WEBHOOK_SECRET === undefined || e.KYC_PUBLIC_URL === undefined) {
    throw new Error('unreachable: KYC settings validated above');
  }
  return {
    enabled: true,
    providerUrl: e.KYC_PROVIDER_URL,
    apiKey: e.KYC_API_KEY,
    webhookSecret: e.KYC_WEBHOOK_SECRET,
    publicUrl: e.KYC_PUBLIC_URL,
    callbackUrl: kycCallbackUrl(e.KYC_PUBLIC_URL),
    providerName: e.KYC_PROVIDER_NAME,
    timeoutMs: e.KYC_TIMEOUT_MS,
    signatureToleranceSeconds: e.KYC_SIGNATURE_TOLERANCE_SECONDS,
  };
}

/** `{publicUrl}/webhook`, whether or not the base ends with a slash. */
export function kycCallbackUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/webhook`;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
