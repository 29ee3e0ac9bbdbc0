/**
 * Accounts, sign-in links and sessions in the back office's database. Secrets never reach it: the
 * callers hand in hashes (rules.ts). Each consume is one transaction, so a link opens one session.
 */
import { randomBytes } from 'node:crypto';
import type { Account, AccountKind, SessionInfo, StaffRole } from '../../common/accounts.ts';
import type { Database, Queryable } from '../ledger/db.ts';

export interface AccountRow {
  id: string;
  kind: AccountKind;
  email: string;
  name: string;
  roles: StaffRole[];
  status: Account['status'];
  [k: string]: unknown;
}

export interface SessionDbRow {
  ref: string;
  account_id: string;
  created_at: Date;
  last_seen: Date;
  expires_at: Date;
  revoked_at: Date | null;
  user_agent: string | null;
  [k: string]: unknown;
}

export interface NewSession {
  idHash: string;
  userAgent: string | undefined;
  /** When the session ends if it must wait for a second factor (minutes away). */
  pendingExpiresAt: Date;
}

export interface OpenedRow {
  account: Account;
  ref: string;
  expiresAt: Date;
  pendingFactor: 'totp' | undefined;
}

export const ACCOUNT_COLUMNS = 'id, kind, email, name, roles, status';

export const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  kind: r.kind,
  email: r.email,
  name: r.name,
  roles: [...r.roles],
  status: r.status,
});

const iso = (d: Date | string): string => new Date(d).toISOString();

export const toSessionInfo = (r: SessionDbRow): SessionInfo => ({
  ref: r.ref,
  accountId: r.account_id,
  createdAt: iso(r.created_at),
  lastSeen: iso(r.last_seen),
  expiresAt: iso(r.expires_at),
  revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
  userAgent: r.user_agent,
});

