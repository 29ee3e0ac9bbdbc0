/**
 * From the panel's forms to the admin API's bodies and back: local times in the sale's time zone ↔
 * ISO 8601 instants, premium bands and increment tables as one line per band, percentages ↔ basis
 * points. A value the panel itself cannot read is refused here, naming the field, before any call —
 * everything else is the API's to judge (it names the field too).
 */

export type FormValues = Record<string, string>;

/** A form's problem: the field and what is wrong. */
export class FormProblem extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.field = field;
  }
}

/** The fields of an urlencoded body (the last value of a repeated name), trimmed. */
export function formValues(params: URLSearchParams): FormValues {
  const out: FormValues = {};
  for (const [k, v] of params) out[k] = v.trim();
  return out;
}

/** The offset of `zone` at instant `ms`, in milliseconds (positive east of UTC). */
function zoneOffset(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** `2026-12-07T18:00` (a datetime-local value) in `zone` → an ISO 8601 instant; undefined when empty. */
export function localToIso(local: string, zone: string, field: string): string | undefined {
  if (local === '') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (m === null) throw new FormProblem(field, `${field}: a date and time like 2026-12-07T18:00`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : s);
  let zoneName = zone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    zoneName = 'UTC';
  }
  // Two passes settle the offset on either side of a daylight-saving change.
  let t = wall - zoneOffset(wall, zoneName);
  t = wall - zoneOffset(t, zoneName);
  return new Date(t).toISOString();
}

/** An ISO instant → the datetime-local value in `zone` (for editing). */
export function isoToLocal(iso: unknown, zone: string): string {
  if (typeof iso !== 'string' || iso === '') return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  let offset: number;
  try {
    offset = zoneOffset(ms, zone);
  } catch {
    offset = 0;
  }
  return new Date(ms + offset).toISOString().slice(0, 16);
}

