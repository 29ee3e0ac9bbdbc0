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
  /** 'totp': the session signs no one in until the code is given (completeSecondFactor). */
  pendingFactor?: 'totp' | undefined;
}

export interface ResolvedSession {
  ref: string;
  account: Account;
  expiresAt: string;
}

export interface AccountsPort extends PasskeysPort, SecondFactorPort, StaffAdminPort {
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

// --- Passkeys, the staff's second factor, staff administration (docs/accounts.md) ---

/** Who the passkeys are for: the gateway's PUBLIC_ORIGIN (its host is the WebAuthn rpID). */
export interface RelyingParty {
  rpId: string;
  rpName: string;
  origin: string;
}

/** WebAuthn JSON as the browser sends and takes it (@simplewebauthn's shapes); the back office checks it. */
export type WebAuthnJson = Record<string, unknown>;

/** A ceremony's options and the id of its server-side challenge (single use, minutes). */
export interface PasskeyChallenge {
  challengeId: string;
  options: WebAuthnJson;
}

export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Synced by its provider (iCloud Keychain, Google Password Manager…), so it survives a lost device. */
  backedUp: boolean;
}

export interface PasskeysPort {
  /** Options to create a passkey for a signed-in account. */
  passkeyRegistrationOptions(accountId: string, rp: RelyingParty): Promise<PasskeyChallenge>;
  /** Verifies the authenticator's answer and keeps the passkey. Throws PASSKEY_INVALID. */
  addPasskey(
    accountId: string,
    challengeId: string,
    response: WebAuthnJson,
    name: string,
    rp: RelyingParty,
  ): Promise<PasskeyInfo>;
  passkeys(accountId: string): Promise<PasskeyInfo[]>;
  /** Throws UNKNOWN_PASSKEY when the account has no such passkey. */
  removePasskey(accountId: string, passkeyId: string): Promise<void>;
  /** Options to sign in with any passkey of this site (discoverable credentials). */
  passkeySignInOptions(rp: RelyingParty): Promise<PasskeyChallenge>;
  /** Opens a session as an email link does (pending a TOTP code for staff who have one). Throws PASSKEY_INVALID. */
  signInWithPasskey(
    challengeId: string,
    response: WebAuthnJson,
    rp: RelyingParty,
    userAgent: string | undefined,
  ): Promise<OpenedSession>;
}

export interface TotpStatus {
  /** A code has confirmed it: every sign-in asks for one. */
  confirmed: boolean;
  recoveryCodesLeft: number;
}

export interface SecondFactorPort {
  totpStatus(accountId: string): Promise<TotpStatus>;
  /** A new, unconfirmed TOTP secret for a staff account (replacing an unconfirmed one). */
  beginTotp(accountId: string): Promise<{ uri: string; secret: string }>;
  /** Confirms the secret with a code from the app; answers the recovery codes, shown once. Throws TOTP_INVALID. */
  confirmTotp(accountId: string, code: string): Promise<{ recoveryCodes: string[] }>;
  /** Turns TOTP off, given a current code or a recovery code. */
  removeTotp(accountId: string, code: string): Promise<void>;
  /** The account of a session that waits for its second factor; undefined otherwise. */
  pendingSession(secret: string): Promise<{ account: Account } | undefined>;
  /** A code (or a recovery code) for a pending session: it becomes a full one. TOTP_INVALID, RATE_LIMITED. */
  completeSecondFactor(secret: string, code: string): Promise<ResolvedSession>;
}

/** A staff member as admins see them. */
export interface StaffMember {
  account: Account;
  /** Live sessions, newest first. */
  sessions: SessionInfo[];
  passkeys: number;
  totp: boolean;
}

export interface StaffInvitation {
  email: string;
  name: string;
  roles: StaffRole[];
}

/** An admin's work on staff accounts; every change is audited with the admin as actor. FORBIDDEN for others. */
export interface StaffAdminPort {
  listStaff(actorId: string): Promise<StaffMember[]>;
  /** Creates the staff account and mails its first sign-in link. ALREADY_EXISTS when the address has an account. */
  inviteStaff(actorId: string, invitation: StaffInvitation, origin: string): Promise<Account>;
  setStaffRoles(actorId: string, accountId: string, roles: StaffRole[]): Promise<Account>;
  /** Disabling ends the account's sessions at once. */
  setStaffStatus(actorId: string, accountId: string, status: Account['status']): Promise<Account>;
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
