/**
 * Every ioredis client of every service is made here, so a Redis outage reads the same everywhere:
 * one structured log line when a client loses its connection (or cannot make its first one), one
 * when it is back (with how long it was down and how many reconnect attempts failed), nothing per
 * retry in between; and the gauge `gavel_redis_up{client}` and the counter
 * `gavel_redis_outages_total{client}` in `redisMetrics` (served on each service's /metrics).
 *
 * Without an 'error' listener ioredis prints `[ioredis] Unhandled error event: …` with a stack on
 * stderr for every failed reconnect (every 50 ms–2 s): unstructured lines flooding JSON logs.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Logger } from './logger.ts';

/** The Redis connection metrics of this process; merge into a service's registry. */
export const redisMetrics = new Registry();

const upGauge = new Gauge({
  name: 'gavel_redis_up',
  help: 'Whether the Redis client is connected and ready (1) or not (0)',
  labelNames: ['client'],
  registers: [redisMetrics],
});
const outagesCounter = new Counter({
  name: 'gavel_redis_outages_total',
  help: 'Times the Redis client lost its connection or could not make its first one',
  labelNames: ['client'],
  registers: [redisMetrics],
});

export interface RedisClientOptions {
  /** What this connection is for, within its service (the `client` label and log field), e.g. `engine`, `hub-reader`. */
  client: string;
  logger: Logger;
}

/** A new ioredis client whose connection losses and recoveries are logged once each and measured. */
export function createRedis(url: string, options: RedisOptions, opts: RedisClientOptions): Redis {
  const redis = new Redis(url, options);
  watchRedis(redis, opts);
  return redis;
}

/**
 * An error that only says Redis cannot be reached right now (a command given up on while the
 * client reconnects, a closed connection, a server still loading its data). The outage is logged
 * once by the connection; a request that fails on it needs a retryable answer, not a stack trace.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    err.message === 'Connection is closed.' ||
    err.message.startsWith('LOADING ') ||
    /^(connect |read |write )?(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)\b/.test(err.message)
  );
}

type State = 'connecting' | 'up' | 'down';

/** Attaches the outage logging and metrics to a client made elsewhere (also its 'error' listener). */
export function watchRedis(redis: Redis, { client, logger }: RedisClientOptions): void {
  const target = `${redis.options.host ?? '127.0.0.1'}:${redis.options.port ?? 6379}`;
  const log = logger.child({ redisClient: client, redis: target });
  let state: State = 'connecting';
  let downSince = 0;
  let failedAttempts = 0;
  upGauge.set({ client }, 0);

  const goDown = (reason: string, err?: Error & { code?: string }): void => {
    if (state === 'down') {
      failedAttempts++;
      return;
    }
    const first = state === 'connecting';
    state = 'down';
    downSince = Date.now();
    failedAttempts = 0;
    upGauge.set({ client }, 0);
    outagesCounter.inc({ client });
    log.error(
      { reason, ...(err === undefined ? {} : { err: { message: err.message, code: err.code } }) },
      first
        ? 'redis unreachable: retrying until it answers'
        : 'redis connection lost: retrying until it answers',
    );
  };

  // Each error is either the start of an outage (logged) or a failed reconnect during it (counted).
  redis.on('error', (err: Error) => goDown('error', err));
  // A connection closed without an error (the server shut down): ioredis is about to reconnect.
  redis.on('reconnecting', () => {
    if (state === 'up') goDown('connection closed');
  });
  redis.on('ready', () => {
    if (state === 'down') {
      log.info({ downMs: Date.now() - downSince, failedAttempts }, 'redis connection restored');
    }
    state = 'up';
    upGauge.set({ client }, 1);
  });
  redis.on('end', () => {
    // After disconnect() (ours) this is expected; while down it means the client gave up for good.
    if (state === 'down') log.error({ downMs: Date.now() - downSince }, 'redis client gave up reconnecting');
    state = 'connecting';
    upGauge.set({ client }, 0);
  });
}
