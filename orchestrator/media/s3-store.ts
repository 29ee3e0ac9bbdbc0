/**
 * Lot images in any S3-compatible store (AWS S3, MinIO, Ceph, R2…) through @aws-sdk/client-s3.
 * Objects are written with their content type and the one-year immutable Cache-Control, so a bucket
 * served straight (or behind a CDN) answers as the gateway does.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { IMMUTABLE, isMediaKey, type MediaObject, type MediaStore } from './store.ts';

export interface S3MediaConfig {
  /** e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`; unset = AWS's own for `region`. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  /** Unset = the SDK's default chain (environment, instance role…). */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  /** `https://host/bucket/key` instead of `https://bucket.host/key` (MinIO and most self-hosted stores). */
  forcePathStyle: boolean;
  /** Prepended to every key, e.g. `gavel/` to share a bucket. */
  prefix: string;
}

export class S3MediaStore implements MediaStore {
  readonly where: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(config: S3MediaConfig) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.where = `S3 bucket ${config.bucket}${config.endpoint === undefined ? '' : ` at ${config.endpoint}`}`;
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.accessKeyId === undefined || config.secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }),
    });
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        Body: body,
        ContentType: contentType,
        CacheControl: IMMUTABLE,
      }),
    );
  }

  async get(key: string): Promise<MediaObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      if (out.Body === undefined) return undefined;
      return { body: await out.Body.transformToByteArray(), contentType: out.ContentType ?? 'image/webp' };
    } catch (err) {
      if (
        err instanceof NoSuchKey ||
        (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)
      )
        return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  private key(key: string): string {
    if (!isMediaKey(key)) throw new Error(`not a media key: ${key}`);
    return `${this.prefix}${key}`;
  }
}
