/**
 * The back office's accounts, as the gateway uses them (common/accounts.ts `AccountsPort`): links
 * by email, their one-time consumption into a session, the session's lookup and revocation.
 */
import { randomInt } from 'node:crypto';
import type {
  Account,
  AccountsPort,
  LinkRequest,
  OpenedSession,
  PasskeyChallenge,
  PasskeyInfo,
  RelyingParty,
  ResolvedSession,
  SessionInfo,
  StaffInvitation,
  StaffMember,
  StaffRole,
  TotpStatus,
  WebAuthnJson,
} from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import { audit } from '../ledger/records.ts';
import type { Sender } from '../notify/senders.ts';
import {
  hashSecret,
  inviteMail,
  isWellFormedSecret,
  LINK_TTL_MS,
  linkState,
  mayRevoke,
  newSecret,
  normaliseEmail,
  normaliseName,
  SESSION_TTL_MS,
  sessionLive,
  signInMail,
} from './rules.ts';
import { Passkeys } from './passkeys.ts';
import { SecondFactor } from './second-factor.ts';
import { normaliseRoles, StaffAdmin } from './staff.ts';
import { AccountStore, type OpenedRow } from './store.ts';
import { normaliseCode, PENDING_FACTOR_TTL_MS } from './totp.ts';

const openedSession = (secret: string, o: OpenedRow): OpenedSession => ({
  secret,
  ref: o.ref,
  account: o.account,
  expiresAt: o.expiresAt.toISOString(),
  ...(o.pendingFactor === undefined ? {} : { pendingFactor: o.pendingFactor }),
});

export interface AccountsServiceOptions {
  db: Database;
  /** Where sign-in emails go: SMTP (notify's EmailSender) or, embedded, the local outbox. */
  mail: Sender | undefined;
  logger: Logger;
  now?: () => Date;
  /** ACCOUNTS_TOTP_KEY: 32 bytes sealing the TOTP secrets (AES-256-GCM); none: they are stored as they are. */
  totpKey?: Buffer | undefined;
}

export class AccountsService implements AccountsPort {
  readonly store: AccountStore;
  private readonly o: AccountsServiceOptions;
  private readonly now: () => Date;
  private readonly keys: Passkeys;
  private readonly factor: SecondFactor;
  private readonly staff: StaffAdmin;

  constructor(o: AccountsServiceOptions) {
    this.o = o;
    this.store = new AccountStore(o.db);
    this.now = o.now ?? (() => new Date());
    this.keys = new Passkeys(o.db, this.now);
    this.factor = new SecondFactor(o.db, this.now, o.totpKey);
    this.staff = new StaffAdmin(o.db, this.store, this.now);
  }

  private async account(id: string): Promise<Account> {
    const a = await this.store.byId(id);
    if (a?.status !== 'active') throw new AppError('UNAUTHENTICATED', 'this account cannot sign in');
    return a;
  }

  /** Mails a one-time link to the account (sign-in, sign-up or invitation wording). */
  private async sendLink(
    account: Account,
    origin: string,
    compose: (url: string) => { subject: string; text: string },
  ): Promise<void> {
    if (this.o.mail === undefined)
      throw new AppError(
        'ACCOUNTS_UNAVAILABLE',
        'no email is configured here to send sign-in links (SMTP_URL)',
      );
    const token = newSecret();
    await this.store.addLink(account.id, hashSecret(token), new Date(this.now().getTime() + LINK_TTL_MS));
    const url = new URL('/sign-in/link', origin);
    url.searchParams.set('token', token);
    // Message-IDs of notifications are numbered; a link's is any number out of their way.
    await this.o.mail.send(account.email, compose(url.toString()), randomInt(2 ** 40, 2 ** 47));
  }

  async requestLink(request: LinkRequest): Promise<void> {
    const email = normaliseEmail(request.email);
    const signUp = request.name !== undefined && request.name.trim() !== '';
    const name = signUp ? normaliseName(request.name) : undefined;
    let account = await this.store.byEmail(email);
    if (account === undefined && name !== undefined)
      account = (await this.store.ensure({ kind: 'bidder', email, name })).account;
    // No account (a sign-in of an unknown address) or a disabled one: no mail, and the same answer.
    if (account === undefined || account.status !== 'active') {
      this.o.logger.info({ known: account !== undefined }, 'sign-in link not sent');
      return;
    }
    const to = account;
    await this.sendLink(to, request.origin, (url) => signInMail(to, url, signUp));
  }

