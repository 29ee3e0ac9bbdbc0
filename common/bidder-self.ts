/**
 * A signed-in bidder's own back-office business as the gateway sees it (docs/bidders.md): the port
 * the gateway's `/account/bidding` pages and `/v1/me/…` routes call. The back office implements it
 * in process (embedded default) and over HTTP (`/bidders-self/v1/…`, distributed, the same
 * ACCOUNTS_SERVICE_TOKEN as the accounts API); the gateway never reads the tables itself.
 * Every call names the signed-in account: its id is the bidder's id.
 */
import type {
  BidderOverview,
  BidderProfile,
  KycState,
  MyRegistration,
  ProfileInput,
  RegisterInput,
  RegistrationOffer,
  WatchList,
} from './contracts/bidder-self.ts';
import type { PushKind, PushSettings, PushSubscriptionInput } from './contracts/push.ts';

export interface BidderSelfPort {
  /** Profile, registrations, sales open for registration, won lots with invoices, KYC. */
  overview(accountId: string): Promise<BidderOverview>;
  /** Saves the profile (VALIDATION_FAILED naming the field, CONTACT_TAKEN for a phone in use). */
  saveProfile(accountId: string, input: ProfileInput): Promise<BidderProfile>;
  /** The sale with its current terms, to register (UNKNOWN_SALE when not open for registration). */
  offer(accountId: string, saleId: string): Promise<RegistrationOffer>;
  /** Registers (pending) accepting the current terms: TERMS_VERSION, ALREADY_REGISTERED, PROFILE_INCOMPLETE, CDD_REQUIRED… */
  register(accountId: string, saleId: string, input: RegisterInput): Promise<MyRegistration>;
  /** Accepts the sale's current terms (again, after they changed). */
  acceptTerms(accountId: string, saleId: string, version: number): Promise<MyRegistration>;
  /** Starts (or resumes) an identity check with the vendor: KYC_DISABLED when none is set up. */
  startKyc(accountId: string): Promise<KycState>;
  /** The lots the bidder watches in sales they may see, newest first. */
  watchList(accountId: string): Promise<WatchList>;
  /** Stars a lot (idempotent): UNKNOWN_LOT for a lot they may not see, WATCHLIST_FULL past the cap. */
  watch(accountId: string, lotId: string): Promise<WatchList>;
  /** Unstars a lot (idempotent). */
  unwatch(accountId: string, lotId: string): Promise<WatchList>;
  /** Web Push on this site (the VAPID public key, null when not set up) and the bidder's subscribed browsers. */
  pushSettings(accountId: string): Promise<PushSettings>;
  /** Turns notifications on for a browser: PUSH_DISABLED, BAD_PUSH_ENDPOINT, BAD_PUSH_KEYS, TOO_MANY_PUSH_DEVICES. */
  subscribePush(accountId: string, input: PushSubscriptionInput): Promise<PushSettings>;
  /** Turns them off for the browser with this endpoint (not subscribed: nothing to do). */
  unsubscribePush(accountId: string, endpoint: string): Promise<PushSettings>;
  /** The kinds of push the bidder turns off, for all their browsers (the list replaces the previous one). */
  setPushKinds(accountId: string, muted: PushKind[]): Promise<PushSettings>;
}
