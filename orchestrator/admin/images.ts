/**
 * A lot's images (docs/media.md): upload one or several (multipart/form-data), list, reorder, edit the
 * alt text, delete. Every file is decoded by sharp before anything is stored — the type is what it
 * decodes as, never its name or declared type — so one bad file refuses the whole upload, naming it.
 * Stored through the media store (disk or S3), recorded with its audit row in one transaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AppError } from '../../common/errors.ts';
import type { AppEnv } from '../../common/http-env.ts';
import { humanText } from '../../common/human-text.ts';
import { readJson } from '../../common/http-body.ts';
import { audit } from '../ledger/records.ts';
import type { MediaConfig } from '../media/config.ts';
import { ImageRefused, processImage, type ProcessedImage } from '../media/images.ts';
import { adminImageView, insertLotImage, loadLotImages, type LotImage } from '../media/lot-images.ts';
import { imageKey, type MediaStore } from '../media/store.ts';
import type { AdminApiDeps } from './context.ts';
import { who } from './context.ts';
import { mustLot } from './lookups.ts';

/** The most images one lot may have. */
export const MAX_IMAGES_PER_LOT = 50;

/** The admin API's media: where images are stored and how large an upload may be. */
export interface AdminMedia {
  store: MediaStore;
  limits: Pick<MediaConfig, 'maxImageBytes' | 'maxFiles'>;
}

const altText = humanText('alt', 300, 'what the picture shows, for people who cannot see it');
const orderBody = z.strictObject({
  order: z.array(z.string().max(64)).min(1).max(MAX_IMAGES_PER_LOT),
});
const altBody = z.strictObject({ alt: z.union([altText, z.literal('')]) });

export function imageRoutes(app: Hono<AppEnv>, deps: AdminApiDeps): void {
  const { db } = deps;
  const media = (): AdminMedia => {
    if (deps.media === undefined) throw new AppError('NOT_AVAILABLE', 'no media store is configured');
    return deps.media;
  };
  // Room for every file at its limit and the form's text fields; Hono counts chunked bodies too.
  const uploadLimit =
    deps.media === undefined ? 1 : deps.media.limits.maxImageBytes * deps.media.limits.maxFiles + 64 * 1024;

  app.get('/lots/:id/images', async (c) => {
    const lot = await mustLot(db, c.req.param('id'));
    return c.json({ images: (await loadLotImages(db, lot.id)).map(adminImageView) });
  });

  app.post(
    '/lots/:id/images',
    bodyLimit({
      maxSize: uploadLimit,
      onError: () => {
        throw new AppError(
          'BODY_TOO_LARGE',
          `the upload is over ${uploadLimit} bytes (${media().limits.maxFiles} files of ${media().limits.maxImageBytes} bytes at most)`,
        );
      },
    }),
    async (c) => {
      const { store, limits } = media();
      const ctx = who(c);
      const lotId = c.req.param('id');
      await mustLot(db, lotId);
      const uploads = await readUploads(c, limits);
      // Decode and resize everything first: nothing is stored unless every file is a picture.
      const processed: { upload: Upload; image: ProcessedImage; id: string }[] = [];
      for (const upload of uploads) {
        try {
          processed.push({
            upload,
            image: await processImage(upload.bytes),
            id: randomBytes(8).toString('hex'),
          });
        } catch (err) {
          if (!(err instanceof ImageRefused)) throw err;
          throw new AppError('BAD_IMAGE', `file "${upload.name}" (#${upload.index + 1}): ${err.message}`, {
            details: { field: 'file', file: upload.name, index: upload.index, reason: err.refusal.reason },
          });
        }
      }
      const written: string[] = [];
      try {
        for (const p of processed) {
          for (const variant of ['thumb', 'display'] as const) {
            const key = imageKey(lotId, p.id, variant, 'webp');
            await store.put(key, p.image[variant].body, 'image/webp');
            written.push(key);
          }
        }
        await db.transaction(async (tx) => {
          await mustLot(tx, lotId, true);
          const existing = await loadLotImages(tx, lotId);
          if (existing.length + processed.length > MAX_IMAGES_PER_LOT)
            throw new AppError(
              'TOO_MANY_IMAGES',
              `lot ${lotId} has ${existing.length} images; at most ${MAX_IMAGES_PER_LOT} per lot`,
              { details: { field: 'file' } },
            );
          let position = existing.reduce((max, i) => Math.max(max, i.position + 1), 0);
          for (const p of processed) {
            await insertLotImage(tx, {
              id: p.id,
              lotId,
              position: position++,
              alt: p.upload.alt,
              thumbKey: imageKey(lotId, p.id, 'thumb', 'webp'),
              thumbWidth: p.image.thumb.width,
              thumbHeight: p.image.thumb.height,
              displayKey: imageKey(lotId, p.id, 'display', 'webp'),
              displayWidth: p.image.display.width,
              displayHeight: p.image.display.height,
              originalName: p.upload.name,
              sourceFormat: p.image.format,
              sourceBytes: p.upload.bytes.byteLength,
              sourceSha256: createHash('sha256').update(p.upload.bytes).digest('hex'),
              createdBy: ctx.actor,
            });
          }
          await audit(tx, {
            ...ctx,
            action: 'lot.images.add',
            entityType: 'lot',
            entityId: lotId,
            details: {
              images: processed.map((p) => ({ id: p.id, name: p.upload.name, format: p.image.format })),
            },
          });
        });
      } catch (err) {
        // Nothing half-saved: the files written for a refused upload go again.
        await Promise.allSettled(written.map((key) => store.delete(key)));
        throw err;
      }
      const ids = new Set(processed.map((p) => p.id));
      const images = (await loadLotImages(db, lotId)).filter((i) => ids.has(i.id));
      return c.json({ images: images.map(adminImageView) }, 201);
    },
  );

  app.put('/lots/:id/images/order', async (c) => {
    const body = orderBody.parse(await readJson(c));
    const ctx = who(c);
    const lotId = c.req.param('id');
    const images = await db.transaction(async (tx) => {
      await mustLot(tx, lotId, true);
      const current = await loadLotImages(tx, lotId);
      const known = new Set(current.map((i) => i.id));
      const given = new Set(body.order);
      if (
        given.size !== body.order.length ||
        given.size !== known.size ||
        body.order.some((id) => !known.has(id))
      )
        throw new AppError(
          'BAD_IMAGE_ORDER',
          `order must list each of the lot's ${known.size} images once: ${[...known].join(', ')}`,
          { details: { field: 'order', images: [...known] } },
        );
      for (const [position, id] of body.order.entries())
        await tx.query('UPDATE lot_images SET position = $1 WHERE id = $2', [position, id]);
      await audit(tx, {
        ...ctx,
        action: 'lot.images.reorder',
        entityType: 'lot',
        entityId: lotId,
        details: { order: body.order },
      });
      return loadLotImages(tx, lotId);
    });
    return c.json({ images: images.map(adminImageView) });
  });

  app.patch('/lots/:id/images/:imageId', async (c) => {
    const body = altBody.parse(await readJson(c));
    const ctx = who(c);
    const image = await db.transaction(async (tx) => {
      const found = await mustImage(tx, c.req.param('id'), c.req.param('imageId'));
      await tx.query('UPDATE lot_images SET alt = $1 WHERE id = $2', [body.alt, found.id]);
      await audit(tx, {
        ...ctx,
        action: 'lot.images.alt',
        entityType: 'lot',
        entityId: found.lotId,
        details: { imageId: found.id, alt: body.alt },
      });
      return { ...found, alt: body.alt };
    });
    return c.json({ image: adminImageView(image) });
  });

  app.delete('/lots/:id/images/:imageId', async (c) => {
    const ctx = who(c);
    const image = await db.transaction(async (tx) => {
      const found = await mustImage(tx, c.req.param('id'), c.req.param('imageId'));
      await tx.query('DELETE FROM lot_images WHERE id = $1', [found.id]);
      await audit(tx, {
        ...ctx,
        action: 'lot.images.delete',
        entityType: 'lot',
        entityId: found.lotId,
        details: { imageId: found.id, name: found.originalName },
      });
      return found;
    });
    // After the commit: a failed delete leaves an unreferenced file, never a row without its file.
    const { store } = media();
    await Promise.allSettled([store.delete(image.thumbKey), store.delete(image.displayKey)]);
    return c.json({ deleted: image.id });
  });
}

