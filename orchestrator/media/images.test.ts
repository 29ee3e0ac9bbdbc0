import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageRefused, processImage, VARIANT_SIZES } from './images.ts';

/** A 2000 × 1000 JPEG whose EXIF says "rotate 90° clockwise to view", with a camera tag to strip. */
async function sidewaysJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 2000, height: 1000, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'Secret Camera', Copyright: 'x' } })
    .toBuffer();
}

async function refusal(input: Uint8Array): Promise<ImageRefused> {
  const err: unknown = await processImage(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageRefused);
  return err as ImageRefused;
}

describe('processImage (sharp)', () => {
  it('applies the EXIF orientation, fits both sizes and strips the metadata', async () => {
    const input = await sidewaysJpeg();
    expect((await sharp(input).metadata()).orientation).toBe(6);
    const out = await processImage(input);
    expect(out.format).toBe('jpeg');
    // Upright: 1000 × 2000, fitted inside 1600 and 320.
    expect([out.display.width, out.display.height]).toEqual([800, VARIANT_SIZES.display]);
    expect([out.thumb.width, out.thumb.height]).toEqual([160, VARIANT_SIZES.thumb]);
    for (const v of [out.thumb, out.display]) {
      const meta = await sharp(v.body).metadata();
      expect(meta.format).toBe('webp');
      expect([meta.width, meta.height]).toEqual([v.width, v.height]);
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(v.body.includes('Secret Camera')).toBe(false);
    }
  });

  it('never enlarges a small picture', async () => {
    const png = await sharp({ create: { width: 200, height: 100, channels: 4, background: '#fff' } })
      .png()
      .toBuffer();
    const out = await processImage(png);
    expect(out.format).toBe('png');
    expect([out.display.width, out.display.height]).toEqual([200, 100]);
    expect([out.thumb.width, out.thumb.height]).toEqual([200, 100]);
  });

  it('decides the type by decoding: text, SVG and a truncated JPEG are refused', async () => {
    expect((await refusal(Buffer.from('GIF89a but really a letter'))).refusal.reason).toBe('unreadable');
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    const svgRefusal = await refusal(svg);
    expect(svgRefusal.refusal).toMatchObject({ reason: 'format', format: 'svg' });
    const jpeg = await sidewaysJpeg();
    expect((await refusal(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).refusal.reason).toBe('unreadable');
  });
});
