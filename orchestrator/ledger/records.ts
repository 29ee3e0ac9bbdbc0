/**
 * The back office's records as the code sees them (camelCase, minor units as numbers, times as ms
 * since the epoch), read from the rows of the 0001/0002 schema. One mapping per table, used by the
 * admin API, the lifecycle and the eligibility sync alike.
 */
import type { AuctionSetup, IncrementBand } from '../../bidding/back-office.ts';
import type { AuctionStatus } from '../../common/contracts/index.ts';
import type { Queryable, Row } from './db.ts';
import type { PremiumBand, TaxBase } from '../rules/trade.ts';

export const SALE_STATUSES = ['draft', 'scheduled', 'open', 'closed', 'cancelled'] as const;
export type SaleStatus = (typeof SALE_STATUSES)[number];
export const CONFIRM_BIDS = ['never', 'once_per_lot', 'every_bid'] as const;
export type ConfirmBids = (typeof CONFIRM_BIDS)[number];
export const SALE_VISIBILITIES = ['public', 'invite_only'] as const;
export type SaleVisibility = (typeof SALE_VISIBILITIES)[number];

export interface Sale {
  id: string;
  title: string;
  mode: 'timed' | 'live';
  currency: string;
  status: SaleStatus;
  startsAt: number;
  endsAt: number | undefined;
  timezone: string;
  termsVersion: number;
  kycFreeLimit: number;
  cddThreshold: number;
  premiumBands: PremiumBand[];
  taxRateBp: number;
  taxBase: TaxBase;
  floorPaddles: { from: number; to: number };
  onlinePaddles: { from: number; to: number };
  closingSoonMs: number;
  /** `invite_only`: seen by staff and invited bidders only (docs/invite-only.md). */
  visibility: SaleVisibility;
  /** When the bidder's page asks to confirm a bid (0017): never, once per lot, or at every bid. */
  confirmBids: ConfirmBids;
  /** …for bids of this much and more (minor units); undefined: 10,000 whole units of the currency. */
  confirmBidsFrom: number | undefined;
  openedAt: number | undefined;
  closedAt: number | undefined;
}

export interface Lot {
  id: string;
  saleId: string;
  lotNumber: number;
  title: string;
  description: string;
  currency: string;
  opening: number;
  reserve: number;
  estimateLow: number | undefined;
  estimateHigh: number | undefined;
  increments: IncrementBand[];
  status: AuctionStatus;
  startsAt: number | undefined;
  endsAt: number | undefined;
  graceMs: number;
  softCloseMs: number;
  softCloseCapMs: number;
  consignorId: string | undefined;
  imageUrl: string | undefined;
  /** The house's condition report shown to bidders (0015); undefined when none. */
  conditionReport?: string | undefined;
  premiumBands: PremiumBand[] | undefined;
  closingSoonSentAt: number | undefined;
  finalisedAt: number | undefined;
}

export interface Bidder {
  id: string;
  email: string | undefined;
  phone: string | undefined;
  displayName: string;
  country: string | undefined;
  kycStatus: 'pending' | 'verified' | 'rejected' | 'expired';
  blocked: boolean;
  blockedReason: string | undefined;
  cddVerified: boolean;
  /** How the bidder wants to hear about results: by email, SMS and/or WhatsApp (where they have the address). */
  notify: NotifyChannel[];
}

export const NOTIFY_CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

export interface Registration {
  saleId: string;
  bidderId: string;
  paddle: string | undefined;
  status: 'pending' | 'approved' | 'declined' | 'revoked';
  limit: number | undefined;
  currency: string;
  channel: 'online' | 'floor';
  termsVersion: number | undefined;
  termsAcceptedAt: number | undefined;
}

/** A column value as text: drivers return TEXT as strings and BIGINT as strings (pg) or numbers (PGlite). */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}
export const optText = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : text(v);
const str = text;
const optStr = optText;
const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const time = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(String(v)).getTime());
const optTime = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : time(v));
/** JSONB comes back parsed from both drivers; a string only if someone stored a JSON string. */
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export function saleFrom(r: Row): Sale {
  return {
    id: str(r.id),
    title: str(r.title),
    mode: str(r.mode) as Sale['mode'],
    currency: str(r.currency),
    status: str(r.status) as SaleStatus,
    startsAt: time(r.starts_at),
    endsAt: optTime(r.ends_at),
    timezone: str(r.timezone),
    termsVersion: num(r.terms_version),
    kycFreeLimit: num(r.kyc_free_limit_minor),
    cddThreshold: num(r.cdd_threshold_minor),
    premiumBands: json<PremiumBand[]>(r.premium_bands),
    taxRateBp: num(r.tax_rate_bp),
    taxBase: str(r.tax_base) as TaxBase,
    floorPaddles: { from: num(r.floor_paddle_from), to: num(r.floor_paddle_to) },
    onlinePaddles: { from: num(r.online_paddle_from), to: num(r.online_paddle_to) },
    closingSoonMs: num(r.closing_soon_ms),
    visibility: r.visibility === 'invite_only' ? 'invite_only' : 'public',
    confirmBids: (CONFIRM_BIDS as readonly unknown[]).includes(r.confirm_bids)
      ? (r.confirm_bids as ConfirmBids)
      : 'once_per_lot',
    confirmBidsFrom: optNum(r.confirm_bids_from_minor),
    openedAt: optTime(r.opened_at),
    closedAt: optTime(r.closed_at),
  };
}

