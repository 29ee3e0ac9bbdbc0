import { isIP } from 'node:net';
import { z } from 'zod';
import {
  ConfigError,
  envBool,
  envInt,
  envList,
  envSecret,
  jwtAlgEnv,
  loadEnv,
  logLevelEnv,
  MIN_SECRET_BYTES,
} from '../../common/config.ts';
import type { JwtAlg } from '../../common/mercure.ts';
import { metricsHostEnv, metricsPortEnv } from '../../common/metrics.ts';
import type { LogLevel } from '../../common/logger.ts';

export interface HubConfig {
  host: string;
  port: number;
  publisherKey: string | undefined;
  publisherAlg: JwtAlg;
  subscriberKey: string | undefined;
  subscriberAlg: JwtAlg;
  anonymous: boolean;
  corsOrigins: string[];
  publishOrigins: string[];
  transportUrl: string;
  historySize: number;
  historyMaxAgeSeconds: number;
  heartbeatSeconds: number;
  /** Connections are closed after a random lifetime in [max/2, max] so reconnects don't stampede. 0 = never. */
  maxConnectionSeconds: number;
  retryMs: number;
  maxBodyBytes: number;
  /** A subscriber with more than this many bytes waiting to be written is dropped. */
  subscriberBufferBytes: number;
  subscriptions: boolean;
  /** Topic selectors (`topic` parameters) one subscription may have. */
  maxTopics: number;
  /** Characters in one topic selector. */
  maxTopicLength: number;
  /** Template variables in one topic selector (`{a,b}{/c}` has 3). */
  maxTemplateExpressions: number;
  /** Open subscriptions per client address (anonymous, or a token without `sub`); 0 = unlimited. */
  maxConnectionsPerIp: number;
  /** Open subscriptions per token subject (`sub`); 0 = unlimited. */
  maxConnectionsPerSubject: number;
  /** Proxies whose `X-Forwarded-For` names the client address (exact IP addresses). */
  trustedProxies: string[];
  /** Where `/metrics` is served: never on the public port. */
  metricsHost: string;
  /** undefined = no metrics listener; 0 = any free port. */
  metricsPort: number | undefined;
  logLevel: LogLevel;
}

/** `off` = no metrics listener; empty = the default; else a port (0 = any free port). */
const metricsPort = metricsPortEnv(9464);

/** The settings the embedded process reads for the hub it mounts, as the standalone hub does. */
const embeddedEnvSchema = z.object({
  MERCURE_MAX_TOPICS: envInt(32, 1, 10_000),
  MERCURE_MAX_TOPIC_LENGTH: envInt(1024, 16, 65_536),
  MERCURE_MAX_TEMPLATE_EXPRESSIONS: envInt(8, 1, 64),
  MERCURE_MAX_CONNECTIONS_PER_IP: envInt(100, 0),
  MERCURE_MAX_CONNECTIONS_PER_SUBJECT: envInt(20, 0),
  MERCURE_TRUSTED_PROXIES: envList([]).refine((list) => list.every((a) => isIP(a) !== 0), {
    message: 'expected IP addresses (comma-separated), e.g. 10.0.0.5,::1',
  }),
  MERCURE_METRICS_HOST: metricsHostEnv,
  MERCURE_METRICS_PORT: metricsPort,
});

const hubEnvSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: envInt(3001, 0, 65535),
  MERCURE_PUBLISHER_JWT_KEY: envSecret(MIN_SECRET_BYTES, { pem: true }),
  MERCURE_PUBLISHER_JWT_ALG: jwtAlgEnv,
  MERCURE_SUBSCRIBER_JWT_KEY: envSecret(MIN_SECRET_BYTES, { pem: true }),
  MERCURE_SUBSCRIBER_JWT_ALG: jwtAlgEnv,
  MERCURE_ANONYMOUS: envBool(false),
  MERCURE_CORS_ORIGINS: envList([]),
  MERCURE_PUBLISH_ORIGINS: envList([]),
  MERCURE_TRANSPORT_URL: z.string().default('memory://'),
  MERCURE_HISTORY_SIZE: envInt(10_000, 0, 10_000_000),
  MERCURE_HISTORY_MAX_AGE: envInt(86_400, 1),
  MERCURE_HEARTBEAT: envInt(15, 0, 3600),
  MERCURE_MAX_CONNECTION_LIFETIME: envInt(600, 0),
  MERCURE_RETRY_MS: envInt(2000, 0, 600_000),
  MERCURE_MAX_BODY_BYTES: envInt(1_048_576, 1),
  MERCURE_SUBSCRIBER_BUFFER_BYTES: envInt(1_048_576, 1024),
  MERCURE_SUBSCRIPTIONS: envBool(true),
  ...embeddedEnvSchema.shape,
  // The one shared variable the hub reads: it keeps no Redis keys of its own (the transport URL
  // names their prefix) and publishes to no Gavel topics, so REDIS_PREFIX and GAVEL_TOPIC_BASE
  // are not its to check.
  LOG_LEVEL: logLevelEnv,
});

export const hubDefaults: HubConfig = configFromEnv({});

