import { isMediaKey } from '../../common/catalogue.ts';

export { IMMUTABLE, isMediaKey } from '../../common/catalogue.ts';

/**
 * Where lot images live: one small interface (`MediaStore`) with a local-disk and an S3-compatible
 * implementation. Keys are built here and checked (`isMediaKey`, common/catalogue.ts), so neither implementation ever
 * sees a path with `..`, a leading `/` or a character a file system or S3 treats specially.
 */

/** A stored object: its bytes and how to serve them. */
export interface MediaObject {
  body: Uint8Array;
  contentType: string;
}

export interface MediaStore {
  /** Where the objects are, for people and logs: `local disk at …` or `S3 bucket … at …`. */
  readonly where: string;
  /** Writes (or replaces) `key`. */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The object, or undefined when there is none. */
  get(key: string): Promise<MediaObject | undefined>;
  /** Removes `key`; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections (S3); nothing for the disk. */
  close(): Promise<void>;
}

export type ImageVariant = 'thumb' | 'display';

export function imageKey(lotId: string, imageId: string, variant: ImageVariant, ext: 'webp' | 'jpg'): string {
  const key = `lots/${lotId}/${imageId}-${variant}.${ext}`;
  if (!isMediaKey(key)) throw new Error(`not a media key: ${key}`);
  return key;
}

/** The content type of a key, from its extension (the keys are ours: nothing else is stored). */
export function contentTypeOf(key: string): string {
  return key.endsWith('.jpg') ? 'image/jpeg' : 'image/webp';
}
