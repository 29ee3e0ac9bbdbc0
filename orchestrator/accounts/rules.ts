/**
 * The rules of accounts and sign-in, without a database: what an address and a name must be, how
 * secrets are made and kept (only their hash), how long links and sessions live, who may revoke
 * whose session, and the sign-in email.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Account, AccountKind } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';

/** A sign-in link works once, within 15 minutes. */
export const LINK_TTL_MS = 15 * 60_000;

/** A session lives this long from sign-in: a bidder's a month, a staff member's a working day. */
export const SESSION_TTL_MS: Readonly<Record<AccountKind, number>> = {
  bidder: 30 * 24 * 3600_000,
  staff: 12 * 3600_000,
};

/** The bytes of randomness in every link token and session secret. */
export const SECRET_BYTES = 32;

/** A new secret: 32 random bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** What is stored for a secret: its SHA-256 in hex. A fast hash suffices: the secret has 256 bits of entropy. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A secret as handed out (base64url of 32 bytes); anything else is refused before a lookup. */
export function isWellFormedSecret(secret: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(secret);
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/** The address as kept: trimmed; one account per address whatever its case (the unique index is on lower()). */
export function normaliseEmail(input: unknown): string {
  const email = typeof input === 'string' ? input.trim() : '';
  if (email.length === 0 || email.length > 254 || !EMAIL.test(email))
    throw new AppError('VALIDATION_FAILED', 'email must be an address like ada@example.com', {
      details: { field: 'email' },
    });
  return email;
}

/** A person's name as shown to staff: trimmed, 1–100 characters, no control characters. */
export function normaliseName(input: unknown): string {
  const name = typeof input === 'string' ? input.trim().replace(/\s+/g, ' ') : '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (name.length === 0 || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name))
    throw new AppError('VALIDATION_FAILED', 'name must be 1–100 characters', { details: { field: 'name' } });
  return name;
}

export interface LinkRow {
  expiresAt: Date;
  usedAt: Date | null;
}

/** Whether a link may still be consumed at `now`. */
export function linkState(link: LinkRow, now: Date): 'valid' | 'used' | 'expired' {
  if (link.usedAt !== null) return 'used';
  return link.expiresAt.getTime() > now.getTime() ? 'valid' : 'expired';
}

export interface SessionRow {
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Whether a session still signs its account in at `now` (the account must be active too). */
export function sessionLive(session: SessionRow, account: Pick<Account, 'status'>, now: Date): boolean {
  return (
    session.revokedAt === null && session.expiresAt.getTime() > now.getTime() && account.status === 'active'
  );
}

/** Only an active admin revokes someone else's session, and only a staff member's (bidders sign themselves out). */
export function mayRevoke(actor: Account, owner: Account): boolean {
  return (
    actor.kind === 'staff' &&
    actor.status === 'active' &&
    actor.roles.includes('admin') &&
    owner.kind === 'staff'
  );
}

/** The sign-in email: the link, how long it lasts, and what to do if it was not asked for. */
export function signInMail(
  account: Pick<Account, 'name'>,
  url: string,
  signUp: boolean,
): { subject: string; text: string } {
  const minutes = LINK_TTL_MS / 60_000;
  return {
    subject: signUp ? 'Confirm your email to finish signing up to Gavel' : 'Your Gavel sign-in link',
    text: [
      `Hello ${account.name},`,
      '',
      signUp
        ? 'Open this link to confirm your email address and sign in:'
        : 'Open this link to sign in to Gavel:',
      url,
      '',
      `The link works once, within ${minutes} minutes. If you did not ask for it, ignore this email: nobody can sign in without it.`,
    ].join('\n'),
  };
}

/** The staff invitation: who invited them, the roles, the link (a sign-in link: once, within 15 minutes). */
export function inviteMail(
  account: Pick<Account, 'name' | 'roles'>,
  inviter: Pick<Account, 'name'>,
  url: string,
): { subject: string; text: string } {
  const minutes = LINK_TTL_MS / 60_000;
  return {
    subject: 'You are invited to the Gavel back office',
    text: [
      `Hello ${account.name},`,
      '',
      `${inviter.name} has invited you to the house's Gavel staff (${account.roles.join(', ')}).`,
      'Open this link to sign in for the first time:',
      url,
      '',
      `The link works once, within ${minutes} minutes; afterwards ask for a sign-in link at /sign-in with this address, or add a passkey on your account page.`,
    ].join('\n'),
  };
}
