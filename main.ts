import { randomBytes } from 'node:crypto';
import { DeferredCatalogue, emptyCatalogue } from './common/catalogue.ts';
import { createLogger } from './common/logger.ts';
import { startTracing, tracingConfigFromEnv } from './common/tracing.ts';
import { MAX_TOKEN_SECONDS, UserTokens } from './common/auth.ts';
import { ConfigError } from './common/config.ts';
import { parseAmount } from './common/money.ts';
import { twilioSignature } from './common/twilio.ts';
import {
  DEMO_BIDDERS,
  DEMO_SALES,
  demoAuctions,
  demoCatalogue,
  gatewayConfigFromEnv,
  seedDemo,
  startGateway,
  type GatewayConfig,
  type RunningGateway,
} from './gateway/index.ts';
import { MemoryBiddingStore } from './bidding/index.ts';
import { embeddedHubConfigFromEnv, localPublisher } from './hub/index.ts';
import { serveMetrics, type MetricsServer } from './common/metrics.ts';
import { MemoryDecisionSource } from './orchestrator/ledger.ts';
import type { AccountsPort } from './common/accounts.ts';
import type { BidderSelfPort } from './common/bidder-self.ts';
import type { InvitationsPort } from './common/invitations.ts';
import {
  backOfficeCatalogue,
  BidderSelfService,
  DEMO_STAFF,
  DevMailbox,
  seedDemoStaff,
  startAccounts,
  embeddedLedgerConfigFromEnv,
  notifyConfigFromEnv,
  generateVapidKeys,
  pushSubscribing,
  seedBackOffice,
  startOrchestrator,
  type RunningOrchestrator,
  type SeedSale,
} from './orchestrator/index.ts';

/** What a new bidder may bid in the demo's sales without an identity check (minor units): EUR 5,000.00. */
const DEMO_KYC_FREE_LIMIT = 500_000;

/** The demo sale as the back office holds it: the gateway's demo set-ups and catalogue, in one shape. */
function demoSeed(now: number): SeedSale[] {
  const setups = new Map(demoAuctions(now).map((a) => [a.id, a]));
  return DEMO_SALES.map((sale) => {
    const lots = sale.lots.map((l) => {
      const setup = setups.get(l.id);
      if (setup === undefined) throw new Error(`demo lot ${l.id} has no set-up`);
      return {
        setup,
        lotNumber: Number(l.lotNumber),
        title: l.title,
        description: l.description,
        imageUrl: l.imageUrl,
        estimateLow: parseAmount(l.estimateLow, sale.currency, 'estimateLow'),
        estimateHigh: parseAmount(l.estimateHigh, sale.currency, 'estimateHigh'),
      };
    });
    const first = lots[0]!.setup;
    return {
      id: sale.id,
      title: sale.title,
      mode: sale.mode,
      currency: sale.currency,
      startsAt: first.startsAt,
      endsAt: sale.mode === 'timed' ? Math.max(...lots.map((l) => l.setup.endsAt)) : undefined,
      // Bidders who sign up may bid up to EUR 5,000.00 before their identity is verified (docs/bidders.md).
      kycFreeLimit: DEMO_KYC_FREE_LIMIT,
      lots,
    };
  });
}

/**
 * The demo's part of the start-up text. Tokens and the signed SMS webhook are credentials: they are
 * printed only to a terminal (`secrets`), never into a log file or a container's log stream.
 */
