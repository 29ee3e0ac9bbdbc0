/**
 * Accounts and sessions as the gateway sees the back office: the small interface the gateway's
 * session routes call. The back office implements it in process (the embedded default) and over
 * HTTP (`/accounts/v1/…`, the distributed topology); the gateway never reads the tables itself.
 */

export const ACCOUNT_KINDS = ['staff', 'bidder'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];
export const STAFF_ROLES = ['admin', 'auctioneer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface Account {
  id: string;
  kind: AccountKind;
  email: string;
  name: string;
  /** Staff only; empty for bidders. */
  roles: StaffRole[];
  status: 'active' | 'disabled';
}

/** A session as its owner and admins see it: never its secret nor the secret's hash. */
export interface SessionInfo {
  ref: string;
  accountId: string;
  createdAt: string;
  lastSeen: string;
  expiresAt: string;
  revokedAt: string | null;
  userAgent: string | null;
}

export interface LinkRequest {
  email: string;
  /** Sign-up of a new bidder: their name. Without it, an unknown address gets no mail (and no hint). */
  name?: string | undefined;
  /** The public origin the link is built on (`<origin>/sign-in/link?token=…`). */
  origin: string;
}

export interface OpenedSession {
  /** The cookie's value: 32 random bytes, base64url. Only its hash is stored. */
  secret: string;
  ref: string;
  account: Account;
  expiresAt: string;
}

export interface ResolvedSession {
  ref: string;
  account: Account;
  expiresAt: string;
}

export interface AccountsPort {
  /** Sends a sign-in (or sign-up) link when the address may have one; answers the same either way. */
  requestLink(request: LinkRequest): Promise<void>;
  /** Consumes a link once: opens a session. Throws LINK_INVALID (unknown, used or expired). */
  consumeLink(token: string, userAgent: string | undefined): Promise<OpenedSession>;
  /** The live session a cookie holds, its last use noted; undefined when unknown, expired or revoked. */
  resolve(secret: string): Promise<ResolvedSession | undefined>;
  /** Revokes the session of this cookie. */
  signOut(secret: string): Promise<void>;
  /** Revokes every session of the account; how many were live. */
  signOutEverywhere(accountId: string): Promise<number>;
  /** The account's sessions, newest first. */
  sessions(accountId: string): Promise<SessionInfo[]>;
  /** An admin revokes a staff member's session by its ref. Throws UNKNOWN_SESSION, FORBIDDEN. */
  revokeStaffSession(adminId: string, ref: string): Promise<void>;
}

/** The outbox the embedded default keeps instead of a mail server (shown at `/dev/mail`). */
export interface SentMail {
  id: number;
  to: string;
  subject: string;
  text: string;
  sentAt: string;
}

export interface MailboxView {
  list(): readonly SentMail[];
}
