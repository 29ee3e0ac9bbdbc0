/** The `lot_images` rows: a lot's pictures in the house's order, and how the pages and staff see them. */
import type { CatalogueImage } from '../../common/contracts/index.ts';
import { mediaUrl } from '../../common/catalogue.ts';
import type { Queryable } from '../ledger/db.ts';

export interface LotImage {
  id: string;
  lotId: string;
  position: number;
  alt: string;
  thumbKey: string;
  thumbWidth: number;
  thumbHeight: number;
  displayKey: string;
  displayWidth: number;
  displayHeight: number;
  originalName: string;
  sourceFormat: string;
  sourceBytes: number;
  sourceSha256: string;
  createdBy: string;
  createdAt: string;
}

type Row = {
  id: string;
  lot_id: string;
  position: number;
  alt: string;
  thumb_key: string;
  thumb_width: number;
  thumb_height: number;
  display_key: string;
  display_width: number;
  display_height: number;
  original_name: string;
  source_format: string;
  source_bytes: number;
  source_sha256: string;
  created_by: string;
  created_at: Date | string;
};

function fromRow(r: Row): LotImage {
  return {
    id: r.id,
    lotId: r.lot_id,
    position: Number(r.position),
    alt: r.alt,
    thumbKey: r.thumb_key,
    thumbWidth: Number(r.thumb_width),
    thumbHeight: Number(r.thumb_height),
    displayKey: r.display_key,
    displayWidth: Number(r.display_width),
    displayHeight: Number(r.display_height),
    originalName: r.original_name,
    sourceFormat: r.source_format,
    sourceBytes: Number(r.source_bytes),
    sourceSha256: r.source_sha256,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** A lot's images in order. */
export async function loadLotImages(q: Queryable, lotId: string): Promise<LotImage[]> {
  const rows = await q.query<Row>('SELECT * FROM lot_images WHERE lot_id = $1 ORDER BY position, id', [
    lotId,
  ]);
  return rows.map(fromRow);
}

/** The images of several lots (a sale's catalogue), each lot's in order. */
export async function loadImagesOfLots(q: Queryable, lotIds: string[]): Promise<Map<string, LotImage[]>> {
  const out = new Map<string, LotImage[]>();
  if (lotIds.length === 0) return out;
  const rows = await q.query<Row>(
    'SELECT * FROM lot_images WHERE lot_id = ANY($1) ORDER BY lot_id, position, id',
    [lotIds],
  );
  for (const r of rows.map(fromRow)) out.set(r.lotId, [...(out.get(r.lotId) ?? []), r]);
  return out;
}

export interface NewLotImage extends Omit<LotImage, 'position' | 'createdAt'> {
  position: number;
}

export async function insertLotImage(q: Queryable, i: NewLotImage): Promise<void> {
  await q.query(
    `INSERT INTO lot_images (id, lot_id, position, alt, thumb_key, thumb_width, thumb_height, display_key,
                             display_width, display_height, original_name, source_format, source_bytes,
                             source_sha256, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      i.id,
      i.lotId,
      i.position,
      i.alt,
      i.thumbKey,
      i.thumbWidth,
      i.thumbHeight,
      i.displayKey,
      i.displayWidth,
      i.displayHeight,
      i.originalName,
      i.sourceFormat,
      i.sourceBytes,
      i.sourceSha256,
      i.createdBy,
    ],
  );
}

/** The image as the catalogue gives it to the pages (alt text falls back to the lot's title). */
export function catalogueImage(i: LotImage, lotTitle: string): CatalogueImage {
  return {
    alt: i.alt === '' ? lotTitle : i.alt,
    thumb: { url: mediaUrl(i.thumbKey), width: i.thumbWidth, height: i.thumbHeight },
    display: { url: mediaUrl(i.displayKey), width: i.displayWidth, height: i.displayHeight },
  };
}

/** The image as staff see it in the admin API. */
export function adminImageView(i: LotImage): Record<string, unknown> {
  return {
    id: i.id,
    position: i.position,
    alt: i.alt,
    thumb: { url: mediaUrl(i.thumbKey), width: i.thumbWidth, height: i.thumbHeight },
    display: { url: mediaUrl(i.displayKey), width: i.displayWidth, height: i.displayHeight },
    originalName: i.originalName,
    sourceFormat: i.sourceFormat,
    sourceBytes: i.sourceBytes,
    sourceSha256: i.sourceSha256,
    createdBy: i.createdBy,
    createdAt: i.createdAt,
  };
}
