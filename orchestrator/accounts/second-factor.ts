/**
 * The staff's TOTP factor in the database: enrolment, confirmation with recovery codes, removal,
 * and the check of a code (or a recovery code) with its one-use and wrong-code lock — the lock is in
 * the row, so it holds across gateways and back-office restarts.
 */
import type { Account, TotpStatus } from '../../common/accounts.ts';
import { AppError } from '../../common/errors.ts';
import type { Database } from '../ledger/db.ts';
import {
  acceptedStep,
  hashRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
  openSecret,
  sealSecret,
  TOTP_LOCK_MS,
  TOTP_MAX_FAILURES,
  totpInvalid,
  totpLocked,
  totpLockedError,
} from './totp.ts';

interface FactorRow {
  secret: string;
  confirmed_at: Date | null;
  last_step: number | string;
  failures: number;
  locked_until: Date | null;
  [k: string]: unknown;
}

type CheckOutcome = { ok: true } | { ok: false; lockedUntil: Date | null };

export class SecondFactor {
  private readonly db: Database;
  private readonly now: () => Date;
  private readonly key: Buffer | undefined;
  constructor(db: Database, now: () => Date, key: Buffer | undefined) {
    this.db = db;
    this.now = now;
    this.key = key;
  }

  private async row(accountId: string): Promise<FactorRow | undefined> {
    const [r] = await this.db.query<FactorRow>(`SELECT * FROM totp_factors WHERE account_id = $1`, [
      accountId,
    ]);
    return r;
  }

  async status(accountId: string): Promise<TotpStatus> {
    const r = await this.row(accountId);
    const [left] = await this.db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL`,
      [accountId],
    );
    return { confirmed: r?.confirmed_at != null, recoveryCodesLeft: Number(left?.n ?? 0) };
  }

  async begin(account: Account): Promise<{ uri: string; secret: string }> {
    if (account.kind !== 'staff')
      throw new AppError('FORBIDDEN', 'an authenticator app is for staff accounts');
    if ((await this.row(account.id))?.confirmed_at != null)
      throw new AppError('ALREADY_EXISTS', 'an authenticator app is set up already: remove it first');
    const { secret, uri } = newTotpSecret(account.email);
    await this.db.query(
      `INSERT INTO totp_factors (account_id, secret) VALUES ($1, $2)
       ON CONFLICT (account_id) DO UPDATE SET secret = EXCLUDED.secret, failures = 0, last_step = 0,
         created_at = now() WHERE totp_factors.confirmed_at IS NULL`,
      [account.id, sealSecret(secret, account.id, this.key)],
    );
    return { secret, uri };
  }

  async confirm(account: Account, code: string): Promise<{ recoveryCodes: string[] }> {
    const r = await this.row(account.id);
    if (r === undefined) throw new AppError('TOTP_NOT_ENROLLED', 'set up an authenticator app first');
    if (r.confirmed_at !== null)
      throw new AppError('ALREADY_EXISTS', 'the authenticator app is confirmed already');
    await this.check(account.id, code, { recovery: false });
    const codes = newRecoveryCodes();
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE totp_factors SET confirmed_at = $2 WHERE account_id = $1`, [
        account.id,
        this.now(),
      ]);
      await tx.query(`DELETE FROM recovery_codes WHERE account_id = $1`, [account.id]);
      for (const c of codes)
        await tx.query(`INSERT INTO recovery_codes (code_hash, account_id) VALUES ($1, $2)`, [
          hashRecoveryCode(c),
          account.id,
        ]);
    });
    return { recoveryCodes: codes };
  }

  async remove(accountId: string, code: string): Promise<void> {
    const r = await this.row(accountId);
    if (r?.confirmed_at == null) throw new AppError('TOTP_NOT_ENROLLED', 'no authenticator app is set up');
    await this.check(accountId, code, { recovery: true });
    await this.db.transaction(async (tx) => {
      await tx.query(`DELETE FROM recovery_codes WHERE account_id = $1`, [accountId]);
      await tx.query(`DELETE FROM totp_factors WHERE account_id = $1`, [accountId]);
    });
  }

  /**
   * Accepts a current code (once) or, with `recovery`, an unused recovery code (used up); else counts a
   * failure and throws TOTP_INVALID, or RATE_LIMITED while locked. The failure is committed before the
   * throw: the transaction decides, the refusal comes after.
   */
  async check(accountId: string, code: string, opts: { recovery: boolean }): Promise<void> {
    const now = this.now();
    const outcome = await this.db.transaction<CheckOutcome>(async (tx) => {
      const [r] = await tx.query<FactorRow>(`SELECT * FROM totp_factors WHERE account_id = $1 FOR UPDATE`, [
        accountId,
      ]);
      if (r === undefined) return { ok: false, lockedUntil: null };
      const lockedUntil = r.locked_until === null ? null : new Date(r.locked_until);
      if (totpLocked(lockedUntil, now)) return { ok: false, lockedUntil };
      const digits = code.replace(/[\s-]/g, '');
      let ok = false;
      if (/^\d{6}$/.test(digits)) {
        const step = acceptedStep(
          openSecret(r.secret, accountId, this.key),
          digits,
          now,
          Number(r.last_step),
        );
        if (step !== undefined) {
          await tx.query(`UPDATE totp_factors SET last_step = $2 WHERE account_id = $1`, [accountId, step]);
          ok = true;
        }
      } else if (opts.recovery) {
        const rc = normaliseRecoveryCode(code);
        if (rc !== undefined)
          ok =
            (
              await tx.query(
                `UPDATE recovery_codes SET used_at = $3 WHERE code_hash = $1 AND account_id = $2 AND used_at IS NULL
                 RETURNING code_hash`,
                [hashRecoveryCode(rc), accountId, now],
              )
            ).length === 1;
      }
      if (ok) {
        await tx.query(`UPDATE totp_factors SET failures = 0, locked_until = NULL WHERE account_id = $1`, [
          accountId,
        ]);
        return { ok: true };
      }
      const failures = r.failures + 1;
      const lock = failures >= TOTP_MAX_FAILURES ? new Date(now.getTime() + TOTP_LOCK_MS) : null;
      await tx.query(`UPDATE totp_factors SET failures = $2, locked_until = $3 WHERE account_id = $1`, [
        accountId,
        lock === null ? failures : 0,
        lock,
      ]);
      return { ok: false, lockedUntil: lock };
    });
    if (outcome.ok) return;
    if (outcome.lockedUntil !== null) throw totpLockedError(outcome.lockedUntil, now);
    throw totpInvalid();
  }
}
