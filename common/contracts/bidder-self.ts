/**
 * A signed-in bidder's own side of the back office (docs/bidders.md): their profile, the sales they
 * may register for with the terms to accept, their registrations, won lots with the invoice, and
 * their identity check (KYC). Money is a decimal string in the sale's currency, times ISO 8601.
 */
import * as z from 'zod/mini';

export const CONTACT_CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type ContactChannelName = (typeof CONTACT_CHANNELS)[number];

export const KYC_STANDINGS = ['pending', 'verified', 'rejected', 'expired'] as const;
export type KycStanding = (typeof KYC_STANDINGS)[number];

export interface BidderProfile {
  /** The bidder's id: the account's id (the back office's bidder record has the same). */
  id: string;
  name: string;
  email: string | null;
  /** The account signs in by links sent to this address: following one verified it. */
  emailVerified: boolean;
  /** E.164, e.g. `+447700900123`. */
  phone: string | null;
  /** ISO 3166-1 alpha-2, e.g. `FR`. */
  country: string | null;
  channels: ContactChannelName[];
  /** Name, phone and country given: the bidder may register for sales. */
  complete: boolean;
}

export interface ProfileInput {
  name: string;
  phone: string;
  country: string;
  channels: ContactChannelName[];
}

export const REGISTRATION_STATUSES = ['pending', 'approved', 'declined', 'revoked'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export interface MyRegistration {
  saleId: string;
  saleTitle: string;
  currency: string;
  status: RegistrationStatus;
  paddle: string | null;
  /** The approval limit (what the house set, or the bidder's request until it does). */
  limit: string | null;
  requestedLimit: string | null;
  termsVersion: number | null;
  termsAcceptedAt: string | null;
  /** The sale's current terms version (0: no terms). */
  currentTermsVersion: number;
  /** The bidder must accept the sale's current terms (again) before bidding. */
  termsToAccept: boolean;
  /** Above this the bidder's identity must be verified (KYC); decimal string. */
  kycFreeLimit: string;
}

export interface SaleForBidder {
  id: string;
  title: string;
  mode: 'timed' | 'live';
  currency: string;
  status: 'scheduled' | 'open';
  startsAt: string;
  endsAt: string | null;
  termsVersion: number;
  kycFreeLimit: string;
  registration: MyRegistration | null;
}

export interface SaleTerms {
  version: number;
  body: string;
  publishedAt: string;
}

export interface WonLot {
  lotId: string;
  lotNumber: number;
  title: string;
  saleId: string;
  saleTitle: string;
  currency: string;
  hammer: string;
  premium: string;
  tax: string;
  total: string;
  status: string;
  decidedAt: string;
}

export interface KycCheckView {
  id: string;
  status: 'requested' | 'verified' | 'rejected' | 'expired' | 'error';
  verificationUrl: string | null;
  requestedAt: string;
}

export interface KycState {
  status: KycStanding;
  /** Some registration of the bidder asks for more than its sale's KYC-free limit. */
  required: boolean;
  /** Identity checks with a vendor are set up here (else the house verifies people itself). */
  available: boolean;
  check: KycCheckView | null;
}

export interface BidderOverview {
  profile: BidderProfile;
  registrations: MyRegistration[];
  /** Sales open for registration (scheduled or open), with the bidder's registration if any. */
  sales: SaleForBidder[];
  won: WonLot[];
  kyc: KycState;
}

export interface RegistrationOffer {
  sale: SaleForBidder;
  /** The terms to accept; null when the sale has none. */
  terms: SaleTerms | null;
  profile: BidderProfile;
  kyc: KycState;
}

export interface RegisterInput {
  /** The version of the terms the bidder read and accepts (0 when the sale has none). */
  termsVersion: number;
  accept: boolean;
  /** A limit the bidder asks for, in the sale's currency. */
  limit?: string | undefined;
}

export const profileInputSchema = z.strictObject({
  name: z.string(),
  phone: z.string(),
  country: z.string(),
  channels: z.array(z.enum(CONTACT_CHANNELS)),
}) satisfies z.ZodMiniType<ProfileInput>;

export const registerInputSchema = z.strictObject({
  termsVersion: z.number(),
  accept: z.boolean(),
  limit: z.optional(z.string()),
});

export const acceptTermsSchema = z.strictObject({ version: z.number() });

/** A lot on the bidder's watch list (docs/bidders.md). */
export interface WatchedLot {
  lotId: string;
  saleId: string;
  /** When the bidder starred it, ISO 8601. */
  addedAt: string;
}

/** GET/PUT/DELETE /v1/me/watchlist[/{lotId}]: the bidder's whole list, newest first. */
export interface WatchList {
  lots: WatchedLot[];
}

/** How many lots one bidder may watch (WATCHLIST_FULL beyond). */
export const WATCHLIST_MAX = 500;

export const watchListSchema = z.object({
  lots: z.array(z.object({ lotId: z.string(), saleId: z.string(), addedAt: z.string() })),
}) satisfies z.ZodMiniType<WatchList>;
