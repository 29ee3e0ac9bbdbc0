/** Lot images on the local disk (the default): one file per key under a directory. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { contentTypeOf, isMediaKey, type MediaObject, type MediaStore } from './store.ts';

export class LocalMediaStore implements MediaStore {
  readonly where: string;
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.where = `local disk at ${this.root}`;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // Written aside, then renamed: a reader never sees half a file.
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  async get(key: string): Promise<MediaObject | undefined> {
    try {
      return { body: await readFile(this.path(key)), contentType: contentTypeOf(key) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private path(key: string): string {
    if (!isMediaKey(key)) throw new Error(`not a media key: ${key}`);
    return join(this.root, ...key.split('/'));
  }
}

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}
