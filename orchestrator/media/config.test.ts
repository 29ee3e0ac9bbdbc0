import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config.ts';
import { mediaConfigFromEnv } from './config.ts';
import { LocalMediaStore } from './local-store.ts';

describe('mediaConfigFromEnv', () => {
  it('defaults to local disk beside the PGlite folder, 20 MiB and 10 files', () => {
    expect(mediaConfigFromEnv({}, '/var/gavel/pglite')).toEqual({
      store: { kind: 'local', dir: '/var/gavel/media' },
      maxImageBytes: 20 * 1024 * 1024,
      maxFiles: 10,
    });
    expect(mediaConfigFromEnv({ MEDIA_DIR: '/srv/images' }).store).toEqual({
      kind: 'local',
      dir: '/srv/images',
    });
  });

  it('reads an S3 store and refuses one without a bucket or with half the credentials, naming the variable', () => {
    expect(
      mediaConfigFromEnv({
        MEDIA_STORE: 's3',
        MEDIA_S3_BUCKET: 'lots',
        MEDIA_S3_ENDPOINT: 'http://127.0.0.1:9000',
        MEDIA_S3_FORCE_PATH_STYLE: 'true',
      }).store,
    ).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'lots',
      region: 'us-east-1',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      forcePathStyle: true,
      prefix: '',
    });
    expect(() => mediaConfigFromEnv({ MEDIA_STORE: 's3' })).toThrow(/MEDIA_S3_BUCKET/);
    expect(() =>
      mediaConfigFromEnv({ MEDIA_STORE: 's3', MEDIA_S3_BUCKET: 'b', MEDIA_S3_ACCESS_KEY_ID: 'k' }),
    ).toThrow(/MEDIA_S3_SECRET_ACCESS_KEY/);
    expect(() => mediaConfigFromEnv({ MEDIA_STORE: 'ftp' })).toThrow(ConfigError);
    expect(() => mediaConfigFromEnv({ MEDIA_S3_PREFIX: 'no-slash' })).toThrow(/MEDIA_S3_PREFIX/);
    expect(() => mediaConfigFromEnv({ MEDIA_MAX_IMAGE_BYTES: '10' })).toThrow(/MEDIA_MAX_IMAGE_BYTES/);
  });
});

describe('LocalMediaStore', () => {
  it('writes, reads and deletes by key, and refuses anything that is not a media key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gavel-local-store-'));
    try {
      const store = new LocalMediaStore(dir);
      const key = 'lots/lot-1/0123456789abcdef-display.webp';
      await store.put(key, new Uint8Array([7, 8]));
      expect(await store.get(key)).toEqual({ body: Buffer.from([7, 8]), contentType: 'image/webp' });
      // Written aside and renamed: no temporary file is left behind.
      expect(await readdir(join(dir, 'lots', 'lot-1'))).toEqual(['0123456789abcdef-display.webp']);
      await store.delete(key);
      await store.delete(key);
      expect(await store.get(key)).toBeUndefined();
      for (const bad of [
        '../x',
        '/etc/passwd',
        'lots/../../x/0123456789abcdef-thumb.webp',
        'lots/a/ABC-thumb.webp',
      ])
        await expect(store.get(bad), bad).rejects.toThrow(/not a media key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
