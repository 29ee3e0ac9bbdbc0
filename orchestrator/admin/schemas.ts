/** The admin API's request bodies (zod): money as decimal strings in the sale's currency, times ISO 8601. */
import { z } from 'zod';
import { humanText } from '../../common/human-text.ts';
import { isCurrency } from '../../common/money.ts';
import { CONFIRM_BIDS, NOTIFY_CHANNELS } from '../ledger/records.ts';

const ID = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'ids are 1–64 letters, digits, ".", "_" or "-"');
const MONEY = z.string({ error: 'a decimal string like "250.00"' });
const TIME = z.iso.datetime({
  offset: true,
  error: 'an ISO 8601 date-time with offset, e.g. 2026-12-01T18:00:00Z',
});
const BP = z.number().int().min(0).max(10_000);

/** The IANA names this runtime's ICU knows (its canonical ones), and "UTC". */
const ZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
/** An IANA name as the tz database writes it: capitalised parts ("America/Argentina/Buenos_Aires", "Etc/GMT+5"). */
const ZONE_SHAPE = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z][A-Za-z0-9_+-]*){0,2}$/;

/**
 * An IANA time zone: one of the runtime's canonical names (`Intl.supportedValuesOf`, which leaves out
 * "UTC" and the "Etc/GMT+5" kind), a name ICU knows as itself, or a tz-database alias ICU maps onto
 * a canonical name ("Asia/Kolkata" and "Europe/Kyiv" are current IANA names that ICU keeps as aliases
 * of "Asia/Calcutta" and "Europe/Kiev"). Offsets ("+01:00"), free text and mis-cased names are refused.
 */
export function isTimeZone(name: string): boolean {
  if (ZONES.has(name)) return true;
  if (!ZONE_SHAPE.test(name)) return false;
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    return resolved === name || ZONES.has(resolved);
  } catch {
    return false;
  }
}
/**
 * A lot's image: an absolute `https:` URL with a host and no user name or password. Pages put it in
 * `<img src>`, so `javascript:`, `data:`, `vbscript:`, plain `http:` (mixed content), relative and
 * protocol-less URLs are refused.
 */
export function isImageUrl(value: string): boolean {
  if (!/^https:\/\/[^/?#\s]/i.test(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
}
const IMAGE_URL = z
  .string()
  .max(2_000)
  .refine(isImageUrl, 'an absolute https: URL like "https://images.example/lot-1.jpg"');
const TIMEZONE = z.string().max(64).refine(isTimeZone, 'an IANA time zone like "Europe/Paris" or "UTC"');

const premiumBandsIn = z
  .array(z.strictObject({ upTo: MONEY.nullable(), rateBp: BP }))
  .min(1)
  .max(10);
const saleFields = {
  title: humanText('title', 200, 'the sale as bidders and staff see it'),
  startsAt: TIME,
  endsAt: TIME.optional(),
  timezone: TIMEZONE.optional(),
  kycFreeLimit: MONEY.optional(),
  cddThreshold: MONEY.optional(),
  premiumBands: premiumBandsIn.optional(),
  taxRateBp: BP.optional(),
  taxBase: z.enum(['premium', 'hammer_and_premium']).optional(),
  floorPaddles: z.strictObject({ from: z.number().int().min(1), to: z.number().int().min(1) }).optional(),
  onlinePaddles: z.strictObject({ from: z.number().int().min(1), to: z.number().int().min(1) }).optional(),
  closingSoonSeconds: z.number().int().min(0).max(86_400).optional(),
  /** When bidders confirm a bid first (docs/bidders.md): never, once per lot, or at every bid… */
  confirmBids: z
    .enum(CONFIRM_BIDS, { error: 'confirmBids is "never", "once_per_lot" or "every_bid"' })
    .optional(),
  /** …of this amount and more, in the sale's currency ("0.00": every amount). */
  confirmBidsFrom: MONEY.optional(),
  /** `invite_only`: only staff and invited bidders see the sale (docs/invite-only.md). */
  visibility: z
    .enum(['public', 'invite_only'], { error: 'visibility is "public" or "invite_only"' })
    .optional(),
};
export const saleCreate = z.strictObject({
  id: ID,
  mode: z.enum(['timed', 'live']),
  currency: z.string().refine(isCurrency, 'an ISO 4217 currency code like "EUR"'),
  ...saleFields,
});
export const salePatch = z.strictObject(saleFields).partial();

const incrementsIn = z
  .array(z.strictObject({ from: MONEY, step: MONEY }))
  .min(1)
  .max(50);
const lotFields = {
  lotNumber: z.number().int().min(1).max(1_000_000),
  title: humanText('title', 300, 'the lot as bidders and staff see it'),
  description: z.string().max(10_000).optional(),
  opening: MONEY,
  reserve: MONEY.optional(),
  estimateLow: MONEY.optional(),
  estimateHigh: MONEY.optional(),
  increments: incrementsIn,
  consignorId: ID.nullable().optional(),
  imageUrl: IMAGE_URL.nullable().optional(),
  /** Shown to bidders on the lot page; null clears it. */
  conditionReport: z.string().max(20_000).nullable().optional(),
  premiumBands: premiumBandsIn.nullable().optional(),
  startsAt: TIME.optional(),
  endsAt: TIME.optional(),
  graceMs: z.number().int().min(0).max(60_000).optional(),
  softCloseSeconds: z.number().int().min(0).max(3_600).optional(),
  softCloseCapSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .optional(),
};
export const lotCreate = z.strictObject({ id: ID, ...lotFields });
export type LotCreate = z.infer<typeof lotCreate>;
export const lotPatch = z.strictObject(lotFields).partial();

export const bidderCreate = z.strictObject({
  id: ID,
  name: humanText('name', 200, 'the bidder as staff see them'),
  email: z.email().max(320).optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number like +447700900123')
    .optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code like "GB"')
    .optional(),
  notify: z
    .array(z.enum(NOTIFY_CHANNELS))
    .max(3)
    .refine((l) => new Set(l).size === l.length, 'each channel once')
    .optional(),
});
export const bidderPatch = bidderCreate.omit({ id: true }).partial();

export const registrationCreate = z.strictObject({
  bidderId: ID,
  channel: z.enum(['online', 'floor']).default('online'),
  limit: MONEY.optional(),
  approve: z.boolean().default(false),
});
/** Why a bidder is blocked, shown to staff. */
export const bidderFlagBody = z.strictObject({
  reason: humanText('reason', 500, 'why, as staff will read it').optional(),
});

/** Why the house cancels a bid, recorded and shown to staff. */
export const cancelBody = z.strictObject({
  reason: humanText('reason', 500, 'why the bid is cancelled').refine(
    (r) => r.length >= 3,
    'reason must be at least 3 characters',
  ),
});

export const registrationPatch = z
  .strictObject({ status: z.enum(['approved', 'declined', 'revoked', 'pending']), limit: MONEY.nullable() })
  .partial();

/** Why staff mark a bidder's identity verified by hand (shown in the audit log and the bidder's checks). */
export const manualKycBody = z.strictObject({
  reason: humanText('reason', 500, 'how the identity was verified').refine(
    (r) => r.length >= 3,
    'reason must be at least 3 characters',
  ),
});
