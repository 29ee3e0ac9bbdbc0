import { z } from 'zod';
import type { LogLevel } from './logger.ts';
import { JWT_ALGS, type JwtAlg } from './mercure.ts';

/**
 * Reads the environment once, at an entry point, through a zod schema. A bad value stops
 * the process with one message naming every offending variable and what it expects.
 */
export function loadEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(
    `Invalid configuration:\n${lines.join('\n')}\nFix the variables above (see docs/configuration.md) and start again.`,
  );
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Boolean env var: 1/0, true/false, yes/no, on/off. */
export const envBool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected a boolean (true/false), got "${v}"` });
      return z.NEVER;
    });

/** Integer env var with bounds. */
export const envInt = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer in [${min}, ${max}], got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

/** Comma-separated list env var. */
export const envList = (fallback: string[] = []) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined || v.trim() === ''
        ? fallback
        : v
            .split(/[,\s]+/)
            .map((s) => s.trim())
            .filter((s) => s !== ''),
    );

/** Why `secret` is too short for an HMAC key, or undefined when it has at least `minBytes` bytes of UTF-8. */
export function shortSecretProblem(secret: string, minBytes = 32): string | undefined {
  const bytes = Buffer.byteLength(secret, 'utf8');
  return bytes >= minBytes
    ? undefined
    : `expected at least ${minBytes} bytes, got ${bytes}: make a strong one with \`openssl rand -hex 32\``;
}

/** The bytes every signing key, mask key and shared service token must have at least. */
export const MIN_SECRET_BYTES = 32;

/**
 * A secret env var (an HMAC key, a shared token): optional, but when set at least `minBytes` long —
 * a short key stops the start with a message naming the variable and how to make a good one.
 * `pem`: the value may also be a PEM key with its newlines written `\n` (the Mercure keys under
 * RS256/ES256…); they are restored. PEM keys are far longer than any minimum.
 */
export const envSecret = (minBytes = MIN_SECRET_BYTES, opts: { pem?: boolean } = {}) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const value = opts.pem === true ? v.replace(/\\n/g, '\n') : v;
      const problem = shortSecretProblem(value, minBytes);
      if (problem === undefined) return value;
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    });

// ── Variables every service reads ─────────────────────────────────────────────────────────────
// Compose them into a service's schema: `z.object({ ...sharedEnv, PORT: envInt(3000) })`.

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LogLevel[];

/** LOG_LEVEL: pino's level names; `info` by default. */
export const logLevelEnv = z.enum(LOG_LEVELS).default('info');

/** REDIS_PREFIX: the prefix of every key a service writes in Redis; `gavel` by default. */
export const redisPrefixEnv = z
  .string()
  .regex(/^[A-Za-z0-9:_-]+$/)
  .default('gavel');

/** GAVEL_TOPIC_BASE: the URL every Gavel topic is under; `https://gavel.local` by default. */
export const topicBaseEnv = z.string().url().default('https://gavel.local');

/** A JWT algorithm variable (MERCURE_PUBLISHER_JWT_ALG, MERCURE_SUBSCRIBER_JWT_ALG); HS256 by default. */
export const jwtAlgEnv = z.enum(JWT_ALGS as [JwtAlg, ...JwtAlg[]]).default('HS256');

/** The variables every service reads alike. */
export const sharedEnv = {
  LOG_LEVEL: logLevelEnv,
  REDIS_PREFIX: redisPrefixEnv,
  GAVEL_TOPIC_BASE: topicBaseEnv,
} as const;
