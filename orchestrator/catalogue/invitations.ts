/**
 * Invitations to invite-only sales (docs/invite-only.md): staff invite addresses, each gets an
 * email with a one-time link `<PUBLIC_ORIGIN>/invite/<token>`; following it signs the person in
 * (creating their bidder account when the address has none — the link proves they read that
 * mailbox) and brings them to the sale. The token is stored as its SHA-256 only, like sign-in links.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { AcceptedInvitation, InvitationLanding, InvitationsPort } from '../../common/invitations.ts';
import { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import {
  hashSecret,
  isWellFormedSecret,
  LINK_TTL_MS,
  newSecret,
  normaliseEmail,
  normaliseName,
} from '../accounts/rules.ts';
import type { Database, Queryable } from '../ledger/db.ts';
import { audit, loadSale } from '../ledger/records.ts';
import type { Sender } from '../notify/senders.ts';

/** An invitation's link works for 14 days; staff re-invite the address for a new one. */
export const INVITATION_TTL_MS = 14 * 86_400_000;
/** At most this many addresses in one request. */
export const MAX_INVITEES = 200;

export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

/** An invitation as staff see it: never its token nor the token's hash. */
export interface InvitationView {
  id: string;
  saleId: string;
  email: string;
  status: InvitationStatus;
  invitedBy: string;
  createdAt: string;
  sentAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  accountId: string | null;
  revokedAt: string | null;
}

interface InvitationRow {
  id: string;
  sale_id: string;
  email: string;
  invited_by: string;
  created_at: Date | string;
  sent_at: Date | string;
  expires_at: Date | string;
  accepted_at: Date | string | null;
  account_id: string | null;
  revoked_at: Date | string | null;
  [k: string]: unknown;
}

const iso = (d: Date | string): string => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null): string | null => (d === null ? null : iso(d));

export function statusOf(
  r: Pick<InvitationRow, 'accepted_at' | 'revoked_at' | 'expires_at'>,
  now: Date,
): InvitationStatus {
  if (r.revoked_at !== null) return 'revoked';
  if (r.accepted_at !== null) return 'accepted';
  return new Date(r.expires_at).getTime() <= now.getTime() ? 'expired' : 'pending';
}

function view(r: InvitationRow, now: Date): InvitationView {
  return {
    id: r.id,
    saleId: r.sale_id,
    email: r.email,
    status: statusOf(r, now),
    invitedBy: r.invited_by,
    createdAt: iso(r.created_at),
    sentAt: iso(r.sent_at),
    expiresAt: iso(r.expires_at),
    acceptedAt: isoOrNull(r.accepted_at),
    accountId: r.account_id,
    revokedAt: isoOrNull(r.revoked_at),
  };
}

/** The invitation email: the sale, the link, how long it lasts. */
export function invitationMail(
  saleTitle: string,
  url: string,
  expiresAt: Date,
): { subject: string; text: string } {
  return {
    subject: `You are invited to bid: ${saleTitle}`,
    text: [
      'Hello,',
      '',
      `You are invited to "${saleTitle}", a sale by invitation only.`,
      'Open this link to accept: it signs you in (or creates your bidder account) and takes you to the sale.',
      url,
      '',
      `The link works once, until ${expiresAt.toUTCString()}. If you were not expecting it, ignore this email.`,
    ].join('\n'),
  };
}

/** Validates and deduplicates the addresses (whatever their case); names the one at fault. */
export function normaliseInvitees(emails: readonly unknown[]): string[] {
  const seen = new Map<string, string>();
  emails.forEach((e, i) => {
    let email: string;
    try {
      email = normaliseEmail(e);
    } catch {
      throw new AppError('VALIDATION_FAILED', `emails[${i}]: not an email address like ada@example.com`, {
        details: { field: `emails[${i}]` },
      });
    }
    if (!seen.has(email.toLowerCase())) seen.set(email.toLowerCase(), email);
  });
  return [...seen.values()];
}

export interface InvitationServiceOptions {
  db: Database;
  /** How invitations are mailed (SMTP, or the embedded default's local outbox); none: refused. */
  mail?: Sender | undefined;
  /** PUBLIC_ORIGIN: where the links point. None: refused. */
  publicOrigin?: string | undefined;
  logger: Logger;
  now?: () => Date;
}

