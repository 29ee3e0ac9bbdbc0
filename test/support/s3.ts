/**
 * A real S3-compatible server for tests: s3rver (an S3 implementation in Node that keeps objects in
 * a folder) on a free loopback port, with one bucket made, closed after the test or file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { track } from './registry.ts';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A client on the server (checking what was stored, behind the code under test's back). */
  client: S3Client;
  close(): Promise<void>;
}

/** s3rver accepts this key pair only (its documented default). */
const KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3(bucket = 'gavel-media-test'): Promise<TestS3> {
  const dir = await mkdtemp(join(tmpdir(), 'gavel-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: dir, silent: true });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: KEY });
  const close = track(`s3rver ${endpoint}`, async () => {
    client.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { endpoint, bucket, region: 'us-east-1', ...KEY, client, close };
}
