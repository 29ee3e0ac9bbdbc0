import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { catalogue, LANGS, translate, type MessageKey } from './index.ts';
import { en } from './en.ts';

/** The argument names a message uses (`{amount}`, `{count, plural, …}`, nested ones too), sorted. */
function placeholders(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: readonly unknown[]): void => {
    for (const el of elements) {
      const e = el as { type: number; value?: unknown; options?: Record<string, { value: unknown[] }> };
      // Literals (0) and `#` (7) name no argument; every other element does, by its value.
      if (e.type !== 0 && e.type !== 7 && typeof e.value === 'string') names.add(e.value);
      for (const option of Object.values(e.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, 'en').getAst());
  return [...names].sort();
}

const keys = Object.keys(en) as MessageKey[];

describe('the catalogues', () => {
  it.each(LANGS.filter((l) => l !== 'en'))(
    '%s has every English key, no other, with the same placeholders',
    (lang) => {
      const other = catalogue(lang);
      expect(Object.keys(other).sort()).toEqual([...keys].sort());
      const mismatched = keys.filter(
        (k) => JSON.stringify(placeholders(other[k])) !== JSON.stringify(placeholders(en[k])),
      );
      expect(mismatched).toEqual([]);
    },
  );

  it('finds a placeholder a translation dropped (the check itself can fail)', () => {
    expect(placeholders('Bid {amount}')).toEqual(['amount']);
    expect(placeholders('Enchérir')).toEqual([]);
    expect(placeholders('{count, plural, one {# bid on {lot}} other {# bids}}')).toEqual(['count', 'lot']);
  });

  it.each(LANGS)('%s: every message formats, with its placeholders filled', (lang) => {
    for (const k of keys) {
      const values = Object.fromEntries(placeholders(en[k]).map((p) => [p, 1]));
      expect(translate(lang, k, values), k).not.toBe('');
    }
  });

  it('French plurals follow French rules: 0 and 1 are singular', () => {
    expect(translate('fr', 'bids.count', { count: 0 })).toBe('0 enchère');
    expect(translate('en', 'bids.count', { count: 0 })).toBe('0 bids');
    expect(translate('fr', 'bids.count', { count: 1 })).toBe('1 enchère');
    expect(translate('fr', 'bids.count', { count: 1.5 })).toBe('1,5 enchère');
    expect(translate('fr', 'bids.count', { count: 2 })).toBe('2 enchères');
    expect(translate('en', 'bids.count', { count: 1 })).toBe('1 bid');
    expect(translate('en', 'bids.count', { count: 1000 })).toBe('1,000 bids');
  });

  it('French text uses French typography: no-break spaces before the high punctuation', () => {
    const bad = keys.filter((k) => / [:;!?]/.test(catalogue('fr')[k]));
    expect(bad).toEqual([]);
    expect(translate('fr', 'badge.outbid')).toBe('Surenchéri');
    expect(translate('fr', 'status.sold')).toBe('Adjugé');
  });
});
