/** KYC (identity verification) for the back office: provider adapter, result webhook, service, routes (the fake vendor for tests is `fake-provider.ts`, imported directly). */
export { kycCallbackUrl, kycConfigFromEnv, type KycConfig } from './config.ts';
export {
  HttpKycProvider,
  type HttpKycProviderOptions,
  type KycApplicant,
  type KycProvider,
  type StartCheckRequest,
  type StartCheckResult,
} from './provider.ts';
export { kycRoutes } from './routes.ts';
export { KycService, kycServiceFromConfig, type KycServiceOptions, type OnKycChange } from './service.ts';
export type { KycCheck, KycCheckStatus } from './checks.ts';
export {
  applyKycEvent,
  KYC_SIGNATURE_HEADER,
  KYC_SIGNATURE_TOLERANCE_SECONDS,
  KYC_WEBHOOK_MAX_BYTES,
  kycEventSchema,
  parseKycEvent,
  parseKycSignature,
  signKycWebhook,
  verifyKycSignature,
  type KycEvent,
  type KycResult,
  type KycSignatureErrorCode,
  type KycStatus,
  type ParsedSignature,
  type VerifyOptions,
  type WebhookOutcome,
} from './webhook.ts';
