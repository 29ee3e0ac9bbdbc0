/**
 * An admin's work on staff accounts: invitations, roles, disabling and enabling, the list with
 * live sessions. Every change is written with its audit row (the back office's audit_log, actor =
 * the admin's account id) in one transaction.
 */
import type { Account, StaffMember, StaffRole } from '../../common/accounts.ts';
import { STAFF_ROLES } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import type { Database } from '../ledger/db.ts';
import { audit } from '../ledger/records.ts';
import {
  ACCOUNT_COLUMNS,
  newId,
  toAccount,
  toSessionInfo,
  type AccountRow,
  type AccountStore,
  type SessionDbRow,
} from './store.ts';

/** Roles as an admin gives them: a non-empty set of known staff roles, in the catalogue's order. */
export function normaliseRoles(input: unknown): StaffRole[] {
  const list = Array.isArray(input) ? (input as unknown[]) : [];
  const bad = list.length === 0 || list.some((r) => !(STAFF_ROLES as readonly unknown[]).includes(r));
  if (bad)
    throw new AppError('VALIDATION_FAILED', `roles must be one or more of ${STAFF_ROLES.join(', ')}`, {
      details: { field: 'roles' },
    });
  return STAFF_ROLES.filter((r) => list.includes(r));
}

/** The acting account must be an active staff admin. */
export function assertAdmin(actor: Account | undefined): asserts actor is Account {
  if (actor?.kind !== 'staff' || actor.status !== 'active' || !actor.roles.includes('admin'))
    throw new AppError('FORBIDDEN', 'only an admin manages staff');
}

/**
 * An admin may not take their own admin role away nor disable themselves: so there is always an
 * admin left to undo a mistake (the actor stays one).
 */
export function assertNotSelfDemotion(
  actor: Account,
  targetId: string,
  change: { roles?: StaffRole[]; status?: Account['status'] },
): void {
  if (actor.id !== targetId) return;
  if (change.status === 'disabled' || (change.roles !== undefined && !change.roles.includes('admin')))
    throw new AppError('FORBIDDEN', 'an admin cannot remove their own admin role or disable themselves');
}

export class StaffAdmin {
  private readonly db: Database;
  private readonly store: AccountStore;
  private readonly now: () => Date;
  constructor(db: Database, store: AccountStore, now: () => Date) {
    this.db = db;
    this.store = store;
    this.now = now;
  }

  async actor(actorId: string): Promise<Account> {
    const actor = await this.store.byId(actorId);
    assertAdmin(actor);
    return actor;
  }

  private async target(id: string): Promise<Account> {
    const t = await this.store.byId(id);
    if (t?.kind !== 'staff') throw new AppError('UNKNOWN_ACCOUNT', `no staff account "${id}"`);
    return t;
  }

  async list(actorId: string): Promise<StaffMember[]> {
    await this.actor(actorId);
    const accounts = await this.db.query<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'staff' ORDER BY lower(name), id LIMIT 500`,
    );
    const sessions = await this.db.query<SessionDbRow>(
      `SELECT s.ref, s.account_id, s.created_at, s.last_seen, s.expires_at, s.revoked_at, s.user_agent
         FROM sessions s JOIN accounts a ON a.id = s.account_id
        WHERE a.kind = 'staff' AND s.revoked_at IS NULL AND s.pending_factor IS NULL AND s.expires_at > $1
        ORDER BY s.created_at DESC, s.ref`,
      [this.now()],
    );
    const counts = await this.db.query<{ account_id: string; passkeys: number | string; totp: boolean }>(
      `SELECT a.id AS account_id,
              (SELECT count(*) FROM passkeys p WHERE p.account_id = a.id) AS passkeys,
              EXISTS (SELECT 1 FROM totp_factors t WHERE t.account_id = a.id AND t.confirmed_at IS NOT NULL) AS totp
         FROM accounts a WHERE a.kind = 'staff'`,
    );
    const byAccount = new Map(counts.map((c) => [c.account_id, c]));
    return accounts.map((r) => ({
      account: toAccount(r),
      sessions: sessions.filter((s) => s.account_id === r.id).map(toSessionInfo),
      passkeys: Number(byAccount.get(r.id)?.passkeys ?? 0),
      totp: byAccount.get(r.id)?.totp === true,
    }));
  }

  /** Creates the staff account (audited); the caller mails its link. */
  async invite(
    actorId: string,
    input: { email: string; name: string; roles: StaffRole[] },
  ): Promise<Account> {
    const actor = await this.actor(actorId);
    const account = await this.db.transaction(async (tx) => {
      const [r] = await tx.query<AccountRow>(
        `INSERT INTO accounts (id, kind, email, name, roles) VALUES ($1, 'staff', $2, $3, $4::text[])
         ON CONFLICT ((lower(email))) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
        [newId('acc'), input.email, input.name, input.roles],
      );
      if (r === undefined)
        throw new AppError('ALREADY_EXISTS', 'this address has an account already', {
          details: { field: 'email' },
        });
      const created = toAccount(r);
      await audit(tx, {
        actor: actor.id,
        action: 'staff.invite',
        entityType: 'account',
        entityId: created.id,
        details: { email: created.email, roles: created.roles },
      });
      return created;
    });
    return account;
  }

  async setRoles(actorId: string, id: string, roles: StaffRole[]): Promise<Account> {
    const actor = await this.actor(actorId);
    const before = await this.target(id);
    assertNotSelfDemotion(actor, id, { roles });
    const [r] = await this.db.transaction(async (tx) => {
      const rows = await tx.query<AccountRow>(
        `UPDATE accounts SET roles = $2::text[] WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
        [id, roles],
      );
      await audit(tx, {
        actor: actor.id,
        action: 'staff.roles',
        entityType: 'account',
        entityId: id,
        details: { from: before.roles, to: roles },
      });
      return rows;
    });
    return toAccount(r!);
  }

  /** Disabling revokes every session of the account in the same transaction. */
  async setStatus(actorId: string, id: string, status: Account['status']): Promise<Account> {
    const actor = await this.actor(actorId);
    await this.target(id);
    assertNotSelfDemotion(actor, id, { status });
    const [r] = await this.db.transaction(async (tx) => {
      const rows = await tx.query<AccountRow>(
        `UPDATE accounts SET status = $2 WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
        [id, status],
      );
      let revoked = 0;
      if (status === 'disabled')
        revoked = (
          await tx.query(
            `UPDATE sessions SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL RETURNING ref`,
            [id],
          )
        ).length;
      await audit(tx, {
        actor: actor.id,
        action: status === 'disabled' ? 'staff.disable' : 'staff.enable',
        entityType: 'account',
        entityId: id,
        details: status === 'disabled' ? { sessionsRevoked: revoked } : {},
      });
      return rows;
    });
    return toAccount(r!);
  }

  /** The audit row of a session's revocation by an admin (the revocation itself is the store's). */
  async auditRevoke(actorId: string, ownerId: string, ref: string): Promise<void> {
    await audit(this.db, {
      actor: actorId,
      action: 'staff.session.revoke',
      entityType: 'account',
      entityId: ownerId,
      details: { ref },
    });
  }
}