export interface InviteResult {
  /** Every live invitation of the addresses asked for, after this request. */
  invitations: InvitationView[];
  /** Addresses mailed a (new) link now. */
  sent: string[];
  /** Addresses whose invitation was already accepted: nothing sent. */
  alreadyAccepted: string[];
}

export class InvitationService implements InvitationsPort {
  private readonly o: InvitationServiceOptions;
  private readonly now: () => Date;

  constructor(o: InvitationServiceOptions) {
    this.o = o;
    this.now = o.now ?? (() => new Date());
  }

  /**
   * Invites the addresses to the sale: a new invitation each, or for a pending (or expired) one a
   * new link replacing the old. Accepted ones are left alone. Audited with `actor`.
   */
  async invite(
    saleId: string,
    emails: readonly string[],
    actor: string,
    correlationId?: string,
  ): Promise<InviteResult> {
    const { mail, publicOrigin } = this.o;
    if (mail === undefined || publicOrigin === undefined)
      throw new AppError(
        'NOT_AVAILABLE',
        'invitations need email (SMTP_URL, or the demo’s local outbox) and PUBLIC_ORIGIN for their links',
      );
    const now = this.now();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
    const toSend: { email: string; token: string }[] = [];
    const alreadyAccepted: string[] = [];
    const title = await this.o.db.transaction(async (tx) => {
      const sale = await loadSale(tx, saleId, true);
      if (sale === undefined) throw new AppError('UNKNOWN_SALE', `no sale ${saleId}`);
      if (sale.status === 'closed' || sale.status === 'cancelled')
        throw new AppError('SALE_LOCKED', `sale ${saleId} is ${sale.status}: no more invitations`);
      for (const email of emails) {
        const [live] = await tx.query<InvitationRow>(
          `SELECT * FROM sale_invitations WHERE sale_id = $1 AND lower(email) = lower($2) AND revoked_at IS NULL FOR UPDATE`,
          [saleId, email],
        );
        if (live?.accepted_at !== undefined && live.accepted_at !== null) {
          alreadyAccepted.push(email);
          continue;
        }
        const token = newSecret();
        if (live === undefined)
          await tx.query(
            `INSERT INTO sale_invitations (id, sale_id, email, token_hash, invited_by, created_at, sent_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
            [
              `inv_${randomBytes(12).toString('base64url')}`,
              saleId,
              email,
              hashSecret(token),
              actor,
              now,
              expiresAt,
            ],
          );
        else
          await tx.query(
            `UPDATE sale_invitations SET token_hash = $2, sent_at = $3, expires_at = $4, invited_by = $5 WHERE id = $1`,
            [live.id, hashSecret(token), now, expiresAt, actor],
          );
        toSend.push({ email, token });
      }
      await audit(tx, {
        actor,
        action: 'sale.invite',
        entityType: 'sale',
        entityId: saleId,
        details: { sent: toSend.map((s) => s.email), alreadyAccepted },
        correlationId,
      });
      return sale.title;
    });
    // After the commit: a link mailed is a link that works. A failed send is logged; re-inviting resends.
    const sent: string[] = [];
    for (const { email, token } of toSend) {
      const url = new URL(`/invite/${token}`, publicOrigin).toString();
      try {
        await mail.send(email, invitationMail(title, url, expiresAt), randomInt(2 ** 40, 2 ** 47));
        sent.push(email);
      } catch (err) {
        this.o.logger.warn({ err, saleId }, 'invitation email not sent; invite the address again to retry');
      }
    }
    const all = await this.list(saleId);
    const asked = new Set(emails.map((e) => e.toLowerCase()));
    return {
      invitations: all.filter((i) => i.revokedAt === null && asked.has(i.email.toLowerCase())),
      sent,
      alreadyAccepted,
    };
  }

  /** The sale's invitations, revoked ones included, newest first. */
  async list(saleId: string): Promise<InvitationView[]> {
    const now = this.now();
    const rows = await this.o.db.query<InvitationRow>(
      'SELECT * FROM sale_invitations WHERE sale_id = $1 ORDER BY created_at DESC, id',
      [saleId],
    );
    return rows.map((r) => view(r, now));
  }

  /** Revokes an invitation: its link stops working and it no longer shows the sale. Audited. */
  async revoke(
    saleId: string,
    invitationId: string,
    actor: string,
    correlationId?: string,
  ): Promise<InvitationView> {
    const now = this.now();
    return this.o.db.transaction(async (tx) => {
      const [r] = await tx.query<InvitationRow>(
        'SELECT * FROM sale_invitations WHERE id = $1 AND sale_id = $2 FOR UPDATE',
        [invitationId, saleId],
      );
      if (r === undefined)
        throw new AppError('UNKNOWN_INVITATION', `no invitation ${invitationId} to sale ${saleId}`);
      if (r.revoked_at !== null) return view(r, now);
      const [updated] = await tx.query<InvitationRow>(
        'UPDATE sale_invitations SET revoked_at = $2, revoked_by = $3 WHERE id = $1 RETURNING *',
        [invitationId, now, actor],
      );
      await audit(tx, {
        actor,
        action: 'sale.invitation_revoke',
        entityType: 'sale',
        entityId: saleId,
        details: { invitationId, email: r.email },
        correlationId,
      });
      return view(updated!, now);
    });
  }

  /** What the landing page shows for a link: nothing of the sale unless the link is live. */
  async describe(token: string): Promise<InvitationLanding> {
    const r = await this.byToken(this.o.db, token);
    if (r === undefined) return { state: 'unknown' };
    const state = statusOf(r, this.now());
    if (state !== 'pending') return { state: state === 'accepted' ? 'accepted' : state };
    const sale = await loadSale(this.o.db, r.sale_id);
    if (sale === undefined || sale.status === 'cancelled' || sale.status === 'closed')
      return { state: 'expired' };
    const [account] = await this.o.db.query(
      `SELECT 1 FROM accounts WHERE lower(email) = lower($1) AND status = 'active'`,
      [r.email],
    );
    return {
      state: 'valid',
      saleId: sale.id,
      saleTitle: sale.title,
      email: r.email,
      hasAccount: account !== undefined,
    };
  }

  /**
   * Accepts the invitation once: marks it accepted, creates the bidder account when the address
   * has none (`name` needed then), and answers a one-time sign-in link's token for that account,
   * which the gateway consumes at once to open the session. One transaction.
   */
  async accept(token: string, name: string | undefined): Promise<AcceptedInvitation> {
    const invalid = (): AppError =>
      new AppError(
        'INVITATION_INVALID',
        'this invitation link is not valid any more (used, expired, revoked or unknown): ask the house for a new one',
      );
    if (!isWellFormedSecret(token)) throw invalid();
    const now = this.now();
    return this.o.db.transaction(async (tx) => {
      const r = await this.byToken(tx, token, true);
      if (r === undefined || statusOf(r, now) !== 'pending') throw invalid();
      const sale = await loadSale(tx, r.sale_id);
      if (sale === undefined || sale.status === 'cancelled' || sale.status === 'closed') throw invalid();
      const [existing] = await tx.query<{ id: string; status: string }>(
        'SELECT id, status FROM accounts WHERE lower(email) = lower($1)',
        [r.email],
      );
      let accountId: string;
      if (existing !== undefined) {
        if (existing.status !== 'active') throw invalid();
        accountId = existing.id;
      } else {
        if (name === undefined || name.trim() === '')
          throw new AppError('VALIDATION_FAILED', 'name: your name is needed to create your account', {
            details: { field: 'name' },
          });
        accountId = `acc_${randomBytes(16).toString('base64url')}`;
        await tx.query(`INSERT INTO accounts (id, kind, email, name) VALUES ($1, 'bidder', $2, $3)`, [
          accountId,
          r.email,
          normaliseName(name),
        ]);
      }
      await tx.query('UPDATE sale_invitations SET accepted_at = $2, account_id = $3 WHERE id = $1', [
        r.id,
        now,
        accountId,
      ]);
      const signIn = newSecret();
      await tx.query('INSERT INTO sign_in_links (token_hash, account_id, expires_at) VALUES ($1, $2, $3)', [
        hashSecret(signIn),
        accountId,
        new Date(now.getTime() + LINK_TTL_MS),
      ]);
      await audit(tx, {
        actor: `account:${accountId}`,
        action: 'sale.invitation_accept',
        entityType: 'sale',
        entityId: r.sale_id,
        details: { invitationId: r.id, created: existing === undefined },
      });
      return { saleId: r.sale_id, signInToken: signIn };
    });
  }

  private async byToken(q: Queryable, token: string, lock = false): Promise<InvitationRow | undefined> {
    if (!isWellFormedSecret(token)) return undefined;
    const [r] = await q.query<InvitationRow>(
      `SELECT * FROM sale_invitations WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`,
      [hashSecret(token)],
    );
    return r;
  }
}
