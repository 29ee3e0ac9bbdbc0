import { describe, expect, it } from 'vitest';
import { countryOptions, isCountry } from '../../common/countries.ts';
import { AppError } from '../../common/errors.ts';
import { kycNeeded, normaliseProfile, termsToAccept } from './rules.ts';

const fieldOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return String(err.details?.field);
    throw err;
  }
  return undefined;
};

describe('a bidder profile', () => {
  it('normalises the phone to E.164 in the given country, upper-cases the country, keeps email first', () => {
    expect(
      normaliseProfile({
        name: '  Ada   Lovelace ',
        phone: '07700 900456',
        country: 'gb',
        channels: ['whatsapp'],
      }),
    ).toEqual({
      name: 'Ada Lovelace',
      phone: '+447700900456',
      country: 'GB',
      channels: ['email', 'whatsapp'],
    });
    expect(
      normaliseProfile({ name: 'Marie', phone: '+33 6 12 34 56 78', country: 'FR', channels: ['sms', 'sms'] })
        .channels,
    ).toEqual(['email', 'sms']);
  });

  it('refuses each bad field by name', () => {
    const ok = { name: 'Ada', phone: '+447700900456', country: 'GB', channels: [] };
    expect(fieldOf(() => normaliseProfile({ ...ok, name: ' ' }))).toBe('name');
    expect(fieldOf(() => normaliseProfile({ ...ok, name: 'A\u0000B' }))).toBe('name');
    expect(fieldOf(() => normaliseProfile({ ...ok, phone: '12' }))).toBe('phone');
    expect(fieldOf(() => normaliseProfile({ ...ok, phone: '' }))).toBe('phone');
    expect(fieldOf(() => normaliseProfile({ ...ok, phone: 'call me' }))).toBe('phone');
    expect(fieldOf(() => normaliseProfile({ ...ok, country: 'ZZ' }))).toBe('country');
    expect(fieldOf(() => normaliseProfile({ ...ok, country: 'GBR' }))).toBe('country');
    expect(fieldOf(() => normaliseProfile({ ...ok, country: 'EU' }))).toBe('country');
  });

  it('knows the ISO 3166 countries, and lists them by name', () => {
    expect(['FR', 'GB', 'US', 'JP', 'CH'].every(isCountry)).toBe(true);
    expect(['', 'gb', 'AA', 'ZZ', 'UN', 'XA'].some(isCountry)).toBe(false);
    const list = countryOptions();
    expect(list.length).toBeGreaterThan(240);
    expect(list.find((c) => c.code === 'FR')?.name).toBe('France');
    expect(list[0]!.name.localeCompare(list[1]!.name, 'en')).toBeLessThan(0);
  });
});

describe('terms and identity checks', () => {
  it('asks for the current terms until they are accepted, and again once they change', () => {
    expect(termsToAccept(0, undefined)).toBe(false);
    expect(termsToAccept(1, undefined)).toBe(true);
    expect(termsToAccept(1, 1)).toBe(false);
    expect(termsToAccept(2, 1)).toBe(true);
  });

  it('needs KYC above the sale’s KYC-free limit unless verified', () => {
    expect(kycNeeded('pending', 300_000, 500_000)).toBe(false);
    expect(kycNeeded('pending', 500_001, 500_000)).toBe(true);
    expect(kycNeeded('expired', 100, 0)).toBe(true);
    expect(kycNeeded('pending', undefined, 0)).toBe(true);
    expect(kycNeeded('verified', 9_000_000, 0)).toBe(false);
  });
});
