import { describe, expect, it } from 'vitest';
import { quote, premiumText, percent } from '../clients/src/premium.ts';
import { formatAmount } from '../common/money.ts';
import type { BuyerTerms } from '../common/contracts/index.ts';
import { invoiceFor, type PremiumBand, type TaxBase } from '../orchestrator/index.ts';
import { prng } from './support/random.ts';

/**
 * The bid confirmation's total (clients/src/premium.ts) and the won lot's invoice
 * (orchestrator/rules/trade.ts) must never differ by a cent: the pages cannot import the back
 * office, so this holds the mirror to the original on the amounts where rounding bites.
 */
const TIERS: PremiumBand[] = [
  { upTo: 50_000_000, rateBp: 2500 },
  { upTo: 300_000_000, rateBp: 2000 },
  { upTo: null, rateBp: 1500 },
];

function termsOf(bands: PremiumBand[], currency: string, taxRateBp: number, taxBase: TaxBase): BuyerTerms {
  return {
    premium: bands.map((b) => ({
      upTo: b.upTo === null ? null : formatAmount(b.upTo, currency),
      rateBp: b.rateBp,
    })),
    taxRateBp,
    taxBase,
    termsVersion: 1,
  };
}

function agree(
  hammer: number,
  bands: PremiumBand[],
  currency: string,
  taxRateBp: number,
  taxBase: TaxBase,
): void {
  const back = invoiceFor(hammer, bands, taxRateBp, taxBase);
  const page = quote(formatAmount(hammer, currency), termsOf(bands, currency, taxRateBp, taxBase));
  const label = `${currency} ${hammer} tax ${taxRateBp} on ${taxBase}`;
  expect(page, label).toEqual({
    hammer: formatAmount(back.hammer, currency),
    premium: formatAmount(back.premium, currency),
    tax: formatAmount(back.tax, currency),
    total: formatAmount(back.total, currency),
  });
}

describe('the confirmation total agrees with the invoice', () => {
  it('on the amounts where rounding and bands bite', () => {
    const tricky = [
      0, 1, 2, 3, 5, 7, 99, 101, 1_999, 49_999_999, 50_000_000, 50_000_001, 50_000_002, 299_999_999,
      300_000_000, 300_000_001, 1_234_567_891, 9_999_999_999_999,
    ];
    for (const h of tricky)
      for (const [tax, base] of [
        [0, 'premium'],
        [2000, 'premium'],
        [1950, 'hammer_and_premium'],
        [555, 'premium'],
        [10_000, 'hammer_and_premium'],
      ] as const) {
        agree(h, TIERS, 'EUR', tax, base);
        agree(h, TIERS, 'JPY', tax, base);
        agree(h, TIERS, 'KWD', tax, base);
      }
  });

  it('on a flat rate with odd basis points and many random hammers', () => {
    const rnd = prng(15).next;
    const flat: PremiumBand[] = [{ upTo: null, rateBp: 2475 }];
    const odd: PremiumBand[] = [
      { upTo: 333, rateBp: 3333 },
      { upTo: 10_007, rateBp: 1 },
      { upTo: null, rateBp: 9999 },
    ];
    for (let i = 0; i < 2_000; i++) {
      const h = Math.floor(rnd() * 10 ** (1 + Math.floor(rnd() * 12)));
      const tax = Math.floor(rnd() * 10_001);
      const base: TaxBase = rnd() < 0.5 ? 'premium' : 'hammer_and_premium';
      agree(h, flat, 'EUR', tax, base);
      agree(h, odd, 'GBP', tax, base);
    }
  });
});

describe('the premium and terms line', () => {
  it('says the rate, the bands and the tax', () => {
    expect(percent(2500)).toBe('25 %');
    expect(percent(1250)).toBe('12.5 %');
    expect(percent(5)).toBe('0.05 %');
    expect(premiumText(termsOf([{ upTo: null, rateBp: 2500 }], 'EUR', 2000, 'premium'), 'EUR')).toBe(
      'Buyer’s premium 25 % + tax 20 % on the premium',
    );
    expect(premiumText(termsOf(TIERS, 'EUR', 0, 'premium'), 'EUR')).toBe(
      'Buyer’s premium 25 % up to EUR 500,000.00, 20 % up to EUR 3,000,000.00, 15 % above',
    );
  });
});
