/**
 * A signed-in bidder's own back-office business (common/bidder-self.ts `BidderSelfPort`): the
 * profile, registering for a sale with its current terms, accepting changed terms, the overview of
 * "my account", and handing the bidder to the KYC vendor. The rules are the admin API's
 * (rules/trade.ts, rules/sale-status.ts, ledger/records.ts); each change is written with its audit
 * row in one transaction (actor `bidder:<id>`), then pushed into the engine before the answer.
 */
import { randomUUID } from 'node:crypto';
import type { BidderSelfPort } from '../../common/bidder-self.ts';
import type {
  BidderOverview,
  BidderProfile,
  KycState,
  MyRegistration,
  ProfileInput,
  RegisterInput,
  RegistrationOffer,
  SaleForBidder,
  SaleTerms,
  WatchList,
  WonLot,
} from '../../common/contracts/bidder-self.ts';
import type { PushKind, PushSettings, PushSubscriptionInput } from '../../common/contracts/push.ts';
import { AppError } from '../../common/errors.ts';
import { checkSubscription } from '../../common/push.ts';
import {
  addSubscription,
  pushSettings,
  removeSubscription,
  setMutedKinds,
} from '../notify/push/subscriptions.ts';
import { formatAmount, parseAmount } from '../../common/money.ts';
import type { Database, Queryable } from '../ledger/db.ts';
import {
  audit,
  bidderFrom,
  loadRegistration,
  loadSale,
  registrationFrom,
  saleFrom,
  type Bidder,
  type Registration,
  type Sale,
} from '../ledger/records.ts';
import { maySee, visibleTo } from '../catalogue/visibility.ts';
import { saleIsLocked } from '../rules/sale-status.ts';
import { invoiceFor, limitChangeError, nextPaddle, type PremiumBand } from '../rules/trade.ts';
import { kycNeeded, normaliseProfile, termsToAccept } from './rules.ts';
import * as watchlist from './watchlist.ts';

/** What the service needs of the engine sync: eligibility and the texted-bids directory. */
export interface BidderSelfSync {
  syncEligibility(saleId: string, bidderId?: string): Promise<unknown>;
  syncBidder(bidderId: string): Promise<void>;
}

/** What it needs of KYC (orchestrator/kyc's KycService); undefined when KYC is not set up. */
export interface BidderSelfKyc {
  start(
    bidderId: string,
    actor: string,
    correlationId?: string,
  ): Promise<{ id: string; status: string; verificationUrl: string | null; requestedAt: string }>;
  listChecks(
    bidderId: string,
  ): Promise<{ id: string; status: string; verificationUrl: string | null; requestedAt: string }[]>;
}

export interface BidderSelfOptions {
  db: Database;
  sync: BidderSelfSync;
  kyc?: BidderSelfKyc | undefined;
  /** Web Push (notify/config.ts `pushSubscribing`); unset = not set up here. */
  push?: { publicKey: string; allowLoopbackHttp: boolean } | undefined;
}

interface BidderRow {
  profile_completed_at: unknown;
  [k: string]: unknown;
}

const iso = (v: unknown): string => new Date(v as string | Date).toISOString();
const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';

export class BidderSelfService implements BidderSelfPort {
  private readonly o: BidderSelfOptions;
  constructor(o: BidderSelfOptions) {
    this.o = o;
  }

  // --- the bidder record -------------------------------------------------------------------

