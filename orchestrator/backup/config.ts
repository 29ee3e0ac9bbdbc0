/** The environment of backups: the S3 endpoint and credentials (the media store's `MEDIA_S3_*`) and the schedule's values. */
import { z } from 'zod';
import { envBool, loadEnv } from '../../common/config.ts';
import { parseDuration, parseSchedule, SCHEDULE_SYNTAX, type Schedule } from './schedule.ts';
import { parseLocation, type S3Access } from './store.ts';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const s3Schema = z
  .object({
    MEDIA_S3_ENDPOINT: optional.refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), {
      message: 'expected an http:// or https:// URL',
    }),
    MEDIA_S3_REGION: optional,
    MEDIA_S3_ACCESS_KEY_ID: optional,
    MEDIA_S3_SECRET_ACCESS_KEY: optional,
    MEDIA_S3_FORCE_PATH_STYLE: envBool(false),
  })
  .refine((e) => (e.MEDIA_S3_ACCESS_KEY_ID === undefined) === (e.MEDIA_S3_SECRET_ACCESS_KEY === undefined), {
    message:
      'set both MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY, or neither (the SDK default chain)',
    path: ['MEDIA_S3_SECRET_ACCESS_KEY'],
  });

/** The S3 endpoint and credentials backups use: the media store's (the bucket comes from `s3://bucket/prefix`). */
export function backupS3FromEnv(env: NodeJS.ProcessEnv = process.env): S3Access {
  const e = loadEnv(s3Schema, env);
  return {
    endpoint: e.MEDIA_S3_ENDPOINT,
    region: e.MEDIA_S3_REGION ?? 'us-east-1',
    accessKeyId: e.MEDIA_S3_ACCESS_KEY_ID,
    secretAccessKey: e.MEDIA_S3_SECRET_ACCESS_KEY,
    forcePathStyle: e.MEDIA_S3_FORCE_PATH_STYLE,
  };
}

/** `BACKUP_SCHEDULE`: unset = no scheduled backups. */
export const backupScheduleEnv = optional.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const s = parseSchedule(v);
  if (s === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ${SCHEDULE_SYNTAX}, got "${v}"` });
    return z.NEVER;
  }
  return s;
});

/** `BACKUP_MAX_AGE` (`30d`, `12h`, `90m`): unset = no age limit. */
export const backupMaxAgeEnv = optional.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "30d", "12h" or "90m", got "${v}"` });
    return z.NEVER;
  }
  return ms;
});

/** `BACKUP_KEEP`: unset = no count limit. */
export const backupKeepEnv = optional.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    ctx.addIssue({ code: 'custom', message: `expected an integer from 1 to 10000, got "${v}"` });
    return z.NEVER;
  }
  return n;
});

/** `BACKUP_TO`: a folder or `s3://bucket/prefix`; `./backups` by default. */
export const backupToEnv = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? './backups' : v.trim()))
  .refine(
    (v) => {
      try {
        parseLocation(v);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected a folder or s3://bucket/prefix' },
  );

export interface BackupScheduleConfig {
  schedule: Schedule;
  /** A folder or `s3://bucket/prefix`. */
  to: string;
  keep: number | undefined;
  maxAgeMs: number | undefined;
  s3: S3Access;
  /** The pause before the catch-up check at start (default 30 s; tests use 0). */
  startDelayMs?: number;
}
