/** Where lot images are stored and how large an upload may be (docs/media.md), read once from the environment. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { envBool, envInt, loadEnv } from '../../common/config.ts';
import { LocalMediaStore } from './local-store.ts';
import { S3MediaStore, type S3MediaConfig } from './s3-store.ts';
import type { MediaStore } from './store.ts';

export interface MediaConfig {
  /** Local disk in `dir` (unset: a fresh temporary folder), or an S3-compatible bucket. */
  store: { kind: 'local'; dir: string | undefined } | ({ kind: 's3' } & S3MediaConfig);
  /** Largest image file accepted (bytes). */
  maxImageBytes: number;
  /** Most files in one upload. */
  maxFiles: number;
}

export const DEFAULT_MEDIA_DIR = '.data/media';
export const DEFAULT_MEDIA_LIMITS = { maxImageBytes: 20 * 1024 * 1024, maxFiles: 10 } as const;

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z
  .object({
    MEDIA_STORE: z.enum(['local', 's3']).default('local'),
    MEDIA_DIR: optional,
    MEDIA_S3_ENDPOINT: optional.refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), {
      message: 'expected an http:// or https:// URL',
    }),
    MEDIA_S3_BUCKET: optional,
    MEDIA_S3_REGION: optional,
    MEDIA_S3_ACCESS_KEY_ID: optional,
    MEDIA_S3_SECRET_ACCESS_KEY: optional,
    MEDIA_S3_FORCE_PATH_STYLE: envBool(false),
    MEDIA_S3_PREFIX: optional.refine((v) => v === undefined || /^[A-Za-z0-9._/-]*\/$/.test(v), {
      message: 'expected a key prefix ending in "/", like "gavel/"',
    }),
    MEDIA_MAX_IMAGE_BYTES: envInt(DEFAULT_MEDIA_LIMITS.maxImageBytes, 1024, 200 * 1024 * 1024),
    MEDIA_MAX_FILES: envInt(DEFAULT_MEDIA_LIMITS.maxFiles, 1, 100),
  })
  .refine((e) => e.MEDIA_STORE !== 's3' || e.MEDIA_S3_BUCKET !== undefined, {
    message: 'MEDIA_STORE=s3 needs MEDIA_S3_BUCKET',
    path: ['MEDIA_S3_BUCKET'],
  })
  .refine((e) => (e.MEDIA_S3_ACCESS_KEY_ID === undefined) === (e.MEDIA_S3_SECRET_ACCESS_KEY === undefined), {
    message:
      'set both MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY, or neither (the SDK default chain)',
    path: ['MEDIA_S3_SECRET_ACCESS_KEY'],
  });

/**
 * `MEDIA_*`. Without `MEDIA_DIR`, local images go beside the PGlite folder when there is one
 * (`.data/pglite` → `.data/media`, so a test's temporary data folder holds its images too).
 */
export function mediaConfigFromEnv(env: NodeJS.ProcessEnv = process.env, pgliteDir?: string): MediaConfig {
  const e = loadEnv(schema, env);
  return {
    store:
      e.MEDIA_STORE === 's3'
        ? {
            kind: 's3',
            endpoint: e.MEDIA_S3_ENDPOINT,
            bucket: e.MEDIA_S3_BUCKET ?? '',
            region: e.MEDIA_S3_REGION ?? 'us-east-1',
            accessKeyId: e.MEDIA_S3_ACCESS_KEY_ID,
            secretAccessKey: e.MEDIA_S3_SECRET_ACCESS_KEY,
            forcePathStyle: e.MEDIA_S3_FORCE_PATH_STYLE,
            prefix: e.MEDIA_S3_PREFIX ?? '',
          }
        : {
            kind: 'local',
            dir:
              e.MEDIA_DIR ??
              (pgliteDir === undefined ? DEFAULT_MEDIA_DIR : join(dirname(pgliteDir), 'media')),
          },
    maxImageBytes: e.MEDIA_MAX_IMAGE_BYTES,
    maxFiles: e.MEDIA_MAX_FILES,
  };
}

/** The store a configuration names (a local store without a folder gets a fresh temporary one). */
export async function openMediaStore(store: MediaConfig['store']): Promise<MediaStore> {
  if (store.kind === 's3') return new S3MediaStore(store);
  return new LocalMediaStore(store.dir ?? (await mkdtemp(join(tmpdir(), 'gavel-media-'))));
}