async function demoLines(
  config: GatewayConfig,
  gavel: RunningGateway,
  ledger: RunningOrchestrator | undefined,
  adminTokens: UserTokens,
  secrets: boolean,
): Promise<string[]> {
  const lines = [
    '',
    '  Demo sale seeded: timed lots timed-1..3 (soft close 2 min), live lots live-1, live-2 (scheduled: the auctioneer opens them).',
  ];
  if (!secrets) {
    lines.push(
      '  Demo tokens are not printed: stdout is not a terminal (logs keep no credentials). Sign in with the',
      '  Demo buttons on /bid and /floor or POST /v1/demo/sign-in {"user":"bidder-alice"} (from this machine);',
      '  for the admin API, sign an admin token with ADMIN_JWT_KEY (or GATEWAY_JWT_KEY) set at start.',
    );
  } else {
    lines.push('  Demo bidder tokens (Authorization: Bearer …):');
    for (const b of DEMO_BIDDERS) {
      const token = await gavel.tokens.sign({ id: b.id, role: 'bidder', name: b.name });
      lines.push(`    ${b.name.padEnd(13)} ${token}`);
    }
    const clerk = await gavel.tokens.sign({ id: 'demo-auctioneer', role: 'auctioneer', name: 'Auctioneer' });
    lines.push(`    ${'Auctioneer'.padEnd(13)} ${clerk}   (floor console: /v1/auctions/live-1/floor)`);
    if (ledger?.backOffice !== undefined) {
      const ops = await adminTokens.sign({ id: 'demo-admin', role: 'admin', name: 'Back office' });
      lines.push(
        `    ${'Admin'.padEnd(13)} ${ops}   (back office: ${ledger.url ?? ''}/admin/v1/…; valid ${MAX_TOKEN_SECONDS.admin / 60} min)`,
      );
    }
  }
  lines.push(
    '',
    '  Try:',
    `    curl -N '${gavel.hubUrl}?topic=${encodeURIComponent('https://gavel.local/auctions/timed-1')}'`,
    `    curl -X POST ${gavel.url}/v1/auctions/timed-1/bids -H 'Authorization: Bearer <token>' -H 'Idempotency-Key: demo-1' -H 'Content-Type: application/json' -d '{"amount":"1000.00"}'`,
  );
  if (secrets && config.twilioAuthToken !== undefined) {
    // Bob texts "#103 20000" (lot 103 is timed-3): the webhook as Twilio would post it, signed.
    const form = new URLSearchParams({
      MessageSid: 'SMdemo0001',
      From: DEMO_BIDDERS[1].phone,
      Body: '#103 20000',
    });
    const signature = twilioSignature(config.twilioAuthToken, `${gavel.url}/v1/messaging/twilio`, form);
    lines.push(
      `  Bid by SMS (${DEMO_BIDDERS[1].name} texts "#103 20000"; the answer is the SMS he gets back):`,
      `    curl -X POST ${gavel.url}/v1/messaging/twilio -H 'X-Twilio-Signature: ${signature}' -d '${form.toString()}'`,
    );
  }
  return lines;
}

/**
 * `npm start`: Gavel. By default the embedded topology — gateway, bidding engine and Mercure hub in
 * one process with in-process state and a seeded demo sale, no external services. Set
 * GAVEL_MODE=distributed (with REDIS_URL and HUB_URL) for the deployed topology.
 */