  async consumeLink(token: string, userAgent: string | undefined): Promise<OpenedSession> {
    const invalid = (): AppError =>
      new AppError(
        'LINK_INVALID',
        'this sign-in link is not valid any more (used, expired or unknown): ask for a new one',
      );
    if (!isWellFormedSecret(token)) throw invalid();
    const secret = newSecret();
    const now = this.now();
    const opened = await this.store.consume(
      hashSecret(token),
      (link, account) => {
        if (account === undefined || account.status !== 'active' || linkState(link, now) !== 'valid')
          throw invalid();
        return new Date(now.getTime() + SESSION_TTL_MS[account.kind]);
      },
      {
        idHash: hashSecret(secret),
        userAgent,
        pendingExpiresAt: new Date(now.getTime() + PENDING_FACTOR_TTL_MS),
      },
    );
    return openedSession(secret, opened);
  }

  async resolve(secret: string): Promise<ResolvedSession | undefined> {
    if (!isWellFormedSecret(secret)) return undefined;
    const found = await this.store.touch(hashSecret(secret));
    // A session waiting for its second factor signs no one in (pendingSession, completeSecondFactor).
    if (found === undefined || found.pending) return undefined;
    if (!sessionLive({ expiresAt: found.expires, revokedAt: found.revoked }, found.account, this.now()))
      return undefined;
    return { ref: found.session.ref, account: found.account, expiresAt: found.session.expiresAt };
  }

  async signOut(secret: string): Promise<void> {
    if (isWellFormedSecret(secret)) await this.store.revoke(hashSecret(secret));
  }

  signOutEverywhere(accountId: string): Promise<number> {
    return this.store.revokeAll(accountId, this.now());
  }

  sessions(accountId: string): Promise<SessionInfo[]> {
    return this.store.sessionsOf(accountId);
  }

  async revokeStaffSession(adminId: string, ref: string): Promise<void> {
    const session = await this.store.sessionByRef(ref);
    if (session === undefined) throw new AppError('UNKNOWN_SESSION', `no session "${ref}"`);
    const [actor, owner] = await Promise.all([this.store.byId(adminId), this.store.byId(session.accountId)]);
    if (actor === undefined || owner === undefined || !mayRevoke(actor, owner))
      throw new AppError('FORBIDDEN', "only an admin revokes a staff member's session");
    await this.store.revokeRef(ref);
    await this.staff.auditRevoke(actor.id, owner.id, ref);
  }

  // --- passkeys ---

  async passkeyRegistrationOptions(accountId: string, rp: RelyingParty): Promise<PasskeyChallenge> {
    return this.keys.registrationOptions(await this.account(accountId), rp);
  }

  async addPasskey(
    accountId: string,
    challengeId: string,
    response: WebAuthnJson,
    name: string,
    rp: RelyingParty,
  ): Promise<PasskeyInfo> {
    const added = await this.keys.add(await this.account(accountId), challengeId, response, name, rp);
    await this.ownChange(accountId, 'account.passkey.add', { passkey: added.id, name: added.name });
    return added;
  }

  /** A person's change to their own sign-in (passkeys, the authenticator app): audited with them as actor. */
  private async ownChange(
    accountId: string,
    action: string,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await audit(this.o.db, { actor: accountId, action, entityType: 'account', entityId: accountId, details });
  }

  passkeys(accountId: string): Promise<PasskeyInfo[]> {
    return this.keys.list(accountId);
  }

  async removePasskey(accountId: string, passkeyId: string): Promise<void> {
    await this.keys.remove(accountId, passkeyId);
    await this.ownChange(accountId, 'account.passkey.remove', { passkey: passkeyId });
  }

  passkeySignInOptions(rp: RelyingParty): Promise<PasskeyChallenge> {
    return this.keys.signInOptions(rp);
  }

