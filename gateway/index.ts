/** The API gateway's public surface. */
export { createGatewayApp, type GatewayDeps } from './app.ts';
export { UserTokens, ROLES, type Role, type User } from '../common/auth.ts';
export { createLimiter, type RateLimitOptions } from './middleware/rate-limit.ts';
export { startGateway, type GatewayOptions, type RunningGateway } from './server.ts';
export { gatewayConfigFromEnv, type GatewayConfig } from './config.ts';
export { seedDemo, demoAuctions, demoCatalogue, DEMO_BIDDERS, DEMO_SALES, DEMO_USERS } from './demo/seed.ts';
export {
  emptyCatalogue,
  staticCatalogue,
  type Catalogue,
  type CatalogueLot,
  type SaleCatalogue,
  type SaleSummary,
} from '../common/catalogue.ts';
export type { DemoUser } from './demo/sign-in.ts';
export { twilioSignature } from '../common/twilio.ts';
export type { InboundMessage, IngressAnswer } from './messaging/ingress.ts';
