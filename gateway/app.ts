import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { AppError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { JwtAlg, SigningKey } from '../common/mercure.ts';
import type { Topics } from '../common/topics.ts';
import type { BidderMasks, BiddingService } from '../bidding/index.ts';
import { authenticate, type UserTokens } from '../common/auth.ts';
import type { AppEnv } from '../common/http-env.ts';
import { errorHandler } from '../common/http-errors.ts';
import { healthRoutes, type ReadinessChecks } from '../common/health.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import type { BurstyRateLimiter } from 'rate-limiter-flexible';
import { auctionRoutes } from './routes/auctions.ts';
import { floorRoutes } from './routes/floor.ts';
import { hubTokenRoutes } from './routes/hub-token.ts';
import { emptyCatalogue, type Catalogue } from '../common/catalogue.ts';
import { clientRoutes, type ClientAssets } from './routes/clients.ts';
import { rateRoutes } from './routes/rates.ts';
import type { HouseRates } from '../common/contracts/index.ts';
import { demoSignInRoutes, type DemoUser } from './demo/sign-in.ts';
import { mediaRoutes } from './routes/media.ts';
import { salesRoutes } from './routes/sales.ts';
import type { HubCookie } from './routes/hub-token.ts';
import { messagingRoutes, type WhatsappConfig } from './routes/messaging.ts';
import { MessagingIngress } from './messaging/ingress.ts';
import type { ConfirmThresholds } from './messaging/confirm-policy.ts';
import type { BidConfirmations } from './messaging/confirmations.ts';
import type { BidderDirectory } from '../common/directory.ts';
import { sessionRoutes, type SessionRoutesDeps } from './session/routes.ts';
import { meRoutes, type MeRoutesDeps } from './me/routes.ts';
import { watchlistRoutes } from './me/watchlist.ts';
import { inviteRoutes } from './session/invite.ts';
import { panelRoutes, type PanelDeps } from './panel/routes.tsx';
import { saleRoomRoutes, type SaleRoomDeps } from './routes/floor-room.ts';
import { missedBidReporter } from './routes/floor-missed.ts';
import type { GatewayMetrics } from './metrics.ts';

export interface GatewayDeps {
  engine: BiddingService;
  /** What `/health/ready` checks (Redis, the engine, the mounted hub…); default: nothing beyond the process. */
  readiness?: ReadinessChecks | undefined;
  tokens: UserTokens;
  /** The public bidder masks (the engine's key). */
  masks: BidderMasks;
  topics: Topics;
  logger: Logger;
  hub: {
    url: string;
    subscriberKey: SigningKey;
    subscriberAlg: JwtAlg;
    tokenTtlSeconds: number;
    cookie: HubCookie;
  };
  bidLimiter: BurstyRateLimiter;
  /** Titles, lot numbers, estimates, images: what the engine does not hold. */
  catalogue?: Catalogue | undefined;
  /** The seeded demo's users (POST /v1/demo/sign-in); undefined when no demo is seeded. */
  demoUsers?: readonly DemoUser[] | undefined;
  /** Offer the demo sign-in beyond this machine (`GAVEL_DEMO_ALLOW_REMOTE`); default: loopback callers only. */
  demoAllowRemote?: boolean;
  /** Display rates for the room screen (GET /v1/rates); undefined: none configured. */
  houseRates?: HouseRates | undefined;
  /** The bundled browser clients (/, /floor, /bid, /room, /assets/*); undefined serves none. */
  clients?: Promise<ClientAssets> | undefined;
  /** Sign-in by email link and cookie sessions (gateway/session); undefined: none (no public origin known). */
  session?: SessionRoutesDeps | undefined;
  /** A signed-in bidder's profile, registrations and KYC (gateway/me); undefined: none. */
  me?: MeRoutesDeps | undefined;
  /** The back-office web panel at /admin (gateway/panel); undefined: none (no admin tokens or admin API here). */
  panel?: PanelDeps | undefined;
  /** Who a phone number belongs to (written by the back office), for bids by SMS and WhatsApp. */
  directory: BidderDirectory;
  /** The floor console's room: audience, messages to bidders, missed-bid warnings; undefined: none. */
  room?: SaleRoomDeps | undefined;
  messaging: {
    twilioAuthToken: string | undefined;
    publicUrl: string | undefined;
    whatsapp: WhatsappConfig | undefined;
    /** Which texted bids wait for the sender's confirmation, and where the codes are kept. */
    confirm: { thresholds: ConfirmThresholds; store: BidConfirmations; windowMs: number };
  };
  /** Bids received by channel, rate-limit and webhook refusals (served on the metrics listener, never here). */
  metrics?: GatewayMetrics | undefined;
}

/** The API gateway: auth, validation, rate limits and routing in front of the engine. */
export function createGatewayApp(deps: GatewayDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(deps.logger));
  // Every error body comes from the one handler above (common/http-errors.ts), a missing route's too.
  app.notFound((c) => {
    throw new AppError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`);
  });
  // The request id is the correlation id carried from ingress to notification.
  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  // Bodies are read (and limited to 16 KiB) by readBodyText in the routes: Hono's bodyLimit wraps the
  // body in a web stream, which made every bid build an undici Request.
  // The API's audience only: an admin-API token (its own audience, maybe its own key) is refused here.
  if (deps.tokens.audience !== 'api') throw new Error('the gateway verifies API-audience tokens only');
  const { metrics } = deps;
  if (metrics !== undefined) {
    // Every bid request that reaches its route, signed in or not; the engine counts the decisions.
    app.use('/v1/auctions/:id/bids', metrics.countBids('api'));
    app.use('/v1/auctions/:id/floor/floor-bid', metrics.countBids('floor'));
    app.use('/v1/messaging/twilio', metrics.countWebhookRefusals('twilio'));
    app.use('/v1/messaging/whatsapp', metrics.countWebhookRefusals('whatsapp-cloud'));
  }
  app.use('/v1/*', authenticate(deps.tokens));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/', healthRoutes(deps.readiness ?? {}));
  const bidRateLimit = rateLimit(
    deps.bidLimiter,
    (c) => c.get('user')?.id,
    metrics === undefined ? undefined : () => metrics.rateLimited('bid'),
  );
  const catalogue = deps.catalogue ?? emptyCatalogue;
  app.route(
    '/v1/auctions',
    auctionRoutes({
      engine: deps.engine,
      topics: deps.topics,
      hubUrl: deps.hub.url,
      bidRateLimit,
      masks: deps.masks,
      catalogue,
      onClosedBid:
        deps.room === undefined
          ? undefined
          : missedBidReporter({
              engine: deps.engine,
              masks: deps.masks,
              topics: deps.topics,
              catalogue,
              publisher: deps.room.publisher,
              logger: deps.logger.child({ module: 'missed-bids' }),
            }),
    }),
  );
  app.route(
    '/v1/auctions/:id/floor',
    floorRoutes({
      engine: deps.engine,
      topics: deps.topics,
      hubUrl: deps.hub.url,
      masks: deps.masks,
      catalogue,
    }),
  );
  app.route(
    '/v1/hub-token',
    hubTokenRoutes({
      topics: deps.topics,
      hubUrl: deps.hub.url,
      subscriberKey: deps.hub.subscriberKey,
      subscriberAlg: deps.hub.subscriberAlg,
      ttlSeconds: deps.hub.tokenTtlSeconds,
      cookie: deps.hub.cookie,
      catalogue: deps.catalogue ?? emptyCatalogue,
    }),
  );
  // The floor console's room first: its paths (audience, messages) are not the catalogue's.
  if (deps.room !== undefined)
    app.route('/v1/sales', saleRoomRoutes({ ...deps.room, catalogue, topics: deps.topics }));
  app.route(
    '/v1/sales',
    salesRoutes({
      catalogue,
      masks: deps.masks,
      engine: deps.engine,
      topics: deps.topics,
      hubUrl: deps.hub.url,
    }),
  );
  // Lot images uploaded to the back office (docs/media.md).
  app.route('/media', mediaRoutes(deps.catalogue ?? emptyCatalogue));
  // Bids by SMS and WhatsApp reach the same engine, with the same per-bidder limit as the API's.
  app.route(
    '/v1/messaging',
    messagingRoutes({
      ingress: new MessagingIngress({
        engine: deps.engine,
        catalogue: deps.catalogue ?? emptyCatalogue,
        directory: deps.directory,
        limiter: deps.bidLimiter,
        logger: deps.logger.child({ module: 'messaging' }),
        confirm: deps.messaging.confirm,
        metrics,
      }),
      ...deps.messaging,
      logger: deps.logger.child({ module: 'messaging' }),
    }),
  );
  if (deps.demoUsers !== undefined)
    app.route(
      '/v1/demo',
      demoSignInRoutes(deps.demoUsers, deps.tokens, { allowRemote: deps.demoAllowRemote === true }),
    );
  app.route('/', rateRoutes(deps.houseRates));
  // Sign-in pages, the cookie session and its token exchange (docs/accounts.md).
  if (deps.session !== undefined)
    app.route(
      '/',
      sessionRoutes({
        ...deps.session,
        clients: deps.session.clients ?? deps.clients,
        onLinkLimited:
          deps.session.onLinkLimited ??
          (metrics === undefined ? undefined : () => metrics.rateLimited('sign_in_link')),
      }),
    );
  if (deps.me !== undefined) {
    // The watch list takes the bearer token the sale room holds (the cookie routes below take the session).
    app.route('/v1/me/watchlist', watchlistRoutes(deps.me.bidders));
    app.route('/', meRoutes({ ...deps.me, clients: deps.me.clients ?? deps.clients }));
  }
  // The invitation landing of invite-only sales (docs/invite-only.md).
  if (deps.session?.invitations !== undefined) app.route('/', inviteRoutes(deps.session));
  if (deps.panel !== undefined) app.route('/admin', panelRoutes(deps.panel));
  // The pages are public (the auth middleware covers /v1/* only); they send the user's token themselves.
  if (deps.clients !== undefined)
    app.route('/', clientRoutes({ clients: deps.clients, hubUrl: deps.hub.url }));
  return app;
}