  async signInWithPasskey(
    challengeId: string,
    response: WebAuthnJson,
    rp: RelyingParty,
    userAgent: string | undefined,
  ): Promise<OpenedSession> {
    const accountId = await this.keys.verify(challengeId, response, rp);
    const account = await this.store.byId(accountId);
    if (account?.status !== 'active') throw new AppError('PASSKEY_INVALID', 'this account cannot sign in');
    const secret = newSecret();
    const now = this.now();
    const opened = await this.o.db.transaction((tx) =>
      this.store.insertSession(tx, account, new Date(now.getTime() + SESSION_TTL_MS[account.kind]), {
        idHash: hashSecret(secret),
        userAgent,
        pendingExpiresAt: new Date(now.getTime() + PENDING_FACTOR_TTL_MS),
      }),
    );
    return openedSession(secret, opened);
  }

  // --- the staff's second factor ---

  totpStatus(accountId: string): Promise<TotpStatus> {
    return this.factor.status(accountId);
  }

  async beginTotp(accountId: string): Promise<{ uri: string; secret: string }> {
    return this.factor.begin(await this.account(accountId));
  }

  async confirmTotp(accountId: string, code: string): Promise<{ recoveryCodes: string[] }> {
    const confirmed = await this.factor.confirm(await this.account(accountId), normaliseCode(code));
    await this.ownChange(accountId, 'account.totp.on');
    return confirmed;
  }

  async removeTotp(accountId: string, code: string): Promise<void> {
    await this.factor.remove((await this.account(accountId)).id, code);
    await this.ownChange(accountId, 'account.totp.off');
  }

  async pendingSession(secret: string): Promise<{ account: Account } | undefined> {
    if (!isWellFormedSecret(secret)) return undefined;
    const found = await this.store.pending(hashSecret(secret));
    if (found === undefined) return undefined;
    if (!sessionLive({ expiresAt: found.expires, revokedAt: found.revoked }, found.account, this.now()))
      return undefined;
    return { account: found.account };
  }

  async completeSecondFactor(secret: string, code: string): Promise<ResolvedSession> {
    const pending = await this.pendingSession(secret);
    if (pending === undefined)
      throw new AppError('UNAUTHENTICATED', 'this sign-in has expired: sign in again (/sign-in)');
    await this.factor.check(pending.account.id, code, { recovery: true });
    const done = await this.store.clearPending(
      hashSecret(secret),
      new Date(this.now().getTime() + SESSION_TTL_MS[pending.account.kind]),
    );
    if (done === undefined)
      throw new AppError('UNAUTHENTICATED', 'this sign-in has expired: sign in again (/sign-in)');
    return { ref: done.ref, account: pending.account, expiresAt: done.expiresAt };
  }

  // --- staff administration (admins only; audited) ---

  listStaff(actorId: string): Promise<StaffMember[]> {
    return this.staff.list(actorId);
  }

  async inviteStaff(actorId: string, invitation: StaffInvitation, origin: string): Promise<Account> {
    const actor = await this.staff.actor(actorId);
    const input = {
      email: normaliseEmail(invitation.email),
      name: normaliseName(invitation.name),
      roles: normaliseRoles(invitation.roles),
    };
    if (this.o.mail === undefined)
      throw new AppError(
        'ACCOUNTS_UNAVAILABLE',
        'no email is configured here to send invitations (SMTP_URL)',
      );
    const account = await this.staff.invite(actorId, input);
    await this.sendLink(account, origin, (url) => inviteMail(account, actor, url));
    return account;
  }

  async setStaffRoles(actorId: string, accountId: string, roles: StaffRole[]): Promise<Account> {
    return await this.staff.setRoles(actorId, accountId, normaliseRoles(roles));
  }

  async setStaffStatus(actorId: string, accountId: string, status: Account['status']): Promise<Account> {
    if (status !== 'active' && status !== 'disabled')
      throw new AppError('VALIDATION_FAILED', 'status must be active or disabled', {
        details: { field: 'status' },
      });
    return await this.staff.setStatus(actorId, accountId, status);
  }
}