export function lotFrom(r: Row): Lot {
  return {
    id: str(r.id),
    saleId: str(r.sale_id),
    lotNumber: num(r.lot_number),
    title: str(r.title),
    description: str(r.description),
    currency: str(r.currency),
    opening: num(r.opening_minor),
    reserve: num(r.reserve_minor),
    estimateLow: optNum(r.estimate_low_minor),
    estimateHigh: optNum(r.estimate_high_minor),
    increments: json<IncrementBand[]>(r.increments),
    status: str(r.status) as AuctionStatus,
    startsAt: optTime(r.starts_at),
    endsAt: optTime(r.ends_at),
    graceMs: num(r.grace_ms),
    softCloseMs: num(r.soft_close_ms),
    softCloseCapMs: num(r.soft_close_cap_ms),
    consignorId: optStr(r.consignor_id),
    imageUrl: optStr(r.image_url),
    conditionReport: optStr(r.condition_report),
    premiumBands: r.premium_bands === null ? undefined : json<PremiumBand[]>(r.premium_bands),
    closingSoonSentAt: optTime(r.closing_soon_sent_at),
    finalisedAt: optTime(r.finalised_at),
  };
}

export function bidderFrom(r: Row): Bidder {
  return {
    id: str(r.id),
    email: optStr(r.email),
    phone: optStr(r.phone_e164),
    displayName: str(r.display_name),
    country: optStr(r.country),
    kycStatus: str(r.kyc_status) as Bidder['kycStatus'],
    blocked: r.blocked === true,
    blockedReason: optStr(r.blocked_reason),
    cddVerified: str(r.cdd_status) === 'verified',
    notify: (Array.isArray(r.notify_channels) ? r.notify_channels : []) as NotifyChannel[],
  };
}

export function registrationFrom(r: Row): Registration {
  return {
    saleId: str(r.sale_id),
    bidderId: str(r.bidder_id),
    paddle: optStr(r.paddle),
    status: str(r.status) as Registration['status'],
    limit: optNum(r.limit_minor),
    currency: str(r.currency),
    channel: str(r.channel) as Registration['channel'],
    termsVersion: optNum(r.terms_version),
    termsAcceptedAt: optTime(r.terms_accepted_at),
  };
}

/** The engine's set-up of a lot: the lot's own times, else the sale's; the status passed in. */
export function setupOf(lot: Lot, sale: Sale, status: AuctionStatus): AuctionSetup {
  const endsAt = lot.endsAt ?? sale.endsAt ?? sale.startsAt + 24 * 3_600_000;
  return {
    id: lot.id,
    saleId: sale.id,
    mode: sale.mode,
    currency: lot.currency,
    status,
    startsAt: lot.startsAt ?? sale.startsAt,
    endsAt,
    graceMs: lot.graceMs,
    softCloseMs: sale.mode === 'timed' ? lot.softCloseMs : 0,
    softCloseCapMs: lot.softCloseCapMs,
    increments: lot.increments,
    opening: lot.opening,
    reserve: lot.reserve,
    ...(sale.visibility === 'invite_only' ? { private: true } : {}),
  };
}

export async function loadSale(q: Queryable, id: string, lock = false): Promise<Sale | undefined> {
  const rows = await q.query(`SELECT * FROM sales WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] === undefined ? undefined : saleFrom(rows[0]);
}

export async function loadLot(q: Queryable, id: string, lock = false): Promise<Lot | undefined> {
  const rows = await q.query(`SELECT * FROM lots WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] === undefined ? undefined : lotFrom(rows[0]);
}

export async function loadLots(q: Queryable, saleId: string): Promise<Lot[]> {
  const rows = await q.query('SELECT * FROM lots WHERE sale_id = $1 ORDER BY lot_number', [saleId]);
  return rows.map(lotFrom);
}

export async function loadBidder(q: Queryable, id: string): Promise<Bidder | undefined> {
  const rows = await q.query('SELECT * FROM bidders WHERE id = $1', [id]);
  return rows[0] === undefined ? undefined : bidderFrom(rows[0]);
}

export async function loadRegistration(
  q: Queryable,
  saleId: string,
  bidderId: string,
): Promise<Registration | undefined> {
  const rows = await q.query('SELECT * FROM registrations WHERE sale_id = $1 AND bidder_id = $2', [
    saleId,
    bidderId,
  ]);
  return rows[0] === undefined ? undefined : registrationFrom(rows[0]);
}

/** Hammer prices of what the bidder has bought in the sale so far (for the due-diligence threshold). */
export async function linkedPurchases(q: Queryable, saleId: string, bidderId: string): Promise<number> {
  const rows = await q.query<{ total: unknown }>(
    `SELECT COALESCE(SUM(hammer_minor), 0)::text AS total FROM winners
      WHERE sale_id = $1 AND bidder_id = $2 AND status <> 'void'`,
    [saleId, bidderId],
  );
  return Number(rows[0]?.total ?? 0);
}

/** One audit row per admin change, written in the change's own transaction. */
export async function audit(
  q: Queryable,
  entry: {
    actor: string;
    action: string;
    entityType: string;
    entityId: string;
    details?: Record<string, unknown>;
    correlationId?: string | undefined;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (actor, action, entity_type, entity_id, details, correlation_id)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      entry.actor,
      entry.action,
      entry.entityType,
      entry.entityId,
      JSON.stringify(entry.details ?? {}),
      entry.correlationId ?? null,
    ],
  );
}

/** Queues an outbox event in the caller's transaction; a repeated `dedupeKey` is a no-op. */
export async function enqueue(
  q: Queryable,
  event: {
    topic: string;
    type: string;
    payload: Record<string, unknown>;
    dedupeKey: string;
    /** What caused it (a bid's or an admin request's correlation id): logged when it is delivered. */
    correlationId?: string | undefined;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO outbox_events (topic, type, payload, dedupe_key, correlation_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [event.topic, event.type, JSON.stringify(event.payload), event.dedupeKey, event.correlationId ?? null],
  );
}
