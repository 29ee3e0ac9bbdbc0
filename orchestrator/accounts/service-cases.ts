/**
 * The accounts service's behaviour, as one suite run on in-memory PGlite (service.test.ts, unit)
 * and on PostgreSQL (accounts.int.test.ts): the two databases must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import { migrate } from '../ledger/migrate.ts';
import { DevMailbox } from '../notify/dev-mailbox.ts';
import { hashSecret, LINK_TTL_MS } from './rules.ts';
import { AccountsService } from './service.ts';

const ORIGIN = 'https://bids.example.com';

/** The token of the newest link mailed to `to`. */
export function linkTokenFor(mailbox: DevMailbox, to: string): string {
  const mail = mailbox.list().find((m) => m.to.toLowerCase() === to.toLowerCase());
  const url = /https?:\/\/\S+\/sign-in\/link\?token=[\w-]+/.exec(mail?.text ?? '')?.[0];
  if (url === undefined) throw new Error(`no sign-in link mailed to ${to}`);
  return new URL(url).searchParams.get('token')!;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'no error';
}

export function accountsServiceCases(
  open: () => Promise<{ db: Database; close: () => Promise<void> }>,
): void {
  let db: Database;
  let close: () => Promise<void>;
  let mailbox: DevMailbox;
  let clock = new Date('2026-03-01T10:00:00Z');
  let accounts: AccountsService;

  beforeAll(async () => {
    ({ db, close } = await open());
    await migrate(db);
    mailbox = new DevMailbox();
    accounts = new AccountsService({
      db,
      mail: mailbox,
      logger: createLogger('accounts-test', 'silent'),
      now: () => clock,
    });
  }, 60_000);
  afterAll(() => close());

  describe('accounts and sign-in links', () => {
    it('signs a bidder up by email link, once: the link opens one session, its second use is refused', async () => {
      await accounts.requestLink({ email: 'Ada@Example.com', name: 'Ada Lovelace', origin: ORIGIN });
      const mail = mailbox.list()[0]!;
      expect(mail.to).toBe('Ada@Example.com');
      expect(mail.text).toContain(`${ORIGIN}/sign-in/link?token=`);
      const token = linkTokenFor(mailbox, 'ada@example.com');
      // Only the hash is stored.
      const links = await db.query<{ token_hash: string }>('SELECT token_hash FROM sign_in_links');
      expect(links.map((l) => l.token_hash)).toEqual([hashSecret(token)]);

      const opened = await accounts.consumeLink(token, 'Test browser');
      expect(opened.account).toMatchObject({
        kind: 'bidder',
        email: 'Ada@Example.com',
        name: 'Ada Lovelace',
        roles: [],
      });
      expect(opened.secret).toMatch(/^[\w-]{43}$/);
      const rows = await db.query<{ id: string; user_agent: string }>('SELECT id, user_agent FROM sessions');
      expect(rows).toEqual([{ id: hashSecret(opened.secret), user_agent: 'Test browser' }]);
      expect(await codeOf(accounts.consumeLink(token, undefined))).toBe('LINK_INVALID');
      expect(await db.query('SELECT 1 FROM sessions')).toHaveLength(1);

      const resolved = await accounts.resolve(opened.secret);
      expect(resolved?.account.id).toBe(opened.account.id);
      expect(resolved?.ref).toBe(opened.ref);
    });

    it('keeps one account per address whatever its case, and tells nobody whether an address is known', async () => {
      const before = mailbox.list().length;
      await accounts.requestLink({ email: 'ADA@example.COM', name: 'Someone Else', origin: ORIGIN });
      expect(mailbox.list()).toHaveLength(before + 1);
      const [n] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM accounts WHERE lower(email) = 'ada@example.com'`,
      );
      expect(n?.n).toBe(1);
      // A sign-in (no name) for an address with no account: same answer, no mail, no account.
      await accounts.requestLink({ email: 'nobody@example.com', origin: ORIGIN });
      expect(mailbox.list()).toHaveLength(before + 1);
      expect(await db.query(`SELECT 1 FROM accounts WHERE email = 'nobody@example.com'`)).toHaveLength(0);
      expect(await codeOf(accounts.requestLink({ email: 'not-an-address', origin: ORIGIN }))).toBe(
        'VALIDATION_FAILED',
      );
    });

    it('refuses a link after 15 minutes, and a token that was never issued', async () => {
      await accounts.requestLink({ email: 'late@example.com', name: 'Late', origin: ORIGIN });
      const token = linkTokenFor(mailbox, 'late@example.com');
      const issuedAt = clock;
      clock = new Date(issuedAt.getTime() + LINK_TTL_MS + 1);
      try {
        expect(await codeOf(accounts.consumeLink(token, undefined))).toBe('LINK_INVALID');
      } finally {
        clock = issuedAt;
      }
      expect(await codeOf(accounts.consumeLink('A'.repeat(43), undefined))).toBe('LINK_INVALID');
      expect(await codeOf(accounts.consumeLink('short', undefined))).toBe('LINK_INVALID');
    });

    it('signs out one session, then every session of the account', async () => {
      const sessions: string[] = [];
      for (let i = 0; i < 3; i++) {
        await accounts.requestLink({ email: 'many@example.com', name: 'Many', origin: ORIGIN });
        sessions.push(
          (await accounts.consumeLink(linkTokenFor(mailbox, 'many@example.com'), `ua-${i}`)).secret,
        );
      }
      const who = (await accounts.resolve(sessions[0]!))!.account.id;
      await accounts.signOut(sessions[0]!);
      expect(await accounts.resolve(sessions[0]!)).toBeUndefined();
      expect(await accounts.resolve(sessions[1]!)).toBeDefined();
      expect(await accounts.signOutEverywhere(who)).toBe(2);
      for (const s of sessions) expect(await accounts.resolve(s)).toBeUndefined();
      const listed = await accounts.sessions(who);
      expect(listed).toHaveLength(3);
      expect(listed.every((s) => s.revokedAt !== null)).toBe(true);
      expect(JSON.stringify(listed)).not.toContain(hashSecret(sessions[0]!));
    });

    it("lets an admin revoke a staff member's session, and no one else", async () => {
      const { account: admin } = await accounts.store.ensure({
        kind: 'staff',
        email: 'boss@house.example',
        name: 'Boss',
        roles: ['admin'],
      });
      const { account: clerk } = await accounts.store.ensure({
        kind: 'staff',
        email: 'clerk@house.example',
        name: 'Clerk',
        roles: ['auctioneer'],
      });
      await accounts.requestLink({ email: 'clerk@house.example', origin: ORIGIN });
      const clerkSession = await accounts.consumeLink(
        linkTokenFor(mailbox, 'clerk@house.example'),
        undefined,
      );
      await accounts.requestLink({ email: 'ada@example.com', origin: ORIGIN });
      const bidderSession = await accounts.consumeLink(linkTokenFor(mailbox, 'ada@example.com'), undefined);

      expect(await codeOf(accounts.revokeStaffSession(clerk.id, clerkSession.ref))).toBe('FORBIDDEN');
      expect(await codeOf(accounts.revokeStaffSession(admin.id, bidderSession.ref))).toBe('FORBIDDEN');
      expect(await codeOf(accounts.revokeStaffSession(admin.id, 'ses_nope'))).toBe('UNKNOWN_SESSION');
      expect(await accounts.resolve(clerkSession.secret)).toBeDefined();
      await accounts.revokeStaffSession(admin.id, clerkSession.ref);
      expect(await accounts.resolve(clerkSession.secret)).toBeUndefined();
      expect(await accounts.resolve(bidderSession.secret)).toBeDefined();
    });

    it('ends the sessions of a disabled account and sends it no links', async () => {
      await accounts.requestLink({ email: 'gone@example.com', name: 'Gone', origin: ORIGIN });
      const s = await accounts.consumeLink(linkTokenFor(mailbox, 'gone@example.com'), undefined);
      await db.query(`UPDATE accounts SET status = 'disabled' WHERE email = 'gone@example.com'`);
      expect(await accounts.resolve(s.secret)).toBeUndefined();
      const before = mailbox.list().length;
      await accounts.requestLink({ email: 'gone@example.com', origin: ORIGIN });
      expect(mailbox.list()).toHaveLength(before);
    });
  });
}
