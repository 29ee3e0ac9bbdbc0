/**
 * Where backups go: a local folder or an S3-compatible bucket and key prefix (`s3://bucket/prefix`),
 * with the endpoint and credentials of the media store's `MEDIA_S3_*` variables. A backup is first
 * complete on local disk (pg_dump writes a file), then lands in the store in one step: renamed into
 * the folder, or uploaded — so a store never shows a half-written backup under a backup's name.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { BackupError } from './errors.ts';
import { backupsAmong, type BackupEntry } from './retention.ts';

/** Endpoint and credentials for an S3-compatible store (the bucket and prefix come from the location). */
export interface S3Access {
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

export type BackupLocation = { kind: 'dir'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

/** `./backups`, `/var/backups/gavel` or `s3://bucket/some/prefix`. */
export function parseLocation(to: string): BackupLocation {
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(to);
  if (s3 !== null) {
    const prefix = (s3[2] ?? '').replace(/^\/+/, '');
    return {
      kind: 's3',
      bucket: s3[1]!,
      prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    };
  }
  if (to.startsWith('s3:'))
    throw new BackupError(
      'BAD_LOCATION',
      `not an S3 location: ${to} (expected s3://bucket or s3://bucket/prefix)`,
    );
  return { kind: 'dir', dir: resolve(to) };
}

export interface BackupStore {
  /** For people and the JSON figures: the folder or `s3://bucket/prefix`. */
  readonly where: string;
  /** The backups there, newest first (other files ignored). */
  list(): Promise<BackupEntry[]>;
  /** Moves the finished local file `file` into the store as `name` (the local file is gone after). */
  put(file: string, name: string): Promise<void>;
  /** Copies backup `name` to the local file `file`. */
  fetch(name: string, file: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** Where to write a dump before `put` (a folder store: beside its final place, so `put` is a rename). */
  scratchFile(name: string): string | undefined;
  /** `name` as a user would pass it back to restore: a path or an `s3://` URL. */
  address(name: string): string;
  close(): void;
}

export function openBackupStore(location: BackupLocation, s3: S3Access): BackupStore {
  return location.kind === 'dir'
    ? new DirStore(location.dir)
    : new S3Store(location.bucket, location.prefix, s3);
}

class DirStore implements BackupStore {
  readonly where: string;
  private readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
    this.where = dir;
  }

  async list(): Promise<BackupEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new BackupError('STORE_FAILED', `cannot list ${this.dir}: ${(err as Error).message}`, err);
    }
    const entries = backupsAmong(names.map((name) => ({ name })));
    for (const e of entries) e.bytes = (await stat(join(this.dir, e.name)).catch(() => undefined))?.size;
    return entries;
  }

  async put(file: string, name: string): Promise<void> {
    await rename(file, join(this.dir, name)).catch((err: unknown) => {
      throw new BackupError(
        'STORE_FAILED',
        `cannot write ${join(this.dir, name)}: ${(err as Error).message}`,
        err,
      );
    });
  }

  async fetch(name: string, file: string): Promise<void> {
    await pipeline(createReadStream(join(this.dir, name)), createWriteStream(file));
  }

  async delete(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }

  scratchFile(name: string): string {
    return join(this.dir, `.${name}.partial`);
  }

  /** Makes the folder (a first backup into a new folder). */
  async ensure(): Promise<void> {
    await mkdir(this.dir, { recursive: true }).catch((err: unknown) => {
      throw new BackupError('STORE_FAILED', `cannot create ${this.dir}: ${(err as Error).message}`, err);
    });
  }

  address(name: string): string {
    return join(this.dir, name);
  }

  close(): void {}
}

class S3Store implements BackupStore {
  readonly where: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  constructor(bucket: string, prefix: string, access: S3Access) {
    this.bucket = bucket;
    this.prefix = prefix;
    this.where = `s3://${bucket}/${prefix}`;
    this.client = new S3Client({
      region: access.region,
      forcePathStyle: access.forcePathStyle,
      // A streamed body would otherwise go as aws-chunked with a trailing checksum, which not every
      // S3-compatible store accepts (s3rver stores the chunk framing); a checksum is not required for PUT.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      ...(access.endpoint === undefined ? {} : { endpoint: access.endpoint }),
      ...(access.accessKeyId === undefined || access.secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey } }),
    });
  }

  async list(): Promise<BackupEntry[]> {
    const found: { name: string; bytes?: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list', this.where, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
        ),
      );
      for (const o of page.Contents ?? []) {
        const name = o.Key?.slice(this.prefix.length);
        if (name !== undefined && !name.includes('/')) found.push({ name, bytes: o.Size });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return backupsAmong(found);
  }

  async put(file: string, name: string): Promise<void> {
    const { size } = await stat(file);
    await this.call('upload', this.address(name), () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + name,
          Body: createReadStream(file),
          ContentLength: size,
          ContentType: 'application/octet-stream',
        }),
      ),
    );
    await rm(file, { force: true });
  }

  async fetch(name: string, file: string): Promise<void> {
    const out = await this.call('download', this.address(name), () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + name })),
    );
    const body = out.Body;
    if (body === undefined) throw new BackupError('NOT_FOUND', `${this.address(name)} is empty`);
    await pipeline(
      body instanceof Readable ? body : Readable.from([await body.transformToByteArray()]),
      createWriteStream(file),
    );
  }

  async delete(name: string): Promise<void> {
    await this.call('delete', this.address(name), () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + name })),
    );
  }

  scratchFile(): undefined {
    return undefined;
  }

  address(name: string): string {
    return `s3://${this.bucket}/${this.prefix}${name}`;
  }

  close(): void {
    this.client.destroy();
  }

  /** An S3 refusal or an unreachable endpoint as a BackupError that names the operation and the place. */
  private async call<T>(op: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof S3ServiceException) {
        const status = err.$metadata.httpStatusCode;
        throw new BackupError(
          status === 404 && op === 'download' ? 'NOT_FOUND' : 'STORE_REFUSED',
          `the S3 store refused to ${op} ${what}: ${err.name}${status === undefined ? '' : ` (HTTP ${status})`}${err.message !== '' && err.message !== err.name ? `: ${err.message}` : ''}`,
          err,
        );
      }
      throw new BackupError('STORE_FAILED', `cannot ${op} ${what}: ${(err as Error).message}`, err);
    }
  }
}

/** A folder store's folder exists before pg_dump writes into it. */
export async function prepareStore(store: BackupStore): Promise<void> {
  if (store instanceof DirStore) await store.ensure();
}
