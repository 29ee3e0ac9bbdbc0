/**
 * The back office's accounts over HTTP (orchestrator `/accounts/v1/…`): the distributed topology's
 * `AccountsPort`. Errors come back as the back office's codes.
 */
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
import { isErrorCode } from '../../common/error-codes.ts';
import { AppError } from '../../common/errors.ts';

export class RemoteAccounts implements AccountsPort {
  private readonly base: string;
  private readonly auth: string;
  constructor(orchestratorUrl: string, serviceToken: string) {
    this.base = `${orchestratorUrl.replace(/\/+$/, '')}/accounts/v1`;
    this.auth = `Bearer ${serviceToken}`;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | undefined> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          Authorization: this.auth,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new AppError('ACCOUNTS_UNAVAILABLE', 'the back office does not answer', { cause: err });
    }
    if (res.status === 204) return undefined;
    const json = (await res.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    if (res.ok) return json as T;
    const code = json.error?.code;
    if (code !== undefined && isErrorCode(code) && res.status < 500)
      throw new AppError(code, json.error?.message ?? code, {
        ...(json.error?.details === undefined ? {} : { details: json.error.details }),
      });
    throw new AppError('ACCOUNTS_UNAVAILABLE', `the back office answered ${res.status}`);
  }

  async requestLink(request: LinkRequest): Promise<void> {
    await this.call('POST', '/links', request);
  }
  async consumeLink(token: string, userAgent: string | undefined): Promise<OpenedSession> {
    return (await this.call<OpenedSession>('POST', '/links/consume', { token, userAgent }))!;
  }
  async resolve(secret: string): Promise<ResolvedSession | undefined> {
    const r = await this.call<{ session: ResolvedSession | null }>('POST', '/sessions/resolve', { secret });
    return r?.session ?? undefined;
  }
  async signOut(secret: string): Promise<void> {
    await this.call('POST', '/sessions/sign-out', { secret });
  }
  async signOutEverywhere(accountId: string): Promise<number> {
    const r = await this.call<{ revoked: number }>(
      'POST',
      `/accounts/${encodeURIComponent(accountId)}/sign-out-everywhere`,
    );
    return r?.revoked ?? 0;
  }
  async sessions(accountId: string): Promise<SessionInfo[]> {
    const r = await this.call<{ sessions: SessionInfo[] }>(
      'GET',
      `/accounts/${encodeURIComponent(accountId)}/sessions`,
    );
    return r?.sessions ?? [];
  }
  async revokeStaffSession(adminId: string, ref: string): Promise<void> {
    await this.call('POST', `/sessions/${encodeURIComponent(ref)}/revoke`, { adminId });
  }

  // --- passkeys ---
  async passkeyRegistrationOptions(accountId: string, rp: RelyingParty): Promise<PasskeyChallenge> {
    return (await this.call<PasskeyChallenge>('POST', '/passkeys/registration-options', { accountId, rp }))!;
  }
  async addPasskey(
    accountId: string,
    challengeId: string,
    response: WebAuthnJson,
    name: string,
    rp: RelyingParty,
  ): Promise<PasskeyInfo> {
    return (await this.call<PasskeyInfo>('POST', '/passkeys', {
      accountId,
      challengeId,
      response,
      name,
      rp,
    }))!;
  }
  async passkeys(accountId: string): Promise<PasskeyInfo[]> {
    const r = await this.call<{ passkeys: PasskeyInfo[] }>('GET', `/accounts/${enc(accountId)}/passkeys`);
    return r?.passkeys ?? [];
  }
  async removePasskey(accountId: string, passkeyId: string): Promise<void> {
    await this.call('POST', `/accounts/${enc(accountId)}/passkeys/${enc(passkeyId)}/remove`);
  }
  async passkeySignInOptions(rp: RelyingParty): Promise<PasskeyChallenge> {
    return (await this.call<PasskeyChallenge>('POST', '/passkeys/sign-in-options', { rp }))!;
  }
  async signInWithPasskey(
    challengeId: string,
    response: WebAuthnJson,
    rp: RelyingParty,
    userAgent: string | undefined,
  ): Promise<OpenedSession> {
    return (await this.call<OpenedSession>('POST', '/passkeys/sign-in', {
      challengeId,
      response,
      rp,
      userAgent,
    }))!;
  }

  // --- the staff's second factor ---
  async totpStatus(accountId: string): Promise<TotpStatus> {
    return (await this.call<TotpStatus>('GET', `/accounts/${enc(accountId)}/totp`))!;
  }
  async beginTotp(accountId: string): Promise<{ uri: string; secret: string }> {
    return (await this.call<{ uri: string; secret: string }>(
      'POST',
      `/accounts/${enc(accountId)}/totp/begin`,
    ))!;
  }
  async confirmTotp(accountId: string, code: string): Promise<{ recoveryCodes: string[] }> {
    return (await this.call<{ recoveryCodes: string[] }>('POST', `/accounts/${enc(accountId)}/totp/confirm`, {
      code,
    }))!;
  }
  async removeTotp(accountId: string, code: string): Promise<void> {
    await this.call('POST', `/accounts/${enc(accountId)}/totp/remove`, { code });
  }
  async pendingSession(secret: string): Promise<{ account: Account } | undefined> {
    const r = await this.call<{ pending: { account: Account } | null }>('POST', '/sessions/pending', {
      secret,
    });
    return r?.pending ?? undefined;
  }
  async completeSecondFactor(secret: string, code: string): Promise<ResolvedSession> {
    return (await this.call<ResolvedSession>('POST', '/sessions/second-factor', { secret, code }))!;
  }

  // --- staff administration ---
  async listStaff(actorId: string): Promise<StaffMember[]> {
    const r = await this.call<{ staff: StaffMember[] }>('GET', `/staff?actorId=${enc(actorId)}`);
    return r?.staff ?? [];
  }
  async inviteStaff(actorId: string, invitation: StaffInvitation, origin: string): Promise<Account> {
    return (await this.call<Account>('POST', '/staff/invitations', { actorId, invitation, origin }))!;
  }
  async setStaffRoles(actorId: string, accountId: string, roles: StaffRole[]): Promise<Account> {
    return (await this.call<Account>('POST', `/staff/${enc(accountId)}/roles`, { actorId, roles }))!;
  }
  async setStaffStatus(actorId: string, accountId: string, status: Account['status']): Promise<Account> {
    return (await this.call<Account>('POST', `/staff/${enc(accountId)}/status`, { actorId, status }))!;
  }
}

const enc = encodeURIComponent;
