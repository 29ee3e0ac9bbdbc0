/** Lot images through the admin API in process (PGlite in memory, a temporary folder as the store). */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { backOfficeCatalogue } from '../catalogue/api.ts';
import { LocalMediaStore } from '../media/local-store.ts';
import { mediaRoutes } from '../media/routes.ts';
import { inProcessAdmin, type InProcessAdmin } from './test-kit.ts';

const picture = (width: number, height: number, colour: string): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();

function form(files: { name: string; bytes: Uint8Array; type?: string; alt?: string }[]): FormData {
  const f = new FormData();
  for (const file of files) {
    f.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'image/jpeg' }), file.name);
    f.append('alt', file.alt ?? '');
  }
  return f;
}

async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

describe('lot images (admin API)', () => {
  let admin: InProcessAdmin;
  let dir: string;
  let store: LocalMediaStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gavel-images-test-'));
    store = new LocalMediaStore(dir);
    admin = await inProcessAdmin({ media: { store, limits: { maxImageBytes: 200_000, maxFiles: 3 } } });
    await admin.build.setUp({
      sale: { id: 'img-sale' },
      lots: [{ id: 'img-lot', title: 'A blue vase' }],
      publish: true,
    });
  });
  afterAll(async () => {
    await admin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads several images, lists them in order, serves them and carries them in the catalogue', async () => {
    const res = await admin.request('POST', '/lots/img-lot/images', {
      body: form([
        { name: 'front.jpg', bytes: await picture(2400, 1800, '#224488'), alt: 'The vase from the front' },
        // Declared as a PDF with a .txt name: the type is what sharp decodes.
        { name: 'back.txt', bytes: await picture(600, 900, '#884422'), type: 'application/pdf' },
      ]),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      images: { id: string; position: number; display: { url: string; width: number } }[];
    };
    expect(body.images.map((i) => [i.position, i.display.width])).toEqual([
      [0, 1600],
      [1, 600],
    ]);
    expect(await filesIn(dir)).toHaveLength(4);

    const listed = await admin.ok('GET', '/lots/img-lot/images');
    expect((listed.images as unknown[]).length).toBe(2);
    // The lot as the admin reads it carries them too, in order.
    expect((await admin.ok('GET', '/lots/img-lot')).images).toEqual(listed.images);

    const sale = await backOfficeCatalogue(admin.db, store).sale('img-sale');
    const lot = sale?.lots[0];
    expect(lot?.images).toHaveLength(2);
    expect(lot?.images?.[0]?.alt).toBe('The vase from the front');
    // No alt text given: the lot's title.
    expect(lot?.images?.[1]?.alt).toBe('A blue vase');
    const thumbUrl = lot?.images?.[0]?.thumb.url ?? '';
    expect(thumbUrl).toMatch(/^\/media\/lots\/img-lot\/[a-f0-9]{16}-thumb\.webp$/);

    const served = await mediaRoutes(store, createLogger('t', 'silent')).request(
      thumbUrl.replace('/media/', '/v1/'),
    );
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).width).toBe(320);
    const missing = await mediaRoutes(store, createLogger('t', 'silent')).request(
      '/v1/lots/img-lot/../../etc/passwd',
    );
    expect(missing.status).toBe(404);
  });

  it('reorders, edits alt text and deletes, each audited with the admin as actor', async () => {
    const ids = ((await admin.ok('GET', '/lots/img-lot/images')).images as { id: string }[]).map((i) => i.id);
    const reordered = await admin.ok('PUT', '/lots/img-lot/images/order', { order: [...ids].reverse() });
    expect((reordered.images as { id: string }[]).map((i) => i.id)).toEqual([...ids].reverse());
    const bad = await admin.api('PUT', '/lots/img-lot/images/order', { order: [ids[0]] });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('BAD_IMAGE_ORDER');

    await admin.ok('PATCH', `/lots/img-lot/images/${ids[1]}`, { alt: 'The back, with the mark' });
    await admin.ok('DELETE', `/lots/img-lot/images/${ids[0]}`);
    const left = (await admin.ok('GET', '/lots/img-lot/images')).images as { id: string; alt: string }[];
    expect(left).toEqual([expect.objectContaining({ id: ids[1], alt: 'The back, with the mark' })]);
    expect(await filesIn(dir)).toHaveLength(2);
    const unknown = await admin.api('DELETE', `/lots/img-lot/images/${ids[0]}`);
    expect(unknown.body.error?.code).toBe('UNKNOWN_IMAGE');

    const audit = await admin.db.query<{ actor: string; action: string }>(
      `SELECT actor, action FROM audit_log WHERE action LIKE 'lot.images.%' ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      'lot.images.add',
      'lot.images.reorder',
      'lot.images.alt',
      'lot.images.delete',
    ]);
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(['admin:ada']));
  });

  it('refuses a non-image, a corrupt file and an oversized one, naming the file, and stores nothing', async () => {
    const before = await filesIn(dir);
    const good = await picture(400, 300, '#336633');
    const cases: [string, Uint8Array, number, string][] = [
      ['notes.jpg', Buffer.from('this is a letter, not a photograph'), 422, 'BAD_IMAGE'],
      ['broken.jpg', good.subarray(0, 400), 422, 'BAD_IMAGE'],
      ['huge.jpg', new Uint8Array(200_001), 413, 'IMAGE_TOO_LARGE'],
    ];
    for (const [name, bytes, status, code] of cases) {
      const res = await admin.request('POST', '/lots/img-lot/images', {
        body: form([
          { name: 'fine.jpg', bytes: good },
          { name, bytes },
        ]),
      });
      expect(res.status, name).toBe(status);
      const err = (
        (await res.json()) as { error: { code: string; message: string; details: { file: string } } }
      ).error;
      expect(err.code, name).toBe(code);
      expect(err.message).toContain(name);
      expect(err.details.file).toBe(name);
    }
    expect(await filesIn(dir)).toEqual(before);
    expect((await admin.ok('GET', '/lots/img-lot/images')).images).toHaveLength(1);
  });

  it('refuses a body that is not multipart, an empty form, too many files and an unknown lot', async () => {
    const json = await admin.api('POST', '/lots/img-lot/images', { file: 'x' });
    expect(json.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const empty = new FormData();
    empty.append('alt', 'nothing');
    const none = await admin.request('POST', '/lots/img-lot/images', { body: empty });
    expect(none.status).toBe(400);
    const small = await picture(10, 10, '#000');
    const many = await admin.request('POST', '/lots/img-lot/images', {
      body: form([1, 2, 3, 4].map((n) => ({ name: `${n}.jpg`, bytes: small }))),
    });
    expect(((await many.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_IMAGES');
    const unknown = await admin.request('POST', '/lots/nope/images', {
      body: form([{ name: 'a.jpg', bytes: small }]),
    });
    expect(unknown.status).toBe(404);
  });
});
