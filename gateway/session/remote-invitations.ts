/**
 * The back office's invitations over HTTP (orchestrator `/invitations/v1/…`): the distributed
 * topology's `InvitationsPort` for the invitation landing page. Errors come back as the back
 * office's codes.
 */
import { isErrorCode } from '../../common/error-codes.ts';
import { AppError } from '../../common/errors.ts';
import type { AcceptedInvitation, InvitationLanding, InvitationsPort } from '../../common/invitations.ts';

export class RemoteInvitations implements InvitationsPort {
  private readonly base: string;
  private readonly auth: string;
  constructor(orchestratorUrl: string, serviceToken: string) {
    this.base = `${orchestratorUrl.replace(/\/+$/, '')}/invitations/v1`;
    this.auth = `Bearer ${serviceToken}`;
  }

  private async call<T>(path: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: { Authorization: this.auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new AppError('ACCOUNTS_UNAVAILABLE', 'the back office does not answer', { cause: err });
    }
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (res.ok) return json as T;
    const code = json.error?.code;
    if (code !== undefined && isErrorCode(code) && res.status < 500)
      throw new AppError(code, json.error?.message ?? code, {
        ...(code === 'VALIDATION_FAILED' ? { details: { field: 'name' } } : {}),
      });
    throw new AppError('ACCOUNTS_UNAVAILABLE', `the back office answered ${res.status}`);
  }

  describe(token: string): Promise<InvitationLanding> {
    return this.call<InvitationLanding>('/describe', { token });
  }

  accept(token: string, name: string | undefined): Promise<AcceptedInvitation> {
    return this.call<AcceptedInvitation>('/accept', { token, ...(name === undefined ? {} : { name }) });
  }
}
