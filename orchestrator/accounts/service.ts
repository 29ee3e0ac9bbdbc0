/**
 * The back office's accounts, as the gateway uses them (common/accounts.ts `AccountsPort`): links
 * by email, their one-time consumption into a session, the session's lookup and revocation.
 */
import { randomInt } from 'node:crypto';
import type {
  AccountsPort,
  LinkRequest,
  OpenedSession,
  ResolvedSession,
  SessionInfo,
} from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Database } from '../ledger/db.ts';
import type { Sender } from '../notify/senders.ts';
import {
  hashSecret,
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
import { AccountStore } from './store.ts';

export interface AccountsServiceOptions {
  db: Database;
  /** Where sign-in emails go: SMTP (notify's EmailSender) or, embedded, the local outbox. */
  mail: Sender | undefined;
  logger: Logger;
  now?: () => Date;
}

export class AccountsService implements AccountsPort {
  readonly store: AccountStore;
  private readonly o: AccountsServiceOptions;
  private readonly now: () => Date;

  constructor(o: AccountsServiceOptions) {
    this.o = o;
    this.store = new AccountStore(o.db);
    this.now = o.now ?? (() => new Date());
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
    if (this.o.mail === undefined)
      throw new AppError(
        'ACCOUNTS_UNAVAILABLE',
        'no email is configured here to send sign-in links (SMTP_URL)',
      );
    const token = newSecret();
    await this.store.addLink(account.id, hashSecret(token), new Date(this.now().getTime() + LINK_TTL_MS));
    const url = new URL('/sign-in/link', request.origin);
    url.searchParams.set('token', token);
    // Message-IDs of notifications are numbered; a link's is any number out of their way.
    await this.o.mail.send(
      account.email,
      signInMail(account, url.toString(), signUp),
      randomInt(2 ** 40, 2 ** 47),
    );
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
      { idHash: hashSecret(secret), userAgent },
    );
    return { secret, ref: opened.ref, account: opened.account, expiresAt: opened.expiresAt.toISOString() };
  }

  async resolve(secret: string): Promise<ResolvedSession | undefined> {
    if (!isWellFormedSecret(secret)) return undefined;
    const found = await this.store.touch(hashSecret(secret));
    if (found === undefined) return undefined;
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
  }
}
