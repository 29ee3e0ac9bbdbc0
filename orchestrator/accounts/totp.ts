/**
 * The staff's optional second factor: time-based one-time codes (RFC 6238, `otpauth`), the secret
 * sealed under ACCOUNTS_TOTP_KEY, one use per code, a lock after repeated wrong codes, and one-time
 * recovery codes. Pure: no database.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { AppError } from '../../common/errors.ts';
import { hashSecret } from './rules.ts';

/** 30-second steps, 6 digits, SHA-1: what every authenticator app reads from an otpauth:// URI. */
export const TOTP_PERIOD_SECONDS = 30;
/** A code from the step before or after is accepted too (clocks drift; people type slowly). */
export const TOTP_WINDOW = 1;
/** Wrong codes in a row before codes are refused for a while, and for how long. */
export const TOTP_MAX_FAILURES = 5;
export const TOTP_LOCK_MS = 15 * 60_000;
/** A session waiting for its code lives this long. */
export const PENDING_FACTOR_TTL_MS = 10 * 60_000;
export const RECOVERY_CODE_COUNT = 8;

function totpFor(base32: string, label: string): TOTP {
  return new TOTP({
    issuer: 'Gavel',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(base32),
  });
}

/** A new secret (160 bits, base32) and the otpauth:// URI an app scans. */
export function newTotpSecret(label: string): { secret: string; uri: string } {
  const secret = new Secret({ size: 20 }).base32;
  return { secret, uri: totpFor(secret, label).toString() };
}

/** A code as typed: digits, spaces and dashes dropped; exactly six digits, else TOTP_INVALID naming `code`. */
export function normaliseCode(input: unknown): string {
  const code = typeof input === 'string' ? input.replace(/[\s-]/g, '') : '';
  if (!/^\d{6}$/.test(code)) throw totpInvalid('code must be the 6 digits your authenticator app shows');
  return code;
}

export function totpInvalid(message = 'that code is not right: try the newest one your app shows'): AppError {
  return new AppError('TOTP_INVALID', message, { details: { field: 'code' } });
}

/**
 * The time step a code is valid for at `now`, or undefined. A step at or before `lastStep` was used
 * already: a code works once, so one seen over a shoulder cannot be replayed.
 */
export function acceptedStep(base32: string, code: string, now: Date, lastStep: number): number | undefined {
  const delta = totpFor(base32, 'x').validate({ token: code, timestamp: now.getTime(), window: TOTP_WINDOW });
  if (delta === null) return undefined;
  const step = Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS) + delta;
  return step > lastStep ? step : undefined;
}

/** The code an app shows at `now` (tests and the demo). */
export function totpCode(base32: string, now: Date): string {
  return totpFor(base32, 'x').generate({ timestamp: now.getTime() });
}

/** Whether codes are refused now after too many wrong ones. */
export function totpLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime();
}

export function totpLockedError(lockedUntil: Date, now: Date): AppError {
  const retry = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  return new AppError('RATE_LIMITED', `too many wrong codes; try again in ${Math.ceil(retry / 60)} min`, {
    details: { retryAfterSeconds: retry, field: 'code' },
  });
}

/**
 * The secret as stored: AES-256-GCM under the key, with the account id as associated data (a row
 * copied onto another account does not decrypt); `plain:` when no key is configured.
 */
export function sealSecret(base32: string, accountId: string, key: Buffer | undefined): string {
  if (key === undefined) return `plain:${base32}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(accountId, 'utf8'));
  const ct = Buffer.concat([cipher.update(base32, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join(':');
}

export function openSecret(sealed: string, accountId: string, key: Buffer | undefined): string {
  if (sealed.startsWith('plain:')) return sealed.slice('plain:'.length);
  const [v, iv, tag, ct] = sealed.split(':');
  if (v !== 'v1' || iv === undefined || tag === undefined || ct === undefined)
    throw new Error('unreadable TOTP secret');
  if (key === undefined)
    throw new AppError('ACCOUNTS_UNAVAILABLE', 'TOTP secrets need ACCOUNTS_TOTP_KEY here');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(accountId, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * Recovery codes: 16 characters (≈ 79 bits) each, shown as `xxxx-xxxx-xxxx-xxxx`. That much entropy
 * makes a fast hash enough to store them (SHA-256), as for link tokens.
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const c = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]!).join(
      '',
    );
    return c.match(/.{4}/g)!.join('-');
  });
}

/** A recovery code as typed (case, spaces and dashes ignored), or undefined when it cannot be one. */
export function normaliseRecoveryCode(input: string): string | undefined {
  const c = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z0-9]{16}$/.test(c) ? c.match(/.{4}/g)!.join('-') : undefined;
}

export const hashRecoveryCode = (code: string): string => hashSecret(`gavel-recovery\0${code}`);
