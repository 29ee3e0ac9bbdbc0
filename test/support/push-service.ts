/**
 * A stand-in for a browser push service (FCM, Mozilla autopush…), for Web Push tests: a real HTTP
 * server on a free port that records every message POSTed to it and answers as told (201 by
 * default; 410 for a subscription the browser dropped; 503 for an outage). And the browser's side:
 * subscription keys made here (ECDH P-256 and a 16-byte auth secret) and the RFC 8291 decryption of
 * an aes128gcm body, written out with node:crypto — not the library under test decrypting itself.
 */
import { createECDH, createDecipheriv, createHmac, randomBytes, type ECDH } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { track } from './registry.ts';

export interface PushReceived {
  /** The path: which subscription it was for. */
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** What the stand-in answered. */
  status: number;
}

export interface PushServiceStandIn {
  origin: string;
  received: PushReceived[];
  /** The status the next messages to `path` get (default 201); `times` of them, then 201 again. */
  answer(path: string, status: number, times?: number): void;
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushServiceStandIn> {
  const received: PushReceived[] = [];
  const answers = new Map<string, { status: number; times: number }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const a = answers.get(path);
      let status = 201;
      if (a !== undefined && a.times > 0) {
        status = a.status;
        a.times--;
      }
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks), status });
      res.writeHead(status, { Location: `${path}/messages/${received.length}` }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = track(
    'push service stand-in',
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answer(path, status, times = Number.POSITIVE_INFINITY) {
      answers.set(path, { status, times });
    },
    close,
  };
}

/** A browser's subscription keys: what `PushSubscription.toJSON().keys` carries, and the private half. */
export interface BrowserKeys {
  ecdh: ECDH;
  p256dh: string;
  auth: string;
}

export function browserKeys(): BrowserKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    ecdh,
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
}

const hmac = (key: Buffer, data: Buffer): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 8291 (Message Encryption for Web Push) with RFC 8188 aes128gcm, one record: the plaintext. */
export function decryptPush(body: Buffer, keys: BrowserKeys): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (ciphertext.length > rs) throw new Error('more than one record: not expected for a small push');
  const uaPublic = keys.ecdh.getPublicKey();
  const ecdhSecret = keys.ecdh.computeSecret(senderPublic);
  const prkKey = hmac(Buffer.from(keys.auth, 'base64url'), ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, senderPublic, Buffer.from([1])]);
  const ikm = hmac(prkKey, keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'binary')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'binary')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  // The last record ends with the delimiter 0x02, then any zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter: not an aes128gcm push body');
  return padded.subarray(0, end).toString('utf8');
}
