/**
 * The sale catalogue, as the gateway and the clients read it (`common/catalogue.ts`): sales that
 * are published, their lots in order with titles, estimates and images. Never the reserve, the
 * consignor or anything from the admin side. Per viewer: an invite-only sale only for staff and
 * the invited (`visibility.ts`, docs/invite-only.md).
 */
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { ROLES, type Role } from '../../common/auth.ts';
import { isMediaKey, isStaff, VIEWER_HEADER, type Catalogue, type Viewer } from '../../common/catalogue.ts';
import type {
  BuyerTerms,
  CatalogueLot,
  PremiumBandWire,
  SaleCatalogue,
  SaleListResponse,
  SaleResponse,
  SaleSummary,
} from '../../common/contracts/index.ts';
import { AppError } from '../../common/errors.ts';
import { errorHandler } from '../../common/http-errors.ts';
import type { Logger } from '../../common/logger.ts';
import { formatAmount } from '../../common/money.ts';
import type { Database } from '../ledger/db.ts';
import { loadLots, loadSale, type Lot, type Sale } from '../ledger/records.ts';
import { catalogueImage, loadImagesOfLots, type LotImage } from '../media/lot-images.ts';
import type { MediaStore } from '../media/store.ts';
import type { PremiumBand } from '../rules/trade.ts';
import { confirmDefault } from '../rules/bid-confirmation.ts';
import { PUBLISHED_SALE_STATUSES, saleIsPublished } from '../rules/sale-status.ts';
import { maySee, visibleTo } from './visibility.ts';

/**
 * The catalogue read straight from the back office's database — what `catalogueApi` serves over
 * HTTP, and what a gateway in the same process can be handed as its `Catalogue` (no HTTP hop).
 */
export function backOfficeCatalogue(db: Database, media?: MediaStore): Catalogue {
  return {
    ...(media === undefined
      ? {}
      : {
          media: async (key: string) => (isMediaKey(key) ? media.get(key) : undefined),
        }),
    async sales(viewer) {
      const visible = visibleTo('s', viewer, 2);
      const rows = await db.query<{
        id: string;
        title: string;
        mode: 'timed' | 'live';
        currency: string;
        visibility: 'public' | 'invite_only';
        lots: unknown;
      }>(
        `SELECT s.id, s.title, s.mode, s.currency, s.visibility,
                (SELECT count(*)::int FROM lots l WHERE l.sale_id = s.id AND l.status <> 'cancelled') AS lots
           FROM sales s WHERE s.status = ANY($1) AND ${visible.sql} ORDER BY s.starts_at, s.id`,
        [PUBLISHED_SALE_STATUSES, ...visible.params],
      );
      return rows.map((r): SaleSummary => ({
        id: r.id,
        title: r.title,
        mode: r.mode,
        currency: r.currency,
        lotCount: Number(r.lots),
        ...(r.visibility === 'invite_only' ? { visibility: 'invite_only' } : {}),
      }));
    },
    async sale(id, viewer) {
      const sale = await loadSale(db, id);
      if (sale === undefined || !saleIsPublished(sale.status)) return undefined;
      // Not visible: answered as a sale that does not exist.
      if (sale.visibility === 'invite_only' && !(await maySee(db, id, viewer))) return undefined;
      const lots = (await loadLots(db, sale.id)).filter((l) => l.status !== 'cancelled');
      const images = await loadImagesOfLots(
        db,
        lots.map((l) => l.id),
      );
      return catalogueOf(sale, lots, images);
    },
    async paddles(saleId, viewer) {
      if (!isStaff(viewer)) return undefined;
      const sale = await loadSale(db, saleId);
      if (sale === undefined || !saleIsPublished(sale.status)) return undefined;
      // Approved registrations only: a pending or declined bidder cannot bid, so is never called.
      const rows = await db.query<{ bidder_id: string; paddle: string }>(
        `SELECT bidder_id, paddle FROM registrations
          WHERE sale_id = $1 AND status = 'approved' AND paddle IS NOT NULL`,
        [saleId],
      );
      return Object.fromEntries(rows.map((r) => [r.bidder_id, r.paddle]));
    },
  };
}

/**
 * `GET /catalogue/v1/sales[/{id}]`. Anonymous callers get the public catalogue. A gateway names its
 * viewer in `X-Gavel-Viewer: <role>:<id>` with `Authorization: Bearer <serviceToken>` (the
 * `ACCOUNTS_SERVICE_TOKEN` it already shares with the back office); a viewer without the token is
 * refused, so no one outside can claim to be an invited bidder.
 */
