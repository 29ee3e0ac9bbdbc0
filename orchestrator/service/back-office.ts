/**
 * The back office proper, beside the ledger writer: engine sync (recovering lost lots from the
 * ledger, then reconciling periodically), the lifecycle clock and finaliser, the outbox with its
 * channels (hub, SMS, WhatsApp, email), bid cancellation and KYC.
 */
import { randomBytes } from 'node:crypto';
import { BidderMasks } from '../../bidding/back-office.ts';
import { hubPublisherFor } from '../../common/hub-publisher-for.ts';
import type { Logger } from '../../common/logger.ts';
import { topics as makeTopics } from '../../common/topics.ts';
import { invitedOnlyTopicSql } from '../catalogue/visibility.ts';
import { kycServiceFromConfig, type KycService } from '../kyc/index.ts';
import { BidCancellation, type CancellationEngine } from '../ledger/cancellation.ts';
import type { Database } from '../ledger/db.ts';
import { EngineSync } from '../lifecycle/engine-sync.ts';
import { Lifecycle, type LifecycleEngine } from '../lifecycle/lifecycle.ts';
import { Recovery, type RecoveryEngine } from '../lifecycle/recovery.ts';
import { notifyChannels } from '../notify/config.ts';
import { ContactChannel } from '../notify/contact-channel.ts';
import { HubChannel, OutboxDispatcher } from '../notify/outbox.ts';
import type { OrchestratorConfig, OrchestratorDeps } from './config.ts';
import type { BackOfficeMetrics } from './metrics.ts';
import { Poller } from './poller.ts';

/** The running back office's parts. */
export interface BackOffice {
  sync: EngineSync;
  lifecycle: Lifecycle;
  outbox: OutboxDispatcher | undefined;
  recovery: Recovery;
  cancellation: BidCancellation;
  kyc: KycService | undefined;
}

/** Engine sync (with its periodic reconcile), the lifecycle clock and the outbox dispatcher. */
export async function startBackOffice(
  config: OrchestratorConfig,
  deps: OrchestratorDeps,
  db: Database,
  engine: LifecycleEngine & RecoveryEngine & CancellationEngine,
  logger: Logger,
  closers: (() => Promise<void> | void)[],
  metrics?: BackOfficeMetrics,
): Promise<BackOffice> {
  const topics = makeTopics(config.topicBase);
  const sync = new EngineSync(db, engine, logger.child({ module: 'engine-sync' }), deps.directory);
  const masks = new BidderMasks(config.maskKey ?? randomBytes(32).toString('hex'));
  const recovery = new Recovery({
    db,
    engine,
    sync,
    logger: logger.child({ module: 'recovery' }),
  });
  sync.restorer = (lot, sale) => recovery.recoverLot(lot, sale);
  // The engine may have lost state or missed writes while we were away: rebuild from the ledger first.
  await recovery.recoverMissing();
  await sync.reconcile();
  // Then again every reconcileMs, never two at once; closing waits for the one in flight.
  const reconcileMs = config.reconcileMs ?? 60_000;
  const reconciler = new Poller(
    async () => {
      await sync.reconcile();
      return reconcileMs;
    },
    (err: unknown) => logger.warn({ err }, 'reconcile failed'),
  );
  reconciler.start(reconcileMs, reconcileMs);
  closers.push(() => reconciler.stop());

  const lifecycle = new Lifecycle({
    db,
    engine,
    masks,
    sync,
    topics,
    logger: logger.child({ module: 'lifecycle' }),
    tickMs: config.lifecycleTickMs ?? 250,
    metrics,
  });
  lifecycle.start();
  closers.push(() => lifecycle.stop());

  let publisher = deps.publisher;
  if (publisher === undefined && config.hubPublishUrl !== undefined) {
    // The hubs' Redis stream (no HTTP hop, no key), or a hub over HTTP with a service token for Gavel's own topics.
    const chosen = await hubPublisherFor({
      url: config.hubPublishUrl,
      publisherKey: config.publisherKey,
      publisherAlg: config.publisherAlg ?? 'HS256',
      topicBase: config.topicBase ?? 'https://gavel.local',
      subject: 'gavel-orchestrator',
      logger,
      missingKey: 'HUB_URL is set: MERCURE_PUBLISHER_JWT_KEY is needed to publish notifications',
    });
    closers.push(() => chosen.close());
    publisher = chosen;
  }
  // The hub first (the room and the bidder's screens), then the bidder's SMS, WhatsApp and email.
  const contact = notifyChannels(config.notify ?? {}, {
    db,
    logger: logger.child({ module: 'notify' }),
    metrics,
  });
  closers.push(contact.close);
  const channels = [
    ...(publisher === undefined ? [] : [new HubChannel(publisher, topics.bidder(''))]),
    ...contact.channels,
    // No SMTP: the bidders' email goes to the local outbox (embedded default, /dev/mail).
    ...(config.notify?.email === undefined && deps.devMail !== undefined
      ? [
          new ContactChannel({
            channel: 'email',
            sender: deps.devMail,
            db,
            logger: logger.child({ module: 'notify' }),
            metrics,
          }),
        ]
      : []),
    ...(deps.channels ?? []),
  ];
  if (publisher === undefined)
    logger.warn('no hub to publish to (HUB_URL unset): the screens are not notified');
  let outbox: OutboxDispatcher | undefined;
  if (channels.length > 0) {
    outbox = new OutboxDispatcher({
      db,
      channels,
      logger: logger.child({ module: 'outbox' }),
      privateTopicSql: invitedOnlyTopicSql(topics),
    });
    outbox.start();
    const started = outbox;
    closers.push(() => started.stop());
  } else {
    logger.warn('no notification channel (hub, SMS, WhatsApp, email): notifications wait in the outbox');
  }
  // A KYC result changes what the bidder may bid from their next bid on.
  const kyc = kycServiceFromConfig(config.kyc ?? { enabled: false }, {
    db,
    logger: logger.child({ module: 'kyc' }),
    onKycChange: (bidderId) => sync.syncBidder(bidderId),
  });
  const cancellation = new BidCancellation({ db, engine, topics, masks });
  return { sync, lifecycle, outbox, recovery, cancellation, kyc };
}
