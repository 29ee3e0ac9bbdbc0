/**
 * Passkey challenges, the staff's TOTP second factor and staff administration, as one suite run on
 * in-memory PGlite (factors.test.ts) and on PostgreSQL (factors.int.test.ts). The WebAuthn
 * ceremonies themselves are verified end to end by Chromium's virtual authenticator
 * (test/e2e/passkeys.e2e.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import { migrate } from '../ledger/migrate.ts';
import { DevMailbox } from '../notify/dev-mailbox.ts';
import { linkTokenFor } from './service-cases.ts';
import { AccountsService } from './service.ts';
import { TOTP_LOCK_MS, TOTP_MAX_FAILURES, TOTP_PERIOD_SECONDS, totpCode } from './totp.ts';

const ORIGIN = 'https://bids.example.com';
const RP = { rpId: 'bids.example.com', rpName: 'Gavel', origin: ORIGIN };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'no error';
}

export function accountFactorCases(open: () => Promise<{ db: Database; close: () => Promise<void> }>): void {
  let db: Database;
  let close: () => Promise<void>;
  let mailbox: DevMailbox;
  let clock = new Date('2026-03-01T10:00:00Z');
  let accounts: AccountsService;
  const key = randomBytes(32);
  const tick = (steps = 1): void => {
    clock = new Date(clock.getTime() + steps * TOTP_PERIOD_SECONDS * 1000);
  };

  beforeAll(async () => {
    ({ db, close } = await open());
    await migrate(db);
    mailbox = new DevMailbox();
    accounts = new AccountsService({
      db,
      mail: mailbox,
      logger: createLogger('accounts-test', 'silent'),
      now: () => clock,
      totpKey: key,
    });
  }, 60_000);
  afterAll(() => close());

  const staff = async (email: string, roles: Account['roles']): Promise<Account> =>
    (await accounts.store.ensure({ kind: 'staff', email, name: email.split('@')[0]!, roles })).account;
  const signIn = async (email: string) => {
    await accounts.requestLink({ email, origin: ORIGIN });
    return accounts.consumeLink(linkTokenFor(mailbox, email), 'ua');
  };

  describe('passkey challenges', () => {
    it('keeps a challenge server-side, for its purpose and account, and takes it once', async () => {
      const a = await staff('keys@house.example', ['auctioneer']);
      const { challengeId, options } = await accounts.passkeyRegistrationOptions(a.id, RP);
      expect(options).toMatchObject({ rp: { id: 'bids.example.com', name: 'Gavel' } });
      expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required' });
      const [row] = await db.query<{ challenge: string }>(
        'SELECT challenge FROM webauthn_challenges WHERE id = $1',
        [challengeId],
      );
      expect(row?.challenge).toBe(options.challenge);
      // Not a WebAuthn credential at all: refused before the challenge is touched.
      expect(await codeOf(accounts.addPasskey(a.id, challengeId, { id: 'x' }, 'Laptop', RP))).toBe(
        'PASSKEY_INVALID',
      );
      const bogus = {
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        clientExtensionResults: {},
        response: { clientDataJSON: 'e30', attestationObject: 'AAAA' },
      };
      // Well-formed but wrong: refused by the verification, and the challenge is used up.
      expect(await codeOf(accounts.addPasskey(a.id, challengeId, bogus, 'Laptop', RP))).toBe(
        'PASSKEY_INVALID',
      );
      await expect(accounts.addPasskey(a.id, challengeId, bogus, 'Laptop', RP)).rejects.toThrow(
        /used already/,
      );
      // A sign-in challenge is no registration's.
      const signIn = await accounts.passkeySignInOptions(RP);
      await expect(accounts.addPasskey(a.id, signIn.challengeId, bogus, 'Laptop', RP)).rejects.toThrow(
        /used already/,
      );
      expect(await codeOf(accounts.addPasskey(a.id, challengeId, bogus, '', RP))).toBe('VALIDATION_FAILED');
      expect(await accounts.passkeys(a.id)).toEqual([]);
      expect(await codeOf(accounts.removePasskey(a.id, 'nope'))).toBe('UNKNOWN_PASSKEY');
    });

    it('expires a sign-in challenge after 5 minutes', async () => {
      const { challengeId } = await accounts.passkeySignInOptions(RP);
      const at = clock;
      clock = new Date(at.getTime() + 5 * 60_000 + 1);
      try {
        const answer = {
          id: 'AAAA',
          rawId: 'AAAA',
          type: 'public-key',
          clientExtensionResults: {},
          response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
        };
        await expect(accounts.signInWithPasskey(challengeId, answer, RP, undefined)).rejects.toThrow(
          /expired or was used/,
        );
      } finally {
        clock = at;
      }
    });
  });

  describe('TOTP for staff', () => {
    it('enrols with a confirming code, then every sign-in waits for a code, each code works once', async () => {
      const a = await staff('totp@house.example', ['admin']);
      const { secret, uri } = await accounts.beginTotp(a.id);
      expect(uri).toMatch(/^otpauth:\/\/totp\/Gavel:totp%40house\.example\?/);
      // Sealed under the key: the row does not hold the secret.
      const [row] = await db.query<{ secret: string }>(
        'SELECT secret FROM totp_factors WHERE account_id = $1',
        [a.id],
      );
      expect(row?.secret).toMatch(/^v1:/);
      expect(row?.secret).not.toContain(secret);
      // Not confirmed yet: a sign-in needs no code.
      const before = await signIn('totp@house.example');
      expect(before.pendingFactor).toBeUndefined();

      expect(await codeOf(accounts.confirmTotp(a.id, '12345'))).toBe('TOTP_INVALID');
      const wrong = totpCode(secret, new Date(clock.getTime() + 10 * 60_000));
      expect(await codeOf(accounts.confirmTotp(a.id, wrong))).toBe('TOTP_INVALID');
      const { recoveryCodes } = await accounts.confirmTotp(a.id, totpCode(secret, clock));
      expect(recoveryCodes).toHaveLength(8);
      expect((await accounts.totpStatus(a.id)).confirmed).toBe(true);
      expect(await codeOf(accounts.beginTotp(a.id))).toBe('ALREADY_EXISTS');

      const s = await signIn('totp@house.example');
      expect(s.pendingFactor).toBe('totp');
      expect(await accounts.resolve(s.secret)).toBeUndefined();
      expect((await accounts.pendingSession(s.secret))?.account.id).toBe(a.id);
      // The code that confirmed the app was used: not again.
      expect(await codeOf(accounts.completeSecondFactor(s.secret, totpCode(secret, clock)))).toBe(
        'TOTP_INVALID',
      );
      tick();
      const done = await accounts.completeSecondFactor(s.secret, totpCode(secret, clock));
      expect(done.account.id).toBe(a.id);
      expect((await accounts.resolve(s.secret))?.ref).toBe(s.ref);
      expect(await accounts.pendingSession(s.secret)).toBeUndefined();

      // A recovery code works once.
      const r = await signIn('totp@house.example');
      await accounts.completeSecondFactor(r.secret, recoveryCodes[0]!.toUpperCase());
      const r2 = await signIn('totp@house.example');
      expect(await codeOf(accounts.completeSecondFactor(r2.secret, recoveryCodes[0]!))).toBe('TOTP_INVALID');
      expect((await accounts.totpStatus(a.id)).recoveryCodesLeft).toBe(7);
    });

    it('locks codes after five wrong ones, for 15 minutes, even the right one', async () => {
      const a = await staff('locked@house.example', ['auctioneer']);
      const { secret } = await accounts.beginTotp(a.id);
      await accounts.confirmTotp(a.id, totpCode(secret, clock));
      const s = await signIn('locked@house.example');
      tick();
      const wrong = String((Number(totpCode(secret, clock)) + 1) % 1_000_000).padStart(6, '0');
      for (let i = 1; i < TOTP_MAX_FAILURES; i++)
        expect(await codeOf(accounts.completeSecondFactor(s.secret, wrong))).toBe('TOTP_INVALID');
      expect(await codeOf(accounts.completeSecondFactor(s.secret, wrong))).toBe('RATE_LIMITED');
      expect(await codeOf(accounts.completeSecondFactor(s.secret, totpCode(secret, clock)))).toBe(
        'RATE_LIMITED',
      );
      const at = clock;
      clock = new Date(at.getTime() + TOTP_LOCK_MS - 60_000);
      const later = await signIn('locked@house.example');
      expect(await codeOf(accounts.completeSecondFactor(later.secret, totpCode(secret, clock)))).toBe(
        'RATE_LIMITED',
      );
      clock = new Date(at.getTime() + TOTP_LOCK_MS + 1000);
      await accounts.completeSecondFactor(later.secret, totpCode(secret, clock));
      // The first sign-in waited more than its 10 minutes: it is gone.
      expect(await codeOf(accounts.completeSecondFactor(s.secret, totpCode(secret, clock)))).toBe(
        'UNAUTHENTICATED',
      );
    });

    it('is for staff only, and comes off with a current code', async () => {
      await accounts.requestLink({ email: 'bidder@example.com', name: 'Bidder', origin: ORIGIN });
      const b = await accounts.consumeLink(linkTokenFor(mailbox, 'bidder@example.com'), undefined);
      expect(await codeOf(accounts.beginTotp(b.account.id))).toBe('FORBIDDEN');
      const a = await staff('off@house.example', ['auctioneer']);
      expect(await codeOf(accounts.removeTotp(a.id, '123456'))).toBe('TOTP_NOT_ENROLLED');
      const { secret } = await accounts.beginTotp(a.id);
      await accounts.confirmTotp(a.id, totpCode(secret, clock));
      tick();
      await accounts.removeTotp(a.id, totpCode(secret, clock));
      expect((await signIn('off@house.example')).pendingFactor).toBeUndefined();
      const log = await db.query<{ actor: string; action: string }>(
        `SELECT actor, action FROM audit_log WHERE entity_id = $1 ORDER BY id`,
        [a.id],
      );
      expect(log).toEqual([
        { actor: a.id, action: 'account.totp.on' },
        { actor: a.id, action: 'account.totp.off' },
      ]);
    });
  });

  describe('staff administration', () => {
    it('lets an admin invite, change roles, disable and enable staff, every change audited with the admin as actor', async () => {
      const boss = await staff('head@house.example', ['admin']);
      const clerk = await staff('desk@house.example', ['auctioneer']);
      expect(await codeOf(accounts.listStaff(clerk.id))).toBe('FORBIDDEN');
      expect(
        await codeOf(
          accounts.inviteStaff(clerk.id, { email: 'x@house.example', name: 'X', roles: ['admin'] }, ORIGIN),
        ),
      ).toBe('FORBIDDEN');

      const invited = await accounts.inviteStaff(
        boss.id,
        { email: 'New.Clerk@house.example', name: 'New Clerk', roles: ['auctioneer'] },
        ORIGIN,
      );
      expect(invited).toMatchObject({ kind: 'staff', roles: ['auctioneer'], status: 'active' });
      expect(mailbox.list()[0]?.subject).toMatch(/invited/);
      expect(mailbox.list()[0]?.text).toContain('head');
      const first = await accounts.consumeLink(linkTokenFor(mailbox, 'new.clerk@house.example'), 'ua');
      expect(first.account.id).toBe(invited.id);
      expect(
        await codeOf(
          accounts.inviteStaff(
            boss.id,
            { email: 'new.clerk@HOUSE.example', name: 'Y', roles: ['admin'] },
            ORIGIN,
          ),
        ),
      ).toBe('ALREADY_EXISTS');
      expect(
        await codeOf(
          accounts.inviteStaff(boss.id, { email: 'z@house.example', name: 'Z', roles: [] }, ORIGIN),
        ),
      ).toBe('VALIDATION_FAILED');

      expect(await accounts.setStaffRoles(boss.id, invited.id, ['admin', 'auctioneer'])).toMatchObject({
        roles: ['admin', 'auctioneer'],
      });
      expect(await codeOf(accounts.setStaffRoles(boss.id, invited.id, ['owner' as 'admin']))).toBe(
        'VALIDATION_FAILED',
      );
      expect(await codeOf(accounts.setStaffRoles(boss.id, boss.id, ['auctioneer']))).toBe('FORBIDDEN');
      expect(await codeOf(accounts.setStaffStatus(boss.id, boss.id, 'disabled'))).toBe('FORBIDDEN');
      expect(await codeOf(accounts.setStaffRoles(boss.id, 'acc_nope', ['admin']))).toBe('UNKNOWN_ACCOUNT');

      const listed = await accounts.listStaff(boss.id);
      const row = listed.find((m) => m.account.id === invited.id)!;
      expect(row.sessions.map((s) => s.ref)).toEqual([first.ref]);

      await accounts.setStaffStatus(boss.id, invited.id, 'disabled');
      expect(await accounts.resolve(first.secret)).toBeUndefined();
      expect((await accounts.sessions(invited.id)).every((s) => s.revokedAt !== null)).toBe(true);
      const sent = mailbox.list().length;
      await accounts.requestLink({ email: 'new.clerk@house.example', origin: ORIGIN });
      expect(mailbox.list()).toHaveLength(sent);
      await accounts.setStaffStatus(boss.id, invited.id, 'active');
      const again = await signIn('new.clerk@house.example');
      await accounts.revokeStaffSession(boss.id, again.ref);

      const log = await db.query<{ actor: string; action: string }>(
        `SELECT actor, action FROM audit_log WHERE entity_type = 'account' AND entity_id = $1 ORDER BY id`,
        [invited.id],
      );
      expect(log).toEqual(
        ['staff.invite', 'staff.roles', 'staff.disable', 'staff.enable', 'staff.session.revoke'].map(
          (action) => ({
            actor: boss.id,
            action,
          }),
        ),
      );
    });
  });
}
