import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  acceptedStep,
  hashRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  normaliseCode,
  normaliseRecoveryCode,
  openSecret,
  sealSecret,
  totpCode,
} from './totp.ts';

describe('TOTP rules', () => {
  const { secret } = newTotpSecret('ada@example.com');
  const at = new Date('2026-03-01T10:00:10Z');
  const step = Math.floor(at.getTime() / 30_000);

  it('accepts the current code and its neighbours once each, never an older step', () => {
    expect(acceptedStep(secret, totpCode(secret, at), at, 0)).toBe(step);
    expect(acceptedStep(secret, totpCode(secret, new Date(at.getTime() - 30_000)), at, 0)).toBe(step - 1);
    expect(acceptedStep(secret, totpCode(secret, new Date(at.getTime() + 30_000)), at, 0)).toBe(step + 1);
    expect(acceptedStep(secret, totpCode(secret, new Date(at.getTime() + 90_000)), at, 0)).toBeUndefined();
    // Used: the same step again, or an older one, is refused.
    expect(acceptedStep(secret, totpCode(secret, at), at, step)).toBeUndefined();
    expect(acceptedStep(secret, totpCode(secret, new Date(at.getTime() - 30_000)), at, step)).toBeUndefined();
  });

  it('reads a typed code, and names the field when it cannot be one', () => {
    expect(normaliseCode(' 123 456 ')).toBe('123456');
    expect(normaliseCode('123-456')).toBe('123456');
    for (const bad of ['12345', '1234567', 'abcdef', 42, undefined])
      expect(() => normaliseCode(bad)).toThrow(
        expect.objectContaining({ code: 'TOTP_INVALID', details: { field: 'code' } }),
      );
  });

  it('seals the secret under the key, bound to its account; without a key says so in the row', () => {
    const key = randomBytes(32);
    const sealed = sealSecret(secret, 'acc_1', key);
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain(secret);
    expect(openSecret(sealed, 'acc_1', key)).toBe(secret);
    // Copied onto another account, or opened with another key: refused.
    expect(() => openSecret(sealed, 'acc_2', key)).toThrow();
    expect(() => openSecret(sealed, 'acc_1', randomBytes(32))).toThrow();
    expect(sealSecret(secret, 'acc_1', undefined)).toBe(`plain:${secret}`);
    expect(openSecret(`plain:${secret}`, 'acc_1', undefined)).toBe(secret);
  });

  it('makes 8 distinct recovery codes, read back whatever the case and dashes', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(8);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const c = codes[0]!;
    expect(normaliseRecoveryCode(c.toUpperCase().replace(/-/g, ' '))).toBe(c);
    expect(normaliseRecoveryCode('short')).toBeUndefined();
    expect(hashRecoveryCode(c)).not.toContain(c.replace(/-/g, ''));
  });
});
