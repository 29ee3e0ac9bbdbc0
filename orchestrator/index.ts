/**
 * The back office as the other services start it: the process (`startOrchestrator` and its
 * configuration), the notification settings, the demo seed and the catalogue read from its
 * database (what the embedded gateway serves). The ledger (database, migrations,
 * writer) has its own face, `ledger.ts`; everything else is inside.
 */
export {
  embeddedLedgerConfigFromEnv,
  orchestratorConfigFromEnv,
  type EmbeddedLedgerConfig,
  type OrchestratorConfig,
  type OrchestratorDeps,
} from './service/config.ts';
export { startOrchestrator, type RunningOrchestrator } from './service/server.ts';
export { seedBackOffice, type SeedBidder, type SeedLot, type SeedSale } from './service/seed.ts';
export { backOfficeCatalogue, catalogueApi } from './catalogue/api.ts';
export { InvitationService } from './catalogue/invitations.ts';
export { invitationsRoutes } from './catalogue/routes.ts';
export { notifyConfigFromEnv, pushSubscribing, type NotifyConfig } from './notify/config.ts';
export { generateVapidKeys } from './notify/push/vapid.ts';
export {
  accountsRoutes,
  DEMO_STAFF,
  DevMailbox,
  seedDemoStaff,
  startAccounts,
  type AccountsService,
} from './accounts/index.ts';
export { BidderSelfService } from './bidders-self/index.ts';
// The invoice rule the bidder's confirmation mirrors (clients/src/premium.ts; test/premium-agreement.test.ts).
export { invoiceFor, type PremiumBand, type TaxBase } from './rules/trade.ts';