async function mustImage(
  q: Parameters<typeof loadLotImages>[0],
  lotId: string,
  imageId: string,
): Promise<LotImage> {
  await mustLot(q, lotId, true);
  const found = (await loadLotImages(q, lotId)).find((i) => i.id === imageId);
  if (found === undefined) throw new AppError('UNKNOWN_IMAGE', `lot ${lotId} has no image ${imageId}`);
  return found;
}

interface Upload {
  index: number;
  name: string;
  alt: string;
  bytes: Uint8Array;
}

/**
 * The form's files (every field holding a file; `file` by convention) and their alt texts (`alt`
 * fields, in the same order as the files). Size and count are checked before anything is decoded.
 */
async function readUploads(c: Context<AppEnv>, limits: AdminMedia['limits']): Promise<Upload[]> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data'))
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send the images as multipart/form-data (fields "file" and "alt")',
    );
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch (cause) {
    throw new AppError('VALIDATION_FAILED', 'the multipart body could not be read', {
      details: { field: 'file' },
      cause,
    });
  }
  const files: File[] = [];
  const alts: string[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') files.push(value);
    else if (name === 'alt') alts.push(value);
  }
  if (files.length === 0)
    throw new AppError('VALIDATION_FAILED', 'no file: send one or more image files in "file" fields', {
      details: { field: 'file' },
    });
  if (files.length > limits.maxFiles)
    throw new AppError('TOO_MANY_IMAGES', `${files.length} files: at most ${limits.maxFiles} per upload`, {
      details: { field: 'file' },
    });
  const out: Upload[] = [];
  for (const [index, file] of files.entries()) {
    const name = file.name === '' ? `file ${index + 1}` : file.name.slice(0, 200);
    if (file.size === 0)
      throw new AppError('BAD_IMAGE', `file "${name}" (#${index + 1}) is empty`, {
        details: { field: 'file', file: name, index, reason: 'empty' },
      });
    if (file.size > limits.maxImageBytes)
      throw new AppError(
        'IMAGE_TOO_LARGE',
        `file "${name}" (#${index + 1}) is ${file.size} bytes; at most ${limits.maxImageBytes}`,
        { details: { field: 'file', file: name, index, maxBytes: limits.maxImageBytes } },
      );
    const rawAlt = alts[index] ?? '';
    const alt = rawAlt.trim() === '' ? '' : altText.safeParse(rawAlt);
    if (typeof alt !== 'string' && !alt.success)
      throw new AppError(
        'VALIDATION_FAILED',
        `alt #${index + 1}: ${alt.error.issues[0]?.message ?? 'invalid'}`,
        {
          details: { field: 'alt', index },
        },
      );
    out.push({
      index,
      name,
      alt: typeof alt === 'string' ? alt : alt.data,
      bytes: new Uint8Array(await file.arrayBuffer()),
    });
  }
  return out;
}