export type EmbeddedHubConfig = Pick<
  HubConfig,
  | 'maxTopics'
  | 'maxTopicLength'
  | 'maxTemplateExpressions'
  | 'maxConnectionsPerIp'
  | 'maxConnectionsPerSubject'
  | 'trustedProxies'
  | 'metricsHost'
  | 'metricsPort'
>;

/**
 * The hub settings `npm start` reads for the hub it mounts on the gateway's origin: the client
 * limits, the trusted proxies and where its metrics go (the rest is the gateway's to decide).
 */
export function embeddedHubConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmbeddedHubConfig {
  return embeddedFrom(loadEnv(embeddedEnvSchema, env));
}

function embeddedFrom(e: z.output<typeof embeddedEnvSchema>): EmbeddedHubConfig {
  return {
    maxTopics: e.MERCURE_MAX_TOPICS,
    maxTopicLength: e.MERCURE_MAX_TOPIC_LENGTH,
    maxTemplateExpressions: e.MERCURE_MAX_TEMPLATE_EXPRESSIONS,
    maxConnectionsPerIp: e.MERCURE_MAX_CONNECTIONS_PER_IP,
    maxConnectionsPerSubject: e.MERCURE_MAX_CONNECTIONS_PER_SUBJECT,
    trustedProxies: e.MERCURE_TRUSTED_PROXIES,
    metricsHost: e.MERCURE_METRICS_HOST,
    metricsPort: e.MERCURE_METRICS_PORT,
  };
}

/** Parses the hub's environment (reference-hub variable names where they exist). */
export function hubConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HubConfig {
  return configFromEnv(env);
}

function configFromEnv(env: NodeJS.ProcessEnv): HubConfig {
  const e = loadEnv(hubEnvSchema, env);
  const config: HubConfig = {
    host: e.HOST,
    port: e.PORT,
    publisherKey: e.MERCURE_PUBLISHER_JWT_KEY,
    publisherAlg: e.MERCURE_PUBLISHER_JWT_ALG,
    // Like the reference hub: one key serves both roles unless a subscriber key is given.
    subscriberKey: e.MERCURE_SUBSCRIBER_JWT_KEY ?? e.MERCURE_PUBLISHER_JWT_KEY,
    subscriberAlg: e.MERCURE_SUBSCRIBER_JWT_KEY ? e.MERCURE_SUBSCRIBER_JWT_ALG : e.MERCURE_PUBLISHER_JWT_ALG,
    anonymous: e.MERCURE_ANONYMOUS,
    corsOrigins: e.MERCURE_CORS_ORIGINS,
    // Never a wildcard by default: `*` in the CORS list means "any site may read public updates",
    // not "any site may publish with a visitor's cookie".
    publishOrigins:
      e.MERCURE_PUBLISH_ORIGINS.length > 0
        ? e.MERCURE_PUBLISH_ORIGINS
        : e.MERCURE_CORS_ORIGINS.filter((o) => o !== '*'),
    transportUrl: e.MERCURE_TRANSPORT_URL,
    historySize: e.MERCURE_HISTORY_SIZE,
    historyMaxAgeSeconds: e.MERCURE_HISTORY_MAX_AGE,
    heartbeatSeconds: e.MERCURE_HEARTBEAT,
    maxConnectionSeconds: e.MERCURE_MAX_CONNECTION_LIFETIME,
    retryMs: e.MERCURE_RETRY_MS,
    maxBodyBytes: e.MERCURE_MAX_BODY_BYTES,
    subscriberBufferBytes: e.MERCURE_SUBSCRIBER_BUFFER_BYTES,
    subscriptions: e.MERCURE_SUBSCRIPTIONS,
    ...embeddedFrom(e),
    logLevel: e.LOG_LEVEL,
  };
  assertSafeConfig(config);
  return config;
}

/**
 * Refuses a configuration that would let any web site act with a visitor's credentials: a
 * wildcard among the origins allowed to publish with the `mercureAuthorization` cookie, while the
 * hub verifies tokens. (`MERCURE_CORS_ORIGINS=*` alone is safe: it is answered with a literal
 * `Access-Control-Allow-Origin: *` and no credentials, so browsers send no cookie to read.)
 * Also checked when a hub is built from code (the embedded gateway).
 */
export function assertSafeConfig(
  config: Pick<HubConfig, 'publishOrigins' | 'publisherKey' | 'subscriberKey'>,
): void {
  if (!config.publishOrigins.includes('*')) return;
  if (config.publisherKey === undefined && config.subscriberKey === undefined) return;
  throw new ConfigError(
    'Invalid configuration:\n' +
      '  MERCURE_PUBLISH_ORIGINS: "*" would let any web site publish with a visitor\'s mercureAuthorization cookie ' +
      'while a JWT key is set (MERCURE_PUBLISHER_JWT_KEY / MERCURE_SUBSCRIBER_JWT_KEY): list the exact origins ' +
      'allowed to publish with a cookie (MERCURE_CORS_ORIGINS may stay "*": it is answered without credentials).',
  );
}