  /**
   * The bidder record of a bidder account, created on first use with the account's id, name and
   * email (accounts made before the link rule, or whose sign-up found no record). Staff accounts
   * have none: FORBIDDEN.
   */
  private async bidderOf(q: Queryable, accountId: string): Promise<{ bidder: Bidder; complete: boolean }> {
    const found = await q.query<BidderRow>('SELECT * FROM bidders WHERE id = $1', [accountId]);
    if (found[0] !== undefined)
      return { bidder: bidderFrom(found[0]), complete: found[0].profile_completed_at !== null };
    const [account] = await q.query<{ kind: string; email: string; name: string; status: string }>(
      'SELECT kind, email, name, status FROM accounts WHERE id = $1',
      [accountId],
    );
    if (account === undefined || account.kind !== 'bidder' || account.status !== 'active')
      throw new AppError('FORBIDDEN', 'only a bidder account has a bidder profile');
    // An address some other bidder record holds (made by staff later): the record starts without it.
    const rows = await q.query<BidderRow>(
      `INSERT INTO bidders (id, display_name, email)
       VALUES ($1, $2, CASE WHEN EXISTS (SELECT 1 FROM bidders WHERE lower(email) = lower($3)) THEN NULL ELSE $3 END)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [accountId, account.name, account.email],
    );
    const row = rows[0] ?? (await q.query<BidderRow>('SELECT * FROM bidders WHERE id = $1', [accountId]))[0];
    if (row === undefined) throw new Error(`bidder ${accountId} vanished`);
    return { bidder: bidderFrom(row), complete: row.profile_completed_at !== null };
  }

  private profileView(b: Bidder, complete: boolean): BidderProfile {
    return {
      id: b.id,
      name: b.displayName,
      email: b.email ?? null,
      // The account signs in only by links mailed to its address.
      emailVerified: b.email !== undefined,
      phone: b.phone ?? null,
      country: b.country ?? null,
      channels: b.notify,
      complete,
    };
  }

  async saveProfile(accountId: string, input: ProfileInput): Promise<BidderProfile> {
    const p = normaliseProfile(input);
    const view = await this.o.db.transaction(async (tx) => {
      await this.bidderOf(tx, accountId);
      await tx
        .query(
          `UPDATE bidders SET display_name = $2, phone_e164 = $3, country = $4, notify_channels = $5::text[],
                  profile_completed_at = COALESCE(profile_completed_at, now()), updated_at = now()
            WHERE id = $1`,
          [accountId, p.name, p.phone, p.country, p.channels],
        )
        .catch((err: unknown) => {
          if (isUniqueViolation(err))
            throw new AppError('CONTACT_TAKEN', 'phone: another bidder has this number; contact the house', {
              details: { field: 'phone' },
            });
          throw err;
        });
      await audit(tx, {
        actor: `bidder:${accountId}`,
        action: 'bidder.profile',
        entityType: 'bidder',
        entityId: accountId,
        details: { ...p },
      });
      const { bidder, complete } = await this.bidderOf(tx, accountId);
      return this.profileView(bidder, complete);
    });
    // The phone reaches the directory of texted bids.
    await this.o.sync.syncBidder(accountId);
    return view;
  }

  // --- reading ----------------------------------------------------------------------------

  private registrationView(r: Registration, sale: Sale, requested: unknown): MyRegistration {
    const m = (v: number | undefined): string | null =>
      v === undefined ? null : formatAmount(v, sale.currency);
    return {
      saleId: sale.id,
      saleTitle: sale.title,
      currency: sale.currency,
      status: r.status,
      paddle: r.paddle ?? null,
      limit: m(r.limit),
      requestedLimit: requested === null || requested === undefined ? null : m(Number(requested)),
      termsVersion: r.termsVersion ?? null,
      termsAcceptedAt: r.termsAcceptedAt === undefined ? null : new Date(r.termsAcceptedAt).toISOString(),
      currentTermsVersion: sale.termsVersion,
      termsToAccept: termsToAccept(sale.termsVersion, r.termsVersion),
      kycFreeLimit: formatAmount(sale.kycFreeLimit, sale.currency),
    };
  }

  private saleView(sale: Sale, reg: MyRegistration | null): SaleForBidder {
    return {
      id: sale.id,
      title: sale.title,
      mode: sale.mode,
      currency: sale.currency,
      status: sale.status === 'open' ? 'open' : 'scheduled',
      startsAt: new Date(sale.startsAt).toISOString(),
      endsAt: sale.endsAt === undefined ? null : new Date(sale.endsAt).toISOString(),
      termsVersion: sale.termsVersion,
      kycFreeLimit: formatAmount(sale.kycFreeLimit, sale.currency),
      registration: reg,
    };
  }

  private async myRegistrations(
    q: Queryable,
    bidderId: string,
  ): Promise<{ reg: Registration; sale: Sale; view: MyRegistration }[]> {
    const rows = await q.query(
      `SELECT r.*, r.requested_limit_minor AS requested, s.id AS s_id FROM registrations r
         JOIN sales s ON s.id = r.sale_id WHERE r.bidder_id = $1 ORDER BY s.starts_at DESC, s.id`,
      [bidderId],
    );
    const sales = new Map<string, Sale>();
    const out: { reg: Registration; sale: Sale; view: MyRegistration }[] = [];
    for (const r of rows) {
      const id = String(r.s_id);
      let sale = sales.get(id);
      if (sale === undefined) {
        sale = (await q.query('SELECT * FROM sales WHERE id = $1', [id])).map(saleFrom)[0]!;
        sales.set(id, sale);
      }
      const reg = registrationFrom(r);
      out.push({ reg, sale, view: this.registrationView(reg, sale, r.requested) });
    }
    return out;
  }

  private async kycState(bidder: Bidder, needed: boolean): Promise<KycState> {
    const checks = this.o.kyc === undefined ? [] : await this.o.kyc.listChecks(bidder.id);
    const c = checks[0];
    return {
      status: bidder.kycStatus,
      required: needed,
      available: this.o.kyc !== undefined,
      check:
        c === undefined
          ? null
          : {
              id: c.id,
              status: c.status as NonNullable<KycState['check']>['status'],
              verificationUrl: c.verificationUrl,
              requestedAt: c.requestedAt,
            },
    };
  }

  async overview(accountId: string): Promise<BidderOverview> {
    const { db } = this.o;
    const { bidder, complete } = await this.bidderOf(db, accountId);
    const regs = await this.myRegistrations(db, bidder.id);
    const bySale = new Map(regs.map((r) => [r.sale.id, r.view]));
    // The sales open for registration that this bidder may see (invite-only ones only when invited).
    const visible = visibleTo('s', { id: bidder.id, role: 'bidder' }, 1);
    const open = (
      await db.query(
        `SELECT s.* FROM sales s WHERE s.status IN ('scheduled', 'open') AND ${visible.sql}
          ORDER BY s.starts_at, s.id LIMIT 200`,
        visible.params,
      )
    ).map(saleFrom);
    const won = await this.wonLots(db, bidder.id);
    const needed = regs.some(
      (r) =>
        ['pending', 'approved'].includes(r.reg.status) &&
        !saleIsLocked(r.sale.status) &&
        kycNeeded(bidder.kycStatus, r.reg.limit, r.sale.kycFreeLimit),
    );
    return {
      profile: this.profileView(bidder, complete),
      registrations: regs.map((r) => r.view),
      sales: open.map((s) => this.saleView(s, bySale.get(s.id) ?? null)),
      won,
      kyc: await this.kycState(bidder, needed),
    };
  }

  /** Lots the bidder won (online, or on the floor under their paddle), with the invoice. */
  private async wonLots(q: Queryable, bidderId: string): Promise<WonLot[]> {
    const rows = await q.query(
      `SELECT w.lot_id, w.hammer_minor, w.premium_minor, w.tax_minor, w.total_minor, w.currency, w.status,
              w.decided_at, l.lot_number, l.title, l.premium_bands AS lot_bands, s.id AS sale_id,
              s.title AS sale_title, s.premium_bands, s.tax_rate_bp, s.tax_base
         FROM winners w JOIN lots l ON l.id = w.lot_id JOIN sales s ON s.id = l.sale_id
        WHERE w.status <> 'void'
          AND (w.bidder_id = $1 OR (w.bidder_id IS NULL AND EXISTS (
                SELECT 1 FROM registrations r WHERE r.sale_id = l.sale_id AND r.paddle = w.paddle AND r.bidder_id = $1)))
        ORDER BY w.decided_at DESC LIMIT 500`,
      [bidderId],
    );
    return rows.map((r) => {
      const currency = String(r.currency);
      const hammer = Number(r.hammer_minor);
      // Winners written before the invoice columns: the invoice from the sale's rules.
      const bands = (r.lot_bands ?? r.premium_bands) as PremiumBand[] | string;
      const inv =
        r.total_minor === null
          ? invoiceFor(
              hammer,
              typeof bands === 'string' ? (JSON.parse(bands) as PremiumBand[]) : bands,
              Number(r.tax_rate_bp),
              r.tax_base as 'premium' | 'hammer_and_premium',
            )
          : {
              hammer,
              premium: Number(r.premium_minor),
              tax: Number(r.tax_minor),
              total: Number(r.total_minor),
            };
      const m = (v: number): string => formatAmount(v, currency);
      return {
        lotId: String(r.lot_id),
        lotNumber: Number(r.lot_number),
        title: String(r.title),
        saleId: String(r.sale_id),
        saleTitle: String(r.sale_title),
        currency,
        hammer: m(inv.hammer),
        premium: m(inv.premium),
        tax: m(inv.tax),
        total: m(inv.total),
        status: String(r.status),
        decidedAt: iso(r.decided_at),
      };
    });
  }

  /**
   * A sale this bidder may register for: published, not over, and visible to them (an invite-only
   * sale only to the invited; to anyone else it does not exist). Drafts are nobody's business.
   */
  private async registrableSale(q: Queryable, saleId: string, bidderId: string, lock = false): Promise<Sale> {
    const sale = await loadSale(q, saleId, lock);
    if (
      sale === undefined ||
      sale.status === 'draft' ||
      !(await maySee(q, saleId, { id: bidderId, role: 'bidder' }))
    )
      throw new AppError('UNKNOWN_SALE', `no sale ${saleId} open for registration`);
    if (saleIsLocked(sale.status))
      throw new AppError('SALE_LOCKED', `sale ${saleId} is ${sale.status}: registration is closed`);
    return sale;
  }

  private async terms(q: Queryable, sale: Sale): Promise<SaleTerms | null> {
    if (sale.termsVersion === 0) return null;
    const [t] = await q.query<{ version: unknown; body: string; published_at: unknown }>(
      'SELECT version, body, published_at FROM sale_terms WHERE sale_id = $1 AND version = $2',
      [sale.id, sale.termsVersion],
    );
    return t === undefined
      ? null
      : { version: Number(t.version), body: t.body, publishedAt: iso(t.published_at) };
  }

  async offer(accountId: string, saleId: string): Promise<RegistrationOffer> {
    const { db } = this.o;
    const sale = await this.registrableSale(db, saleId, accountId);
    const { bidder, complete } = await this.bidderOf(db, accountId);
    const reg = await db.query(
      'SELECT *, requested_limit_minor AS requested FROM registrations WHERE sale_id = $1 AND bidder_id = $2',
      [saleId, bidder.id],
    );
    const view =
      reg[0] === undefined ? null : this.registrationView(registrationFrom(reg[0]), sale, reg[0].requested);
    const limit = reg[0] === undefined ? undefined : registrationFrom(reg[0]).limit;
    return {
      sale: this.saleView(sale, view),
      terms: await this.terms(db, sale),
      profile: this.profileView(bidder, complete),
      kyc: await this.kycState(bidder, kycNeeded(bidder.kycStatus, limit, sale.kycFreeLimit)),
    };
  }

  // --- registering ------------------------------------------------------------------------

  async register(accountId: string, saleId: string, input: RegisterInput): Promise<MyRegistration> {
    const actor = `bidder:${accountId}`;
    await this.o.db.transaction(async (tx) => {
      // The sale's row held: paddles are given one at a time, as by the admin API.
      const sale = await this.registrableSale(tx, saleId, accountId, true);
      const { bidder, complete } = await this.bidderOf(tx, accountId);
      if (!complete)
        throw new AppError('PROFILE_INCOMPLETE', 'complete your profile (name, phone, country) first', {
          details: { field: 'profile' },
        });
      if ((await loadRegistration(tx, saleId, bidder.id)) !== undefined)
        throw new AppError('ALREADY_REGISTERED', `you are already registered for ${sale.title}`);
      this.checkTerms(sale, input.termsVersion, input.accept);
      const raw = input.limit?.trim();
      const limit = raw === undefined || raw === '' ? undefined : parseAmount(raw, sale.currency, 'limit');
      if (limit !== undefined) {
        const problem = limitChangeError(limit, 0, bidder.cddVerified, sale.cddThreshold);
        if (problem !== undefined)
          throw new AppError(
            'CDD_REQUIRED',
            `limit: ${formatAmount(sale.cddThreshold, sale.currency)} ${sale.currency} and above needs due diligence by the house; ask for less, or contact the house`,
            { details: { field: 'limit' } },
          );
      }
      const range = sale.onlinePaddles;
      const used = await tx.query<{ paddle: string }>(
        'SELECT paddle FROM registrations WHERE sale_id = $1 AND paddle IS NOT NULL',
        [saleId],
      );
      const paddle = nextPaddle(new Set(used.map((r) => Number(r.paddle))), range.from, range.to);
      if (paddle === undefined)
        throw new AppError('PADDLES_EXHAUSTED', 'this sale has no online paddle left: contact the house');
      const withTerms = sale.termsVersion > 0;
      await tx.query(
        `INSERT INTO registrations (sale_id, bidder_id, paddle, status, limit_minor, requested_limit_minor, currency,
                                    channel, requested_by, terms_version, terms_accepted_at)
         VALUES ($1, $2, $3, 'pending', $4, $4, $5, 'online', 'bidder', $6, $7)`,
        [
          saleId,
          bidder.id,
          String(paddle),
          limit ?? null,
          sale.currency,
          withTerms ? sale.termsVersion : null,
          withTerms ? new Date() : null,
        ],
      );
      await audit(tx, {
        actor,
        action: 'registration.request',
        entityType: 'registration',
        entityId: `${saleId}/${bidder.id}`,
        details: { paddle, limit: raw ?? null, termsVersion: withTerms ? sale.termsVersion : null },
        correlationId: randomUUID(),
      });
    });
    await this.o.sync.syncEligibility(saleId, accountId);
    return this.mine(saleId, accountId);
  }

  private checkTerms(sale: Sale, version: number, accept: boolean): void {
    if (sale.termsVersion > 0 && version !== sale.termsVersion)
      throw new AppError(
        'TERMS_VERSION',
        `termsVersion: the terms of ${sale.title} are now version ${sale.termsVersion}; read and accept those`,
        { details: { field: 'termsVersion', current: sale.termsVersion } },
      );
    if (sale.termsVersion > 0 && !accept)
      throw new AppError('VALIDATION_FAILED', 'accept: accept the terms of sale to register', {
        details: { field: 'accept' },
      });
  }

  async acceptTerms(accountId: string, saleId: string, version: number): Promise<MyRegistration> {
    await this.o.db.transaction(async (tx) => {
      const sale = await this.registrableSale(tx, saleId, accountId, true);
      this.checkTerms(sale, version, true);
      if (sale.termsVersion === 0)
        throw new AppError('TERMS_VERSION', 'termsVersion: this sale has no terms to accept', {
          details: { field: 'termsVersion', current: 0 },
        });
      const rows = await tx.query(
        `UPDATE registrations SET terms_version = $3, terms_accepted_at = now(), updated_at = now()
          WHERE sale_id = $1 AND bidder_id = $2 RETURNING bidder_id`,
        [saleId, accountId, version],
      );
      if (rows.length === 0) throw new AppError('NOT_REGISTERED', `you are not registered for ${sale.title}`);
      await audit(tx, {
        actor: `bidder:${accountId}`,
        action: 'registration.terms_accept',
        entityType: 'registration',
        entityId: `${saleId}/${accountId}`,
        details: { version },
      });
    });
    await this.o.sync.syncEligibility(saleId, accountId);
    return this.mine(saleId, accountId);
  }

  private async mine(saleId: string, bidderId: string): Promise<MyRegistration> {
    const regs = await this.myRegistrations(this.o.db, bidderId);
    const r = regs.find((x) => x.sale.id === saleId);
    if (r === undefined) throw new AppError('NOT_REGISTERED', `not registered for ${saleId}`);
    return r.view;
  }

  // --- KYC --------------------------------------------------------------------------------

  async startKyc(accountId: string): Promise<KycState> {
    const kyc = this.o.kyc;
    if (kyc === undefined)
      throw new AppError(
        'KYC_DISABLED',
        'identity checks with a vendor are not set up here: the house verifies your identity itself',
      );
    const { bidder } = await this.bidderOf(this.o.db, accountId);
    if (bidder.kycStatus !== 'verified') {
      // A check already waiting for the bidder at the vendor is resumed, not started again.
      const [latest] = await kyc.listChecks(bidder.id);
      if (latest === undefined || latest.status !== 'requested' || latest.verificationUrl === null)
        await kyc.start(bidder.id, `bidder:${bidder.id}`);
    }
    const { bidder: after } = await this.bidderOf(this.o.db, accountId);
    return this.kycState(after, after.kycStatus !== 'verified');
  }

  // --- the watch list (watchlist.ts) ---------------------------------------------------------
  watchList(accountId: string): Promise<WatchList> {
    return watchlist.watchList(this.o.db, accountId);
  }
  watch(accountId: string, lotId: string): Promise<WatchList> {
    return watchlist.watch(this.o.db, accountId, lotId);
  }
  unwatch(accountId: string, lotId: string): Promise<WatchList> {
    return watchlist.unwatch(this.o.db, accountId, lotId);
  }

  // --- Web Push (docs/push-notifications.md) ------------------------------------------------

  async pushSettings(accountId: string): Promise<PushSettings> {
    const { bidder } = await this.bidderOf(this.o.db, accountId);
    return pushSettings(this.o.db, bidder.id, this.o.push?.publicKey ?? null);
  }

  async subscribePush(accountId: string, input: PushSubscriptionInput): Promise<PushSettings> {
    const push = this.o.push;
    if (push === undefined)
      throw new AppError('PUSH_DISABLED', 'notifications on this device are not set up on this site');
    const checked = checkSubscription(input, push);
    return this.o.db.transaction(async (tx) => {
      const { bidder } = await this.bidderOf(tx, accountId);
      await addSubscription(tx, bidder.id, checked);
      return pushSettings(tx, bidder.id, push.publicKey);
    });
  }

  async unsubscribePush(accountId: string, endpoint: string): Promise<PushSettings> {
    const { bidder } = await this.bidderOf(this.o.db, accountId);
    // Stored as the URL parser writes it (checkSubscription): the same spelling finds it.
    await removeSubscription(
      this.o.db,
      bidder.id,
      URL.canParse(endpoint) ? new URL(endpoint).toString() : endpoint,
    );
    return pushSettings(this.o.db, bidder.id, this.o.push?.publicKey ?? null);
  }

  async setPushKinds(accountId: string, muted: PushKind[]): Promise<PushSettings> {
    const { bidder } = await this.bidderOf(this.o.db, accountId);
    await setMutedKinds(this.o.db, bidder.id, muted);
    return pushSettings(this.o.db, bidder.id, this.o.push?.publicKey ?? null);
  }
}
