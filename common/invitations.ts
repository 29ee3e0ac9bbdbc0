/**
 * Invitations to invite-only sales as the gateway sees the back office (docs/invite-only.md): what
 * the invitation landing page (`/invite/<token>`) asks. In process in the embedded default, over
 * HTTP (`/invitations/v1/…`, ACCOUNTS_SERVICE_TOKEN) in the distributed topology.
 */

/** A link's state: only a `valid` one tells which sale and address it is for. */
export type InvitationLanding =
  | { state: 'unknown' | 'accepted' | 'expired' | 'revoked' }
  | { state: 'valid'; saleId: string; saleTitle: string; email: string; hasAccount: boolean };

export interface AcceptedInvitation {
  saleId: string;
  /** A one-time sign-in link's token for the invitee's account, for `AccountsPort.consumeLink`. */
  signInToken: string;
}

export interface InvitationsPort {
  describe(token: string): Promise<InvitationLanding>;
  /**
   * Accepts once: the account is created when the address has none (`name` is needed then).
   * Throws INVITATION_INVALID (used, expired, revoked, unknown), VALIDATION_FAILED (name).
   */
  accept(token: string, name: string | undefined): Promise<AcceptedInvitation>;
}
