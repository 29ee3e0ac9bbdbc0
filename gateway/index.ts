/**
 * The API gateway's face: start it from its configuration, and seed the demo it serves.
 * Inside the gateway and in its tests, import the real files (server.ts, assembly.ts, app.ts…).
 */
export { startGateway, type GatewayOptions, type RunningGateway } from './server.ts';
export { gatewayConfigFromEnv, type GatewayConfig } from './config.ts';
export { seedDemo, demoAuctions, demoCatalogue, DEMO_BIDDERS, DEMO_SALES } from './demo/seed.ts';
export { bundleClientFiles, CLIENT_MANIFEST, type BundledFile } from './routes/clients.ts';
