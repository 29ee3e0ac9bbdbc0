/** KYC (identity verification) for the back office: provider adapter, result webhook, service, routes, fake vendor. */
export { kycCallbackUrl, kycConfigFromEnv, type KycConfig } from './config.ts';
export {
  FakeKycProvider,
  type CompleteOptions,
  type FakeCheck,
  type FakeDecision,
  type FakeDelivery,
  type FakeDeliveryAttempt,
  type FakeKycProviderOptions,
  type FakeReceivedRequest,
  type SendOptions,
} from './fake-provider.ts';
export {
  HttpKycProvider,
  type HttpKycProviderOptions,
  type KycApplicant,
  type KycProvider,
  type KycProviderErrorCode,
  type StartCheckRequest,
  type StartCheckResult,
} from './provider.ts';
export { kycRoutes } from './routes.ts';
export {
  KycService,
  kycServiceFromConfig,
  type KycCheck,
  type KycCheckStatus,
  type KycServiceOptions,
  type OnKycChange,
} from './service.ts';
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
