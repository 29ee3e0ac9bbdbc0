/**
 * The pure rules of a bidder's own profile and registration: what a valid profile is (a name, a
 * phone in E.164, an ISO 3166 country, notification channels with email always among them), whether
 * the sale's current terms still need accepting, and whether identity verification (KYC) stands
 * between the bidder and the limit they were given.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { ContactChannelName, ProfileInput } from '../../common/contracts/bidder-self.ts';
import { CONTACT_CHANNELS } from '../../common/contracts/bidder-self.ts';
import { isCountry } from '../../common/countries.ts';
import { AppError } from '../../common/errors.ts';
import { normaliseName } from '../accounts/rules.ts';

const invalid = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', `${field}: ${message}`, { details: { field } });

export interface Profile {
  name: string;
  /** E.164. */
  phone: string;
  country: string;
  channels: ContactChannelName[];
}

/**
 * A profile as given, checked and normalised: the phone in E.164 (a national number is read in the
 * given country), the country upper-cased, channels deduplicated in a fixed order with email first.
 * Email is always one of them: decisions on registrations and sign-in links go there.
 */
export function normaliseProfile(input: ProfileInput): Profile {
  let name: string;
  try {
    name = normaliseName(input.name);
  } catch {
    throw invalid('name', 'give your name, 1–100 characters');
  }
  const country = input.country.trim().toUpperCase();
  if (!isCountry(country)) throw invalid('country', 'choose a country (ISO 3166 two-letter code)');
  const raw = input.phone.trim();
  if (raw === '') throw invalid('phone', 'give a mobile number, e.g. +44 7700 900123');
  const phone = parsePhoneNumberFromString(raw, country as CountryCode);
  // Possible (a plausible length for the country), as the texted-bid ingress reads numbers: the
  // metadata's stricter "valid" refuses reserved ranges such as Ofcom's drama numbers (+44 7700 900…).
  if (phone === undefined || !phone.isPossible())
    throw invalid(
      'phone',
      `"${raw.slice(0, 40)}" is not a valid phone number (international format: +44 7700 900123)`,
    );
  const wanted = new Set<ContactChannelName>(['email', ...input.channels]);
  return {
    name,
    phone: phone.number,
    country,
    channels: CONTACT_CHANNELS.filter((c) => wanted.has(c)),
  };
}

/** The sale has terms and the registration has not accepted its current version. */
export function termsToAccept(saleTermsVersion: number, accepted: number | undefined): boolean {
  return saleTermsVersion > 0 && (accepted ?? 0) < saleTermsVersion;
}

/**
 * Identity verification stands in the way: the bidder is not verified and the limit they have (or
 * asked for, or none yet) is above what the sale allows without it.
 */
export function kycNeeded(
  kycStatus: 'pending' | 'verified' | 'rejected' | 'expired',
  limit: number | undefined,
  kycFreeLimit: number,
): boolean {
  if (kycStatus === 'verified') return false;
  return limit === undefined ? kycFreeLimit === 0 : limit > kycFreeLimit;
}
