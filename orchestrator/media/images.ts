/**
 * Turning an uploaded file into a lot's pictures with sharp: the type is what sharp decodes, never
 * the file's name or declared type; EXIF orientation is applied and all metadata (EXIF, GPS, XMP,
 * ICC beyond sRGB) dropped; a thumbnail (320 px) and a display size (1600 px) in WebP.
 */
import sharp from 'sharp';

/** The formats a lot image may arrive in. SVG is refused: it is a document, not a picture. */
export const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'heif', 'gif', 'tiff'] as const;

/** The longest side of each variant, in pixels (never enlarged). */
export const VARIANT_SIZES = { thumb: 320, display: 1600 } as const;

/** A decompression bomb guard: 80 megapixels is beyond any camera a house photographs with. */
const MAX_INPUT_PIXELS = 80_000_000;

export interface ProcessedVariant {
  body: Buffer;
  width: number;
  height: number;
}

export interface ProcessedImage {
  /** What sharp found in the file. */
  format: string;
  thumb: ProcessedVariant;
  display: ProcessedVariant;
}

export type ImageRefusal =
  { reason: 'unreadable'; message: string } | { reason: 'format'; message: string; format: string };

export class ImageRefused extends Error {
  readonly refusal: ImageRefusal;

  constructor(refusal: ImageRefusal) {
    super(refusal.message);
    this.name = new.target.name;
    this.refusal = refusal;
  }
}

/** Decodes `input` and makes both variants; throws `ImageRefused` for anything that is not an accepted picture. */
export async function processImage(input: Uint8Array): Promise<ProcessedImage> {
  let format: string | undefined;
  try {
    const meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    format = meta.format;
  } catch (cause) {
    throw new ImageRefused({
      reason: 'unreadable',
      message: `not a picture sharp can decode (${errText(cause)})`,
    });
  }
  if (format === undefined || !(ACCEPTED_FORMATS as readonly string[]).includes(format))
    throw new ImageRefused({
      reason: 'format',
      format: format ?? 'unknown',
      message: `${format ?? 'unknown'} is not accepted; send ${ACCEPTED_FORMATS.join(', ')}`,
    });
  try {
    const [thumb, display] = await Promise.all([
      variant(input, VARIANT_SIZES.thumb, 78),
      variant(input, VARIANT_SIZES.display, 84),
    ]);
    return { format, thumb, display };
  } catch (cause) {
    // The header read, the pixels did not: a truncated or corrupt file.
    throw new ImageRefused({ reason: 'unreadable', message: `the picture is damaged (${errText(cause)})` });
  }
}

async function variant(input: Uint8Array, size: number, quality: number): Promise<ProcessedVariant> {
  // failOn 'error': a truncated JPEG is refused rather than stored half grey.
  const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', pages: 1 })
    .rotate() // EXIF orientation applied to the pixels; output carries no metadata (sharp's default)
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .webp({ quality, effort: 4 })
    .toBuffer({ resolveWithObject: true });
  return { body: data, width: info.width, height: info.height };
}

function errText(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.split('\n')[0]?.slice(0, 160) ?? 'unknown error';
}
