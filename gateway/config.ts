import { z } from 'zod';
import type { HouseRates } from '../common/contracts/index.ts';
import { DEMO_RATES, parseHouseRates } from './house-rates.ts';
import {
  ConfigError,
  envBool,
  envInt,
  envSecret,
  jwtAlgEnv,
  loadEnv,
  MIN_SECRET_BYTES,
  sharedEnv,
} from '../common/config.ts';
import type { JwtAlg } from '../common/mercure.ts';
import type { LogLevel } from '../common/logger.ts';
import { isLoopback } from '../common/loopback.ts';
import { metricsHostEnv, metricsPortEnv, type MetricsListen } from '../common/metrics.ts';
import { confirmAboveEnv, type ConfirmThresholds } from './messaging/confirm-policy.ts';

export interface GatewayConfig {
  host: string;
  port: number;
  /** embedded: hub and engine state in this process (no external services); distributed: Redis + external hub. */
  mode: 'embedded' | 'distributed';
  userJwtKey: string | undefined;
  /** `GAVEL_MASK_KEY`: the key of the public bidder masks (random per run when embedded; required when distributed). */
  maskKey: string | undefined;
  redisUrl: string | undefined;
  /** Key prefix for every Redis key of the engine and the rate limiter. */
  redisPrefix: string;
  hubUrl: string | undefined;
  hubPublishUrl: string | undefined;
  /** Distributed: the bidding engine's internal URL when it runs as its own process; unset = embedded in this gateway. */
  biddingUrl: string | undefined;
  /** The orchestrator, for the sale catalogue (`GET /catalogue/v1/…`); unset = the demo's or none. */
  orchestratorUrl: string | undefined;
  biddingServiceToken: string | undefined;
  publisherKey: string | undefined;
  publisherAlg: JwtAlg;
  subscriberKey: string | undefined;
  subscriberAlg: JwtAlg;
  topicBase: string;
  ratePerSecond: number;
  rateBurst: number;
  hubTokenTtlSeconds: number;
  demo: boolean;
  /** `GAVEL_DEMO_ALLOW_REMOTE`: offer the passwordless demo sign-in to callers beyond this machine too. */
  demoAllowRemote: boolean;
  /** `HOUSE_RATES`: display rates for the room screen (the demo has illustrative ones); undefined = none. */
  houseRates: HouseRates | undefined;
  /** Twilio's auth token: enables bids by SMS and WhatsApp at `POST /v1/messaging/twilio`. */
  twilioAuthToken: string | undefined;
  /** The public origin messaging providers post to (their signatures cover the URL they see). */
  messagingPublicUrl: string | undefined;
  /** Meta's WhatsApp Cloud API (webhook at `/v1/messaging/whatsapp`, replies through the API). */
  whatsapp:
    { appSecret: string; verifyToken: string; accessToken: string; graphUrl: string | undefined } | undefined;
  /** Texted bids above these (per currency) wait for the sender's confirmation code; undefined: every one. */
  smsConfirmAbove: ConfirmThresholds | undefined;
  /** How long a confirmation code places its bid. */
  smsConfirmWindowMs: number;
  /** `PUBLIC_ORIGIN`: the origin people reach the gateway at (sign-in links, the cookie's CSRF check); embedded default: its own URL. */
  publicOrigin: string | undefined;
  /** `ACCOUNTS_SERVICE_TOKEN`: the gateway's credential for the back office's accounts API (distributed). */
  accountsServiceToken: string | undefined;
  /**
   * `ADMIN_JWT_KEY` (distributed, opt-in): the admin API's key, so this gateway serves the /admin panel
   * and mints short admin tokens for signed-in admins. Give it only to a back-office gateway.
   */
  adminJwtKey: string | undefined;
  /**
   * `GATEWAY_METRICS_HOST`/`PORT`: where a distributed gateway serves `/metrics` (its own listener,
   * never the public port). Embedded, the process's one metrics listener is MERCURE_METRICS_*.
   */
  metrics: MetricsListen;
  logLevel: LogLevel;
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v.replace(/\\n/g, '\n')));

