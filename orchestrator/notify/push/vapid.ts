/**
 * VAPID keys (RFC 8292): the P-256 key pair the push services know this server by. The public key
 * goes to browsers when they subscribe; the private key signs every send. Checked at start, so a
 * malformed or mismatched pair fails there with a message rather than at the first outbid.
 */
import { createECDH } from 'node:crypto';
import webpush from 'web-push';

export interface VapidKeys {
  /** Uncompressed P-256 point, 65 bytes, base64url (what `applicationServerKey` takes). */
  publicKey: string;
  /** The 32-byte private scalar, base64url. */
  privateKey: string;
  /** Who runs this server, for the push services: a `mailto:` or `https:` URL. */
  subject: string;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Why a key pair and subject cannot be used, or undefined. */
export function vapidProblem(k: VapidKeys): string | undefined {
  if (!B64URL.test(k.publicKey))
    return 'VAPID_PUBLIC_KEY is not base64url (A–Z, a–z, 0–9, - and _, no padding)';
  if (!B64URL.test(k.privateKey))
    return 'VAPID_PRIVATE_KEY is not base64url (A–Z, a–z, 0–9, - and _, no padding)';
  const pub = Buffer.from(k.publicKey, 'base64url');
  const priv = Buffer.from(k.privateKey, 'base64url');
  if (pub.length !== 65 || pub[0] !== 4)
    return `VAPID_PUBLIC_KEY is ${pub.length} bytes; a P-256 public key is 65 (uncompressed, from \`npx web-push generate-vapid-keys\`)`;
  if (priv.length !== 32) return `VAPID_PRIVATE_KEY is ${priv.length} bytes; a P-256 private key is 32`;
  let derived: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(priv);
    derived = ecdh.getPublicKey();
  } catch {
    return 'VAPID_PRIVATE_KEY is not a valid P-256 private key';
  }
  if (!derived.equals(pub)) return 'VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY';
  if (!URL.canParse(k.subject) || !['mailto:', 'https:'].includes(new URL(k.subject).protocol))
    return 'VAPID_SUBJECT is a mailto: or https: URL (how a push service reaches the house), e.g. mailto:ops@house.example';
  return undefined;
}

/** A new key pair (the embedded default, when none is configured): browsers subscribed with it need to subscribe again after a restart. */
export function generateVapidKeys(subject: string): VapidKeys {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { publicKey, privateKey, subject };
}