async function main(): Promise<void> {
  const config = gatewayConfigFromEnv();
  // The demo takes bids by text message too: a Twilio token for this run, so the printed webhook is signed.
  if (config.mode === 'embedded' && config.demo) config.twilioAuthToken ??= randomBytes(16).toString('hex');
  // The demo's texted bids up to EUR 50,000.00 are decided at once (its printed one is EUR 20,000.00);
  // above, the sender is asked for a code. Unset elsewhere: every texted bid is confirmed.
  if (config.mode === 'embedded' && config.demo) config.smsConfirmAbove ??= new Map([['EUR', 5_000_000]]);
  const ledgerConfig = embeddedLedgerConfigFromEnv();
  // The mounted hub's client limits, trusted proxies and metrics listener: the same MERCURE_* as `npm run hub`.
  const hubConfig = embeddedHubConfigFromEnv();
  const logger = createLogger('gavel', config.logLevel);
  // OpenTelemetry traces, opt-in (OTEL_*; docs/operations.md "Traces"): off, nothing is loaded.
  const tracing = await startTracing(tracingConfigFromEnv(), 'gavel');
  // One catalogue, the back office's: sales made through the admin API reach /v1/sales, the pages and
  // the texted-bid lot lookup. The gateway binds first, so its reads wait until the ledger is open.
  const catalogue = config.mode === 'embedded' && ledgerConfig.enabled ? new DeferredCatalogue() : undefined;
  const notifyConfig = notifyConfigFromEnv();
  // Web Push in the embedded default: a VAPID pair for this run unless VAPID_* are set (a browser
  // subscribed under it subscribes again after a restart, as the ledger starts over anyway).
  if (config.mode === 'embedded' && notifyConfig.push === undefined)
    notifyConfig.push = { vapid: generateVapidKeys('mailto:push@gavel.invalid') };
  // Endpoints on http://127.0.0.1 are for this machine's tests and demo: never behind an https origin.
  if (notifyConfig.push !== undefined && config.mode === 'embedded')
    notifyConfig.push.allowLoopbackHttp ??= true;
  // Sign-in links by email: SMTP when SMTP_URL is set, else with the demo a local outbox shown at /dev/mail (else none).
  const mailbox = notifyConfig.email === undefined && config.demo ? new DevMailbox() : undefined;
  // The back office starts after the gateway: the session routes wait for its accounts.
  let accountsReady: (a: AccountsPort | undefined) => void = () => undefined;
  const accounts = new Promise<AccountsPort | undefined>((resolve) => (accountsReady = resolve));
  // …and so do the bidder's own pages (profile, registration, KYC).
  let biddersReady: (b: BidderSelfPort | undefined) => void = () => undefined;
  const bidders = new Promise<BidderSelfPort | undefined>((resolve) => (biddersReady = resolve));
  // Invitations to invite-only sales, the same way (docs/invite-only.md).
  let invitationsReady: (i: InvitationsPort | undefined) => void = () => undefined;
  const invitations = new Promise<InvitationsPort | undefined>((resolve) => (invitationsReady = resolve));
  // The /admin panel calls the admin API over HTTP, once the back office listens.
  let adminApiReady: (url: string | undefined) => void = () => undefined;
  const adminApiUrl = new Promise<string | undefined>((resolve) => (adminApiReady = resolve));
  // The gateway's key for this run, when none is given (the gateway would make one up too): admin tokens may share it.
  config.userJwtKey ??= randomBytes(32).toString('hex');
  // Admin-API tokens: their own audience, and their own key when ADMIN_JWT_KEY is set.
  const adminTokens = new UserTokens({
    key: ledgerConfig.adminJwtKey ?? config.userJwtKey,
    audience: 'admin',
  });
  const gavel = await startGateway(config, logger, {
    hub: hubConfig,
    // Embedded: the back office in this process. Distributed: none given here, so the gateway uses
    // the orchestrator's (ORCHESTRATOR_URL, ACCOUNTS_SERVICE_TOKEN) and serves the /admin panel only
    // with an ADMIN_JWT_KEY of its own (a back-office gateway, docs/back-office.md).
    ...(config.mode === 'embedded'
      ? { session: { accounts, mailbox, adminTokens, bidders, invitations, adminApiUrl } }
      : {}),
    ...(catalogue === undefined ? {} : { catalogue }),
  });
  // The process's metrics on a listener of their own, never on the public origin. Embedded: the hub,
  // the engine and the gateway on one, MERCURE_METRICS_* (as before the engine and gateway had any);
  // distributed: the gateway's (and its engine's, when it runs here) on GATEWAY_METRICS_*.
  const listen =
    config.mode === 'embedded'
      ? {
          host: hubConfig.metricsHost,
          port: hubConfig.metricsPort,
          env: 'MERCURE_METRICS_PORT',
          what: 'the metrics of the hub, engine and gateway',
        }
      : { ...config.metrics, env: 'GATEWAY_METRICS_PORT', what: "the gateway's metrics" };
  let metrics: MetricsServer | undefined;
  if (listen.port !== undefined) {
    try {
      metrics = await serveMetrics(gavel.metricsRegistry(), listen.host, listen.port, listen);
    } catch (err) {
      await gavel.close();
      throw err;
    }
  }
  // Embedded: the ledger writer runs here too, on PGlite, over the in-process store (distributed: `npm run orchestrator`).
  let ledger: RunningOrchestrator | undefined;
  let stopAccounts = (): void => undefined;
  if (config.mode === 'embedded' && ledgerConfig.enabled && gavel.store instanceof MemoryBiddingStore) {
    console.log(`Opening the ledger (PGlite in ${ledgerConfig.dataDir}; takes a few seconds)…`);
    try {
      ledger = await startOrchestrator(
        {
          host: config.host,
          port: ledgerConfig.adminPort,
          databaseUrl: undefined,
          dataDir: ledgerConfig.dataDir,
          redisUrl: undefined,
          redisPrefix: config.redisPrefix,
          ledgerPollMs: ledgerConfig.ledgerPollMs,
          logLevel: config.logLevel,
          topicBase: config.topicBase,
          lifecycleTickMs: ledgerConfig.lifecycleTickMs,
          maskKey: gavel.config.maskKey,
          // Results by SMS, WhatsApp and email when TWILIO_* / SMTP_URL are set (see the README).
          notify: notifyConfig,
          // Invitation links point where people reach this gateway.
          publicOrigin: config.publicOrigin ?? gavel.url,
          media: ledgerConfig.media,
        },
        {
          source: new MemoryDecisionSource(gavel.store),
          engine: gavel.store,
          ...(gavel.hub === undefined ? {} : { publisher: localPublisher(gavel.hub) }),
          tokens: adminTokens,
          directory: gavel.directory,
          // No SMTP: the outbox's email (results, registration decisions, invitations) goes to /dev/mail too.
          ...(mailbox === undefined ? {} : { devMail: mailbox }),
          resetLedger: true,
          logger: logger.child({ component: 'orchestrator' }),
        },
      );
      const signIn = startAccounts(ledger.db, {
        notify: notifyConfig,
        mailbox,
        logger: logger.child({ component: 'accounts' }),
      });
      accountsReady(signIn.accounts);
      if (ledger.backOffice !== undefined)
        biddersReady(
          new BidderSelfService({
            db: ledger.db,
            sync: ledger.backOffice.sync,
            kyc: ledger.backOffice.kyc,
            push: pushSubscribing({ notify: notifyConfig, publicOrigin: config.publicOrigin ?? gavel.url }),
          }),
        );
      invitationsReady(ledger.invitations);
      stopAccounts = signIn.close;
      // The demo goes through the back office: PostgreSQL rows, then the engine from them.
      if (config.demo && ledger.backOffice !== undefined) {
        await seedBackOffice(ledger.db, ledger.backOffice.sync, {
          sales: demoSeed(Date.now()),
          bidders: DEMO_BIDDERS.map((b) => ({ id: b.id, name: b.name, limit: b.limit, phone: b.phone })),
        });
        await ledger.backOffice.lifecycle.tick();
        // Staff who sign in by email link (their mail at /dev/mail): the floor, the back office.
        await seedDemoStaff(signIn.accounts);
      }
    } catch (err) {
      await gavel.close();
      await metrics?.close();
      throw err;
    }
  }
  // Without a back office (GAVEL_LEDGER=false, or an engine of its own): the demo's static catalogue.
  catalogue?.resolve(
    ledger !== undefined
      ? backOfficeCatalogue(ledger.db, ledger.media)
      : config.demo
        ? demoCatalogue()
        : emptyCatalogue,
  );
  // No back office here: the sign-in routes answer ACCOUNTS_UNAVAILABLE.
  accountsReady(undefined);
  biddersReady(undefined);
  invitationsReady(undefined);
  adminApiReady(ledger?.url === undefined ? undefined : `${ledger.url}/admin/v1`);
  const lines = [
    '',
    `Gavel is running (${config.mode}).`,
    `  API:          ${gavel.url}/v1/auctions/timed-1`,
    `  Mercure hub:  ${gavel.hubUrl}`,
    ...(metrics === undefined
      ? []
      : [`  Metrics:      ${metrics.url}/metrics  (its own listener, not the public port)`]),
    `  Bid online:   ${gavel.url}/bid     (bidder client, phone first)`,
    `  Floor:        ${gavel.url}/floor   (auctioneer's console, tablet; demo: sign in with the buttons)`,
    `  Saleroom:     ${gavel.url}/room    (the projector's screen: the lot on the block, read-only)`,
  ];
  if (ledger !== undefined) {
    lines.push(
      `  Sign in:      ${gavel.url}/sign-in (email link${mailbox === undefined ? '' : `; the mail is at ${gavel.url}/dev/mail`})`,
      ...(config.demo && ledger.backOffice !== undefined
        ? [
            `                demo staff: ${DEMO_STAFF.map((s) => `${s.email} (${s.roles.join(', ')})`).join(', ')}`,
          ]
        : []),
    );
    lines.push(
      `  Admin panel:  ${gavel.url}/admin   (staff with the admin role, signed in by email link)`,
      `  Back office:  ${ledger.url ?? '(no HTTP)'}/admin/v1/sales  (admin API; ledger, sales, results in ${ledger.where}, emptied at each start; GAVEL_LEDGER=false to skip)`,
    );
  }
  if (config.demo) {
    // Without the back office the demo goes straight into the engine (the config refuses a demo with a remote engine).
    if (ledger?.backOffice === undefined) await seedDemo(gavel.store!);
    lines.push(...(await demoLines(config, gavel, ledger, adminTokens, process.stdout.isTTY === true)));
    if (config.demoAllowRemote)
      console.error(
        `\n  WARNING: the passwordless demo sign-in is open to every machine that reaches ${config.host}:${config.port} (GAVEL_DEMO_ALLOW_REMOTE=true): anyone can bid as a demo bidder or run the floor as the auctioneer.\n`,
      );
  }
  lines.push('  Stop with Ctrl-C.', '');
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // The gateway first (the engine drains), then the ledger takes its last pass and closes.
    gavel
      .close()
      .then(() => stopAccounts())
      .then(() => ledger?.close())
      .then(() => metrics?.close())
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