const schema = z.object({
  ...sharedEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: envInt(3000, 0, 65535),
  GAVEL_MODE: z.enum(['embedded', 'distributed']).default('embedded'),
  GATEWAY_JWT_KEY: envSecret(),
  GAVEL_MASK_KEY: envSecret(),
  REDIS_URL: optional,
  HUB_URL: optional,
  HUB_PUBLISH_URL: optional,
  BIDDING_URL: optional,
  ORCHESTRATOR_URL: optional,
  BIDDING_SERVICE_TOKEN: envSecret(),
  MERCURE_PUBLISHER_JWT_KEY: envSecret(MIN_SECRET_BYTES, { pem: true }),
  MERCURE_PUBLISHER_JWT_ALG: jwtAlgEnv,
  MERCURE_SUBSCRIBER_JWT_KEY: envSecret(MIN_SECRET_BYTES, { pem: true }),
  MERCURE_SUBSCRIBER_JWT_ALG: jwtAlgEnv,
  RATE_LIMIT_PER_SECOND: envInt(5, 1),
  RATE_LIMIT_BURST: envInt(10, 1),
  HUB_TOKEN_TTL: envInt(3600, 10),
  // Default: on in the embedded default, off when distributed (the demo sign-in needs no password).
  GAVEL_DEMO: envBool(true).optional(),
  GAVEL_DEMO_ALLOW_REMOTE: envBool(false),
  TWILIO_AUTH_TOKEN: optional,
  WHATSAPP_APP_SECRET: optional,
  WHATSAPP_VERIFY_TOKEN: optional,
  WHATSAPP_ACCESS_TOKEN: optional,
  WHATSAPP_GRAPH_URL: z.string().url().optional(),
  MESSAGING_PUBLIC_URL: z
    .string()
    .url('MESSAGING_PUBLIC_URL is an origin like https://bids.example.com')
    .optional(),
  SMS_CONFIRM_ABOVE: confirmAboveEnv,
  HOUSE_RATES: optional,
  SMS_CONFIRM_WINDOW: envInt(300, 30, 3600),
  PUBLIC_ORIGIN: z
    .url('PUBLIC_ORIGIN is an origin like https://bids.example.com')
    .refine(
      (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol),
      'PUBLIC_ORIGIN is an http(s) origin',
    )
    .optional(),
  ACCOUNTS_SERVICE_TOKEN: envSecret(),
  ADMIN_JWT_KEY: envSecret(),
  GATEWAY_METRICS_HOST: metricsHostEnv,
  GATEWAY_METRICS_PORT: metricsPortEnv(9466),
});

