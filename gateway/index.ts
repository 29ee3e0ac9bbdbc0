/** The API gateway's public surface. */
export { createGatewayApp, type GatewayDeps } from './app.ts';
export { UserTokens, ROLES, type Role, type User } from './auth.ts';
export { createLimiter, type RateLimitOptions } from './rate-limit.ts';
export { startGateway, type RunningGateway } from './server.ts';
export { gatewayConfigFromEnv, type GatewayConfig } from './config.ts';
export { seedDemo, demoAuctions, DEMO_BIDDERS } from './demo.ts';
