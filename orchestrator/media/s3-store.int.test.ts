/**
 * Lot images in an S3-compatible store: s3rver (a real S3 server in Node) on a free port, the
 * orchestrator on real PostgreSQL and Redis with MEDIA_STORE=s3, everything over HTTP.
 */
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saleResponseSchema } from '../../common/contracts/index.ts';
import { startTestBackOffice, type TestBackOffice } from '../../test/support/orchestrator.ts';
import { startS3, type TestS3 } from '../../test/support/s3.ts';
import { mediaConfigFromEnv } from './config.ts';
import { S3MediaStore } from './s3-store.ts';

const picture = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: '#5a3d2b' } })
    .jpeg()
    .toBuffer();

describe('media on S3 (s3rver)', () => {
  let s3: TestS3;
  let bo: TestBackOffice;
  const env = (): NodeJS.ProcessEnv => ({
    MEDIA_STORE: 's3',
    MEDIA_S3_ENDPOINT: s3.endpoint,
    MEDIA_S3_BUCKET: s3.bucket,
    MEDIA_S3_REGION: s3.region,
    MEDIA_S3_ACCESS_KEY_ID: s3.accessKeyId,
    MEDIA_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    MEDIA_S3_FORCE_PATH_STYLE: 'true',
    MEDIA_S3_PREFIX: 'gavel/',
    MEDIA_MAX_IMAGE_BYTES: '300000',
  });
  const keys = async (): Promise<string[]> =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? [])
      .map((o) => o.Key ?? '')
      .sort();
  const upload = (lotId: string, files: { name: string; bytes: Uint8Array }[]): Promise<Response> => {
    const form = new FormData();
    for (const f of files) form.append('file', new Blob([new Uint8Array(f.bytes)]), f.name);
    return bo.tokens.sign({ id: 'ops', role: 'admin', name: 'Ops' }).then((token) =>
      fetch(`${bo.orch.url!}/admin/v1/lots/${lotId}/images`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: form,
      }),
    );
  };

  beforeAll(async () => {
    s3 = await startS3();
    bo = await startTestBackOffice('media-s3', { media: mediaConfigFromEnv(env()) });
    await bo.ok('POST', '/sales', {
      id: 'media-s3-sale',
      mode: 'timed',
      currency: 'EUR',
      title: 'Photographs',
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 7_200_000).toISOString(),
    });
    await bo.ok('POST', '/sales/media-s3-sale/lots', {
      id: 'media-s3-lot',
      lotNumber: 1,
      title: 'A silver print',
      opening: '100.00',
      increments: [{ from: '0', step: '10.00' }],
    });
    await bo.ok('POST', '/sales/media-s3-sale/publish');
  }, 60_000);
  afterAll(async () => {
    await bo.close();
    await s3.close();
  });

  it('stores, reads and deletes objects with their type and immutable caching', async () => {
    const config = mediaConfigFromEnv(env()).store;
    if (config.kind !== 's3') throw new Error('MEDIA_STORE=s3 was not read');
    const store = new S3MediaStore(config);
    const key = 'lots/x1/0123456789abcdef-thumb.webp';
    await store.put(key, new Uint8Array([1, 2, 3]), 'image/webp');
    expect(await store.get(key)).toEqual({ body: new Uint8Array([1, 2, 3]), contentType: 'image/webp' });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `gavel/${key}` }));
    expect(head.CacheControl).toBe('public, max-age=31536000, immutable');
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    await expect(store.put('../escape', new Uint8Array([1]), 'image/webp')).rejects.toThrow(
      /not a media key/,
    );
    await store.close();
  });

  it('uploads through the admin API into the bucket; the catalogue links them and /media/v1 serves them', async () => {
    const res = await upload('media-s3-lot', [{ name: 'print.jpg', bytes: await picture(1200, 900) }]);
    expect(res.status).toBe(201);
    const stored = await keys();
    expect(stored).toHaveLength(2);
    expect(
      stored.every((k) => /^gavel\/lots\/media-s3-lot\/[a-f0-9]{16}-(thumb|display)\.webp$/.test(k)),
    ).toBe(true);

    const catalogue = saleResponseSchema.parse(
      await (await fetch(`${bo.orch.url!}/catalogue/v1/sales/media-s3-sale`)).json(),
    );
    const image = catalogue.sale.lots[0]?.images?.[0];
    expect(image).toMatchObject({ alt: 'A silver print', display: { width: 1200, height: 900 } });
    const served = await fetch(`${bo.orch.url!}${image!.display.url.replace('/media/', '/media/v1/')}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(served.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect([meta.format, meta.width]).toEqual(['webp', 1200]);
  });

  it('refuses a non-image and an oversized file with a 4xx naming it, leaving the bucket as it was', async () => {
    const before = await keys();
    const notImage = await upload('media-s3-lot', [
      { name: 'ok.jpg', bytes: await picture(100, 100) },
      { name: 'invoice.pdf', bytes: Buffer.from('%PDF-1.7 not a picture') },
    ]);
    expect(notImage.status).toBe(422);
    expect(((await notImage.json()) as { error: { message: string } }).error.message).toContain(
      'invoice.pdf',
    );
    const big = await upload('media-s3-lot', [{ name: 'scan.tiff', bytes: new Uint8Array(300_001) }]);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toContain('scan.tiff');
    expect(await keys()).toEqual(before);
  });
});