/** An id people can read in logs: `acc_` and 16 random bytes. */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(16).toString('base64url')}`;

export class AccountStore {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async byEmail(email: string, q: Queryable = this.db): Promise<Account | undefined> {
    const [r] = await q.query<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE lower(email) = lower($1)`,
      [email],
    );
    return r === undefined ? undefined : toAccount(r);
  }

  async byId(id: string, q: Queryable = this.db): Promise<Account | undefined> {
    const [r] = await q.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [id]);
    return r === undefined ? undefined : toAccount(r);
  }

  /**
   * A new account, or the one the address already has (the first name given is kept). A bidder
   * account's id is its back-office bidder record's id (docs/bidders.md): the record staff made for
   * the address gives the account its id, else one is made with the account's.
   */
  async ensure(input: {
    kind: AccountKind;
    email: string;
    name: string;
    roles?: StaffRole[];
  }): Promise<{ account: Account; created: boolean }> {
    const r = await this.db.transaction(async (tx) => {
      const [known] =
        input.kind === 'bidder'
          ? await tx.query<{ id: string }>(
              'SELECT id FROM bidders WHERE lower(email) = lower($1) ORDER BY created_at LIMIT 1',
              [input.email],
            )
          : [];
      const [row] = await tx.query<AccountRow>(
        `INSERT INTO accounts (id, kind, email, name, roles) VALUES ($1, $2, $3, $4, $5::text[])
         ON CONFLICT DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
        [known?.id ?? newId('acc'), input.kind, input.email, input.name, input.roles ?? []],
      );
      if (row !== undefined && input.kind === 'bidder' && known === undefined)
        await tx.query(
          `INSERT INTO bidders (id, display_name, email) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [row.id, row.name, row.email],
        );
      return row;
    });
    if (r !== undefined) return { account: toAccount(r), created: true };
    const existing = await this.byEmail(input.email);
    if (existing === undefined) throw new Error(`account for ${input.email} vanished`);
    return { account: existing, created: false };
  }

  async addLink(accountId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO sign_in_links (token_hash, account_id, expires_at) VALUES ($1, $2, $3)`,
      [tokenHash, accountId, expiresAt],
    );
  }

  /**
   * Marks the link used and opens a session, in one transaction; `check` decides on the link's row
   * (locked) and the account, and throws to refuse (nothing is written then).
   */
  async consume(
    tokenHash: string,
    check: (link: { expiresAt: Date; usedAt: Date | null }, account: Account | undefined) => Date,
    session: NewSession,
  ): Promise<OpenedRow> {
    return this.db.transaction(async (tx) => {
      const [link] = await tx.query<{
        account_id: string;
        expires_at: Date;
        used_at: Date | null;
      }>(`SELECT account_id, expires_at, used_at FROM sign_in_links WHERE token_hash = $1 FOR UPDATE`, [
        tokenHash,
      ]);
      const account = link === undefined ? undefined : await this.byId(link.account_id, tx);
      const expiresAt = check(
        link === undefined
          ? { expiresAt: new Date(0), usedAt: new Date(0) }
          : {
              expiresAt: new Date(link.expires_at),
              usedAt: link.used_at === null ? null : new Date(link.used_at),
            },
        account,
      );
      await tx.query(`UPDATE sign_in_links SET used_at = now() WHERE token_hash = $1`, [tokenHash]);
      return this.insertSession(tx, account!, expiresAt, session);
    });
  }

  /**
   * A new session for the account (in the caller's transaction): a full one until `expiresAt`, or,
   * when the account has a confirmed TOTP factor, one pending its code until `pendingExpiresAt`.
   */
  async insertSession(
    tx: Queryable,
    account: Account,
    expiresAt: Date,
    session: NewSession,
  ): Promise<OpenedRow> {
    const [totp] = await tx.query(
      `SELECT 1 FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NOT NULL`,
      [account.id],
    );
    const pending = totp !== undefined;
    const until = pending ? session.pendingExpiresAt : expiresAt;
    const ref = newId('ses');
    await tx.query(
      `INSERT INTO sessions (id, ref, account_id, expires_at, user_agent, pending_factor) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        session.idHash,
        ref,
        account.id,
        until,
        session.userAgent?.slice(0, 300) ?? null,
        pending ? 'totp' : null,
      ],
    );
    return { account, ref, expiresAt: until, pendingFactor: pending ? 'totp' : undefined };
  }

  /** The session of this hash with its account, its last use set to now. */
  async touch(
    idHash: string,
  ): Promise<
    | { session: SessionInfo; expires: Date; revoked: Date | null; pending: boolean; account: Account }
    | undefined
  > {
    const [r] = await this.db.query<SessionDbRow & AccountRow & { pending_factor: string | null }>(
      `UPDATE sessions s SET last_seen = now() FROM accounts a
        WHERE s.id = $1 AND a.id = s.account_id
        RETURNING s.ref, s.account_id, s.created_at, s.last_seen, s.expires_at, s.revoked_at, s.user_agent, s.pending_factor,
                  a.id, a.kind, a.email, a.name, a.roles, a.status`,
      [idHash],
    );
    if (r === undefined) return undefined;
    return {
      session: toSessionInfo(r),
      expires: new Date(r.expires_at),
      revoked: r.revoked_at === null ? null : new Date(r.revoked_at),
      pending: r.pending_factor !== null,
      account: toAccount(r),
    };
  }

  /** A session waiting for its second factor, with its account. */
  async pending(
    idHash: string,
  ): Promise<{ expires: Date; revoked: Date | null; account: Account } | undefined> {
    const [r] = await this.db.query<SessionDbRow & AccountRow>(
      `SELECT s.expires_at, s.revoked_at, a.id, a.kind, a.email, a.name, a.roles, a.status
         FROM sessions s JOIN accounts a ON a.id = s.account_id
        WHERE s.id = $1 AND s.pending_factor IS NOT NULL`,
      [idHash],
    );
    if (r === undefined) return undefined;
    return {
      expires: new Date(r.expires_at),
      revoked: r.revoked_at === null ? null : new Date(r.revoked_at),
      account: toAccount(r),
    };
  }

  /** The second factor given: the session becomes a full one, until `expiresAt`. */
  async clearPending(
    idHash: string,
    expiresAt: Date,
  ): Promise<{ ref: string; expiresAt: string } | undefined> {
    const [r] = await this.db.query<{ ref: string; expires_at: Date }>(
      `UPDATE sessions SET pending_factor = NULL, expires_at = $2, last_seen = now()
        WHERE id = $1 AND pending_factor IS NOT NULL AND revoked_at IS NULL RETURNING ref, expires_at`,
      [idHash, expiresAt],
    );
    return r === undefined ? undefined : { ref: r.ref, expiresAt: iso(r.expires_at) };
  }

  async revoke(idHash: string): Promise<void> {
    await this.db.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [
      idHash,
    ]);
  }

  async revokeRef(ref: string): Promise<void> {
    await this.db.query(`UPDATE sessions SET revoked_at = now() WHERE ref = $1 AND revoked_at IS NULL`, [
      ref,
    ]);
  }

  /** Revokes every live session of the account; how many there were. */
  async revokeAll(accountId: string, now: Date): Promise<number> {
    const rows = await this.db.query(
      `UPDATE sessions SET revoked_at = now()
        WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING ref`,
      [accountId, now],
    );
    return rows.length;
  }

  async sessionByRef(ref: string): Promise<SessionInfo | undefined> {
    const [r] = await this.db.query<SessionDbRow>(
      `SELECT ref, account_id, created_at, last_seen, expires_at, revoked_at, user_agent FROM sessions WHERE ref = $1`,
      [ref],
    );
    return r === undefined ? undefined : toSessionInfo(r);
  }

  async sessionsOf(accountId: string): Promise<SessionInfo[]> {
    const rows = await this.db.query<SessionDbRow>(
      `SELECT ref, account_id, created_at, last_seen, expires_at, revoked_at, user_agent FROM sessions
        WHERE account_id = $1 ORDER BY created_at DESC, ref LIMIT 100`,
      [accountId],
    );
    return rows.map(toSessionInfo);
  }
}