export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = loadEnv(schema, env);
  const config: GatewayConfig = {
    host: e.HOST,
    port: e.PORT,
    mode: e.GAVEL_MODE,
    userJwtKey: e.GATEWAY_JWT_KEY,
    maskKey: e.GAVEL_MASK_KEY,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    hubUrl: e.HUB_URL,
    hubPublishUrl: e.HUB_PUBLISH_URL ?? e.HUB_URL,
    biddingUrl: e.BIDDING_URL,
    orchestratorUrl: e.ORCHESTRATOR_URL,
    biddingServiceToken: e.BIDDING_SERVICE_TOKEN,
    publisherKey: e.MERCURE_PUBLISHER_JWT_KEY,
    publisherAlg: e.MERCURE_PUBLISHER_JWT_ALG,
    subscriberKey: e.MERCURE_SUBSCRIBER_JWT_KEY ?? e.MERCURE_PUBLISHER_JWT_KEY,
    subscriberAlg:
      e.MERCURE_SUBSCRIBER_JWT_KEY === undefined ? e.MERCURE_PUBLISHER_JWT_ALG : e.MERCURE_SUBSCRIBER_JWT_ALG,
    topicBase: e.GAVEL_TOPIC_BASE,
    ratePerSecond: e.RATE_LIMIT_PER_SECOND,
    rateBurst: Math.max(e.RATE_LIMIT_BURST, e.RATE_LIMIT_PER_SECOND),
    hubTokenTtlSeconds: e.HUB_TOKEN_TTL,
    demo: e.GAVEL_DEMO ?? e.GAVEL_MODE === 'embedded',
    demoAllowRemote: e.GAVEL_DEMO_ALLOW_REMOTE,
    houseRates:
      e.HOUSE_RATES !== undefined
        ? parseHouseRates(e.HOUSE_RATES, "the house's rates")
        : (e.GAVEL_DEMO ?? e.GAVEL_MODE === 'embedded')
          ? parseHouseRates(DEMO_RATES, 'Demo: illustrative rates, not market data')
          : undefined,
    twilioAuthToken: e.TWILIO_AUTH_TOKEN,
    messagingPublicUrl: e.MESSAGING_PUBLIC_URL,
    whatsapp:
      e.WHATSAPP_APP_SECRET !== undefined &&
      e.WHATSAPP_VERIFY_TOKEN !== undefined &&
      e.WHATSAPP_ACCESS_TOKEN !== undefined
        ? {
            appSecret: e.WHATSAPP_APP_SECRET,
            verifyToken: e.WHATSAPP_VERIFY_TOKEN,
            accessToken: e.WHATSAPP_ACCESS_TOKEN,
            graphUrl: e.WHATSAPP_GRAPH_URL,
          }
        : undefined,
    smsConfirmAbove: e.SMS_CONFIRM_ABOVE,
    smsConfirmWindowMs: e.SMS_CONFIRM_WINDOW * 1000,
    publicOrigin: e.PUBLIC_ORIGIN === undefined ? undefined : new URL(e.PUBLIC_ORIGIN).origin,
    accountsServiceToken: e.ACCOUNTS_SERVICE_TOKEN,
    adminJwtKey: e.ADMIN_JWT_KEY,
    metrics: { host: e.GATEWAY_METRICS_HOST, port: e.GATEWAY_METRICS_PORT },
    logLevel: e.LOG_LEVEL,
  };
  const whatsappVars = [
    ['WHATSAPP_APP_SECRET', e.WHATSAPP_APP_SECRET],
    ['WHATSAPP_VERIFY_TOKEN', e.WHATSAPP_VERIFY_TOKEN],
    ['WHATSAPP_ACCESS_TOKEN', e.WHATSAPP_ACCESS_TOKEN],
  ] as const;
  if (config.whatsapp === undefined && whatsappVars.some(([, v]) => v !== undefined))
    throw new ConfigError(
      `the WhatsApp Cloud API needs ${whatsappVars
        .filter(([, v]) => v === undefined)
        .map(([k]) => k)
        .join(', ')} too (set all three, or none)`,
    );
  // The demo signs anyone in as any demo user, the auctioneer included, without a password.
  if (config.mode === 'distributed' && config.demo)
    throw new ConfigError(
      'GAVEL_DEMO is for the embedded default only: a distributed deployment has no passwordless sign-in (unset GAVEL_DEMO)',
    );
  if (config.demo && !isLoopback(config.host) && !config.demoAllowRemote)
    throw new ConfigError(
      `HOST=${config.host} would offer the passwordless demo sign-in (any bidder, the auctioneer) to every machine that reaches it. ` +
        'Bind HOST=127.0.0.1, set GAVEL_DEMO=false, or set GAVEL_DEMO_ALLOW_REMOTE=true if that is what you want.',
    );
  // Links must point where people reach the gateway, not at its listen address.
  if (
    config.mode === 'distributed' &&
    config.accountsServiceToken !== undefined &&
    config.publicOrigin === undefined
  )
    throw new ConfigError(
      'ACCOUNTS_SERVICE_TOKEN (sign-in by email link) needs PUBLIC_ORIGIN, the origin people reach the gateway at (e.g. https://bids.example.com)',
    );
  if (config.mode === 'distributed') {
    const missing = (
      [
        ['REDIS_URL', config.redisUrl],
        ['HUB_URL', config.hubUrl],
        ['GATEWAY_JWT_KEY', config.userJwtKey],
        ['GAVEL_MASK_KEY', config.maskKey],
        ['MERCURE_PUBLISHER_JWT_KEY', config.publisherKey],
        [
          'BIDDING_SERVICE_TOKEN (with BIDDING_URL)',
          config.biddingUrl !== undefined ? config.biddingServiceToken : 'unused',
        ],
      ] as const
    )
      .filter(([, v]) => v === undefined)
      .map(([k]) => k);
    if (missing.length > 0)
      throw new Error(`GAVEL_MODE=distributed needs ${missing.join(', ')} (see docs/configuration.md)`);
  }
  return config;
}