/** "20" or "17.5" percent → basis points (2000, 1750). */
export function percentToBp(v: string, field: string): number | undefined {
  if (v === '') return undefined;
  if (!/^\d{1,3}(?:\.\d{1,2})?$/.test(v))
    throw new FormProblem(field, `${field}: a percentage like 20 or 17.5 (at most two decimals)`);
  const [whole, frac = ''] = v.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

export function bpToPercent(bp: unknown): string {
  if (typeof bp !== 'number') return '';
  const whole = Math.floor(bp / 100);
  const frac = bp % 100;
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}`;
}

/** Premium bands, one per line: `500000.00 25` (up to that hammer, 25 %), the last `* 20` (the rest). */
export function parseBands(
  v: string,
  field = 'premiumBands',
): { upTo: string | null; rateBp: number }[] | undefined {
  const lines = v
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return undefined;
  return lines.map((line, i) => {
    const m = /^(\*|[0-9][0-9.,]*)\s+(\d{1,3}(?:\.\d{1,2})?)\s*%?$/.exec(line);
    if (m === null)
      throw new FormProblem(
        field,
        `${field}: line ${i + 1} should read "<up to> <percent>", e.g. "500000.00 25" or "* 20"`,
      );
    return { upTo: m[1] === '*' ? null : m[1]!.replace(/,/g, ''), rateBp: percentToBp(m[2]!, field)! };
  });
}

export function bandsText(bands: unknown): string {
  if (!Array.isArray(bands)) return '';
  return (bands as { upTo: string | null; rateBp: number }[])
    .map((b) => `${b.upTo ?? '*'} ${bpToPercent(b.rateBp)}`)
    .join('\n');
}

/** Increments, one per line: `0.00 50.00` (from that price, steps of 50.00). */
export function parseIncrements(
  v: string,
  field = 'increments',
): { from: string; step: string }[] | undefined {
  const lines = v
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return undefined;
  return lines.map((line, i) => {
    const m = /^([0-9][0-9.,]*)\s+([0-9][0-9.,]*)$/.exec(line);
    if (m === null)
      throw new FormProblem(
        field,
        `${field}: line ${i + 1} should read "<from> <step>", e.g. "1000.00 100.00"`,
      );
    return { from: m[1]!.replace(/,/g, ''), step: m[2]!.replace(/,/g, '') };
  });
}

export function incrementsText(v: unknown): string {
  if (!Array.isArray(v)) return '';
  return (v as { from: string; step: string }[]).map((b) => `${b.from} ${b.step}`).join('\n');
}

export function intField(v: string, field: string): number | undefined {
  if (v === '') return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new FormProblem(field, `${field}: a whole number`);
  return Number(v);
}

const opt = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** A sale form → the admin API's sale body (create: every field given; edit: see `changedOnly`). */
export function saleBody(f: FormValues): Record<string, unknown> {
  const zone = opt(f.timezone) ?? 'UTC';
  const paddles = (name: string): { from: number; to: number } | undefined => {
    const from = intField(f[`${name}.from`] ?? '', `${name}.from`);
    const to = intField(f[`${name}.to`] ?? '', `${name}.to`);
    if (from === undefined && to === undefined) return undefined;
    if (from === undefined || to === undefined)
      throw new FormProblem(`${name}.from`, `${name}: give both the first and the last number`);
    return { from, to };
  };
  return strip({
    id: opt(f.id),
    title: f.title ?? '',
    mode: opt(f.mode),
    currency: opt(f.currency?.toUpperCase()),
    startsAt: localToIso(f.startsAt ?? '', zone, 'startsAt'),
    endsAt: localToIso(f.endsAt ?? '', zone, 'endsAt'),
    timezone: zone,
    kycFreeLimit: opt(f.kycFreeLimit),
    cddThreshold: opt(f.cddThreshold),
    premiumBands: parseBands(f.premiumBands ?? ''),
    taxRateBp: percentToBp(f.taxRate ?? '', 'taxRate'),
    taxBase: opt(f.taxBase),
    floorPaddles: paddles('floorPaddles'),
    onlinePaddles: paddles('onlinePaddles'),
    closingSoonSeconds: intField(f.closingSoonSeconds ?? '', 'closingSoonSeconds'),
    confirmBids: opt(f.confirmBids),
    confirmBidsFrom: opt(f.confirmBidsFrom),
  });
}

/** A lot form → the admin API's lot body, its times in the sale's zone. */
export function lotBody(f: FormValues, zone: string): Record<string, unknown> {
  return strip({
    id: opt(f.id),
    lotNumber: intField(f.lotNumber ?? '', 'lotNumber'),
    title: f.title ?? '',
    description: f.description ?? '',
    // Shown to bidders on the lot page; blank means none.
    conditionReport: f.conditionReport ?? '',
    opening: opt(f.opening),
    reserve: opt(f.reserve),
    estimateLow: opt(f.estimateLow),
    estimateHigh: opt(f.estimateHigh),
    increments: parseIncrements(f.increments ?? ''),
    consignorId: opt(f.consignorId),
    imageUrl: opt(f.imageUrl),
    startsAt: localToIso(f.startsAt ?? '', zone, 'startsAt'),
    endsAt: localToIso(f.endsAt ?? '', zone, 'endsAt'),
    softCloseSeconds: intField(f.softCloseSeconds ?? '', 'softCloseSeconds'),
  });
}

/** Only what differs from what the API holds: an open sale takes a title or a later end, not a resent copy of every rule. */
export function changedOnly(
  next: Record<string, unknown>,
  current: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    if (k === 'id' || k === 'mode' || k === 'currency') continue;
    if (JSON.stringify(v) !== JSON.stringify(normalise(k, current[k]))) out[k] = v;
  }
  return out;
}

/**
 * The API's view of a field in the shape the form produces. Times to the minute: a datetime-local
 * field has no seconds, so an untouched time must not read as a change (an open sale refuses one).
 */
function normalise(key: string, v: unknown): unknown {
  if ((key === 'startsAt' || key === 'endsAt') && typeof v === 'string') {
    const ms = Date.parse(v);
    return new Date(ms - (ms % 60_000)).toISOString();
  }
  if ((key === 'description' || key === 'conditionReport') && (v === null || v === undefined)) return '';
  return v === null ? undefined : v;
}

function strip(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The form field an API refusal names: `premiumBands.0.upTo` → `premiumBands`, `floorPaddles.from` kept. */
export function formFieldFor(apiField: string | undefined, fields: readonly string[]): string | undefined {
  if (apiField === undefined) return undefined;
  if (fields.includes(apiField)) return apiField;
  if (apiField === 'taxRateBp') return 'taxRate';
  const parts = apiField.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const prefix = parts.slice(0, i).join('.');
    if (fields.includes(prefix)) return prefix;
  }
  return fields.find((f) => f.startsWith(`${parts[0]}.`));
}
