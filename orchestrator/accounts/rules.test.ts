import { describe, expect, it } from 'vitest';
import type { Account } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import {
  hashSecret,
  isWellFormedSecret,
  LINK_TTL_MS,
  linkState,
  mayRevoke,
  newSecret,
  normaliseEmail,
  normaliseName,
  sessionLive,
  signInMail,
} from './rules.ts';

const account = (over: Partial<Account>): Account => ({
  id: 'acc_1',
  kind: 'staff',
  email: 'a@example.com',
  name: 'A',
  roles: [],
  status: 'active',
  ...over,
});

const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? [err.code, err.details] : err;
  }
  return 'no error';
};

describe('account rules', () => {
  it('keeps an address trimmed and refuses what is no address, naming the field', () => {
    expect(normaliseEmail('  Ada@Example.COM ')).toBe('Ada@Example.COM');
    for (const bad of ['', 'ada', 'ada@example', 'a b@example.com', `${'a'.repeat(250)}@e.com`, 42])
      expect(codeOf(() => normaliseEmail(bad))).toEqual(['VALIDATION_FAILED', { field: 'email' }]);
  });

  it('takes a name of 1–100 characters without control characters', () => {
    expect(normaliseName('  Ada   Lovelace ')).toBe('Ada Lovelace');
    for (const bad of ['', '   ', 'x'.repeat(101), 'Ada\u0000'])
      expect(codeOf(() => normaliseName(bad))).toEqual(['VALIDATION_FAILED', { field: 'name' }]);
  });

  it('makes 32-byte secrets, distinct each time, and stores only their SHA-256', () => {
    const a = newSecret();
    const b = newSecret();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(isWellFormedSecret(a)).toBe(true);
    expect(isWellFormedSecret(`${a}x`)).toBe(false);
    expect(isWellFormedSecret('short')).toBe(false);
    expect(hashSecret(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret(a)).not.toContain(a);
    expect(hashSecret(a)).toBe(hashSecret(a));
  });

  it('lets a link be used once, before it expires', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const issued = new Date(now.getTime() - LINK_TTL_MS + 1000);
    expect(linkState({ expiresAt: new Date(issued.getTime() + LINK_TTL_MS), usedAt: null }, now)).toBe(
      'valid',
    );
    expect(linkState({ expiresAt: now, usedAt: null }, now)).toBe('expired');
    expect(linkState({ expiresAt: new Date(now.getTime() + 60_000), usedAt: now }, now)).toBe('used');
  });

  it('keeps a session live until it expires, is revoked, or its account is disabled', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const later = new Date(now.getTime() + 1000);
    expect(sessionLive({ expiresAt: later, revokedAt: null }, { status: 'active' }, now)).toBe(true);
    expect(sessionLive({ expiresAt: now, revokedAt: null }, { status: 'active' }, now)).toBe(false);
    expect(sessionLive({ expiresAt: later, revokedAt: now }, { status: 'active' }, now)).toBe(false);
    expect(sessionLive({ expiresAt: later, revokedAt: null }, { status: 'disabled' }, now)).toBe(false);
  });

  it("lets only an active admin revoke a staff member's session", () => {
    const admin = account({ roles: ['admin'] });
    const clerk = account({ id: 'acc_2', roles: ['auctioneer'] });
    const bidder = account({ id: 'acc_3', kind: 'bidder' });
    expect(mayRevoke(admin, clerk)).toBe(true);
    expect(mayRevoke(admin, bidder)).toBe(false);
    expect(mayRevoke(clerk, admin)).toBe(false);
    expect(mayRevoke(bidder, clerk)).toBe(false);
    expect(mayRevoke({ ...admin, status: 'disabled' }, clerk)).toBe(false);
  });

  it('writes a sign-in email with the link and its lifetime', () => {
    const m = signInMail({ name: 'Ada' }, 'https://bids.example.com/sign-in/link?token=t', true);
    expect(m.subject).toMatch(/sign/i);
    expect(m.text).toContain('Hello Ada,');
    expect(m.text).toContain('https://bids.example.com/sign-in/link?token=t');
    expect(m.text).toContain('15 minutes');
  });
});
