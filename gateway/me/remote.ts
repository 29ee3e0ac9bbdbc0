/**
 * The back office's bidder self-service over HTTP (orchestrator `/bidders-self/v1/…`): the
 * distributed topology's `BidderSelfPort`, with the same ACCOUNTS_SERVICE_TOKEN as RemoteAccounts.
 * Errors come back as the back office's codes, their details (the field) kept.
 */
import type { BidderSelfPort } from '../../common/bidder-self.ts';
import type {
  BidderOverview,
  BidderProfile,
  KycState,
  MyRegistration,
  ProfileInput,
  RegisterInput,
  RegistrationOffer,
  WatchList,
} from '../../common/contracts/bidder-self.ts';
import type { ErrorDetails } from '../../common/contracts/error.ts';
import type { PushKind, PushSettings, PushSubscriptionInput } from '../../common/contracts/push.ts';
import { isErrorCode } from '../../common/error-codes.ts';
import { AppError } from '../../common/errors.ts';

export class RemoteBidderSelf implements BidderSelfPort {
  private readonly base: string;
  private readonly auth: string;
  constructor(orchestratorUrl: string, serviceToken: string) {
    this.base = `${orchestratorUrl.replace(/\/+$/, '')}/bidders-self/v1`;
    this.auth = `Bearer ${serviceToken}`;
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          Authorization: this.auth,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new AppError('ACCOUNTS_UNAVAILABLE', 'the back office does not answer', { cause: err });
    }
    const json = (await res.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string; details?: ErrorDetails };
    };
    if (res.ok) return json as T;
    const code = json.error?.code;
    if (
      code !== undefined &&
      isErrorCode(code) &&
      (res.status < 500 ||
        code === 'KYC_PROVIDER_UNAVAILABLE' ||
        code === 'KYC_DISABLED' ||
        code === 'PUSH_DISABLED')
    )
      throw new AppError(code, json.error?.message ?? code, { details: json.error?.details });
    throw new AppError('ACCOUNTS_UNAVAILABLE', `the back office answered ${res.status}`);
  }

  private path(accountId: string, rest = ''): string {
    return `/bidders/${encodeURIComponent(accountId)}${rest}`;
  }

  overview(accountId: string): Promise<BidderOverview> {
    return this.call('GET', this.path(accountId));
  }
  saveProfile(accountId: string, input: ProfileInput): Promise<BidderProfile> {
    return this.call('PUT', this.path(accountId, '/profile'), input);
  }
  offer(accountId: string, saleId: string): Promise<RegistrationOffer> {
    return this.call('GET', this.path(accountId, `/sales/${encodeURIComponent(saleId)}`));
  }
  register(accountId: string, saleId: string, input: RegisterInput): Promise<MyRegistration> {
    return this.call(
      'POST',
      this.path(accountId, `/sales/${encodeURIComponent(saleId)}/registration`),
      input,
    );
  }
  acceptTerms(accountId: string, saleId: string, version: number): Promise<MyRegistration> {
    return this.call('POST', this.path(accountId, `/sales/${encodeURIComponent(saleId)}/terms`), { version });
  }
  startKyc(accountId: string): Promise<KycState> {
    return this.call('POST', this.path(accountId, '/kyc'));
  }
  watchList(accountId: string): Promise<WatchList> {
    return this.call('GET', this.path(accountId, '/watchlist'));
  }
  watch(accountId: string, lotId: string): Promise<WatchList> {
    return this.call('PUT', this.path(accountId, `/watchlist/${encodeURIComponent(lotId)}`));
  }
  unwatch(accountId: string, lotId: string): Promise<WatchList> {
    return this.call('DELETE', this.path(accountId, `/watchlist/${encodeURIComponent(lotId)}`));
  }
  pushSettings(accountId: string): Promise<PushSettings> {
    return this.call('GET', this.path(accountId, '/push'));
  }
  subscribePush(accountId: string, input: PushSubscriptionInput): Promise<PushSettings> {
    return this.call('PUT', this.path(accountId, '/push'), input);
  }
  unsubscribePush(accountId: string, endpoint: string): Promise<PushSettings> {
    return this.call('DELETE', this.path(accountId, '/push'), { endpoint });
  }
  setPushKinds(accountId: string, muted: PushKind[]): Promise<PushSettings> {
    return this.call('PATCH', this.path(accountId, '/push'), { muted });
  }
}