export function catalogueApi(
  db: Database,
  logger: Logger,
  opts: { serviceToken?: string; media?: MediaStore } = {},
): Hono {
  const catalogue = backOfficeCatalogue(db, opts.media);
  const app = new Hono();
  app.onError(errorHandler(logger));
  const viewerOf = (header: string | undefined, authorization: string | undefined): Viewer | undefined => {
    if (header === undefined) return undefined;
    if (opts.serviceToken === undefined || !bearerMatches(authorization, opts.serviceToken))
      throw new AppError('UNAUTHENTICATED', `${VIEWER_HEADER} needs the service token`);
    const at = header.indexOf(':');
    const role = header.slice(0, at);
    const id = header.slice(at + 1);
    if (at < 1 || !(ROLES as readonly string[]).includes(role) || id === '' || id.length > 200)
      throw new AppError(
        'VALIDATION_FAILED',
        `${VIEWER_HEADER}: "<role>:<id>", role one of ${ROLES.join(', ')}`,
        {
          details: { field: VIEWER_HEADER },
        },
      );
    return { id, role: role as Role };
  };
  app.get('/sales', async (c) => {
    const viewer = viewerOf(c.req.header(VIEWER_HEADER), c.req.header('authorization'));
    const sales = await catalogue.sales(viewer);
    // What a viewer sees is theirs: only the anonymous catalogue may sit in a shared cache.
    c.header('Cache-Control', viewer === undefined ? 'public, max-age=5' : 'private, no-store');
    return c.json({ sales } satisfies SaleListResponse);
  });
  app.get('/sales/:id', async (c) => {
    const viewer = viewerOf(c.req.header(VIEWER_HEADER), c.req.header('authorization'));
    const sale = await catalogue.sale(c.req.param('id'), viewer);
    if (sale === undefined) throw new AppError('UNKNOWN_SALE', `no published sale ${c.req.param('id')}`);
    c.header('Cache-Control', viewer === undefined ? 'public, max-age=5' : 'private, no-store');
    return c.json({ sale } satisfies SaleResponse);
  });
  // Staff only (the floor console's internet paddles): anyone else is answered as for an unknown sale.
  app.get('/sales/:id/paddles', async (c) => {
    const viewer = viewerOf(c.req.header(VIEWER_HEADER), c.req.header('authorization'));
    const paddles = viewer === undefined ? undefined : await catalogue.paddles?.(c.req.param('id'), viewer);
    if (paddles === undefined) throw new AppError('UNKNOWN_SALE', `no published sale ${c.req.param('id')}`);
    c.header('Cache-Control', 'private, no-store');
    return c.json({ paddles });
  });
  return app;
}

function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function catalogueOf(sale: Sale, lots: Lot[], images: Map<string, LotImage[]>): SaleCatalogue {
  const money = (v: number | undefined): string => (v === undefined ? '' : formatAmount(v, sale.currency));
  return {
    id: sale.id,
    title: sale.title,
    mode: sale.mode,
    currency: sale.currency,
    ...(sale.visibility === 'invite_only' ? { visibility: 'invite_only' } : {}),
    buyerTerms: buyerTermsOf(sale),
    bidConfirmation: {
      ask: sale.confirmBids,
      from: formatAmount(sale.confirmBidsFrom ?? confirmDefault(sale.currency), sale.currency),
    },
    lots: lots.map((l): CatalogueLot => {
      const lot: CatalogueLot = {
        id: l.id,
        lotNumber: String(l.lotNumber),
        title: l.title,
        description: l.description,
        estimateLow: money(l.estimateLow),
        estimateHigh: money(l.estimateHigh),
      };
      if (l.imageUrl !== undefined && isServableImage(l.imageUrl)) lot.imageUrl = l.imageUrl;
      if (l.conditionReport !== undefined && l.conditionReport.trim() !== '')
        lot.conditionReport = l.conditionReport;
      if (l.premiumBands !== undefined) lot.premium = premiumWire(l.premiumBands, sale.currency);
      const uploaded = images.get(l.id) ?? [];
      if (uploaded.length > 0) lot.images = uploaded.map((i) => catalogueImage(i, l.title));
      return lot;
    }),
  };
}

/** Bands in minor units → on the wire (decimal strings), as the invoice reads them. */
function premiumWire(bands: readonly PremiumBand[], currency: string): PremiumBandWire[] {
  return bands.map((b) => ({
    upTo: b.upTo === null ? null : formatAmount(b.upTo, currency),
    rateBp: b.rateBp,
  }));
}

/**
 * What a bidder commits to besides the hammer: the sale's premium bands, tax and terms — the same
 * inputs the invoice of a won lot uses (bidders-self `wonLots`, rules/trade.ts `invoiceFor`).
 */
function buyerTermsOf(sale: Sale): BuyerTerms {
  return {
    premium: premiumWire(sale.premiumBands, sale.currency),
    taxRateBp: sale.taxRateBp,
    taxBase: sale.taxBase,
    termsVersion: sale.termsVersion,
    // The register-to-bid page shows the sale's current terms to a signed-in bidder (gateway/me).
    ...(sale.termsVersion > 0 ? { termsUrl: `/account/sales/${encodeURIComponent(sale.id)}/register` } : {}),
  };
}

/**
 * May the pages put this image URL in `<img src>`? An absolute `https:` URL, or the `data:image/…`
 * pictures the embedded demo's seed writes. A row written before the admin API checked its URLs
 * (a `javascript:` or relative one) is served without its image rather than as it is.
 */
export function isServableImage(url: string): boolean {
  if (/^data:image\/(?:png|jpeg|gif|webp|svg\+xml)[;,]/.test(url)) return true;
  return URL.canParse(url) && new URL(url).protocol === 'https:' && /^https:\/\/[^/?#\s]/i.test(url);
}
