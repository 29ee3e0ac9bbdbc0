/** ISO 3166-1 alpha-2 country codes, as Node's Intl knows them (full ICU): a check and the list for forms. */
const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** Intl's groupings and placeholders that are not countries. */
const NOT_COUNTRIES = new Set(['ZZ', 'EU', 'UN', 'EZ', 'QO', 'XA', 'XB']);

/** Whether `code` is an ISO 3166-1 alpha-2 country (or territory) code, upper case. */
export function isCountry(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  const name = regions.of(code);
  return name !== undefined && name !== code;
}

let options: { code: string; name: string }[] | undefined;

/** Every country code with its English name, sorted by name (for the profile form). */
export function countryOptions(): readonly { code: string; name: string }[] {
  if (options !== undefined) return options;
  const out: { code: string; name: string }[] = [];
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (isCountry(code)) out.push({ code, name: regions.of(code)! });
    }
  options = out.sort((x, y) => x.name.localeCompare(y.name, 'en'));
  return options;
}
