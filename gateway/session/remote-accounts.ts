/**
 * The back office's accounts over HTTP (orchestrator `/accounts/v1/…`): the distributed topology's
 * `AccountsPort`. Errors come back as the back office's codes.
 */
import type {
  AccountsPort,
  LinkRequest,
  OpenedSession,
  ResolvedSession,
  SessionInfo,
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
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (res.ok) return json as T;
    const code = json.error?.code;
    if (code !== undefined && isErrorCode(code) && res.status < 500)
      throw new AppError(code, json.error?.message ?? code);
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
}
