/**
 * The public sale catalogue, as the gateway and the clients read it (`common/catalogue.ts`): sales
 * that are published, their lots in order with titles, estimates and images. Never the reserve,
 * the consignor or anything from the admin side.
 */
import { Hono } from 'hono';
import type { Catalogue } from '../../common/catalogue.ts';
import type {
  CatalogueLot,
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
import { PUBLISHED_SALE_STATUSES, saleIsPublished } from '../rules/sale-status.ts';

/**
 * The catalogue read straight from the back office's database — what `catalogueApi` serves over
 * HTTP, and what a gateway in the same process can be handed as its `Catalogue` (no HTTP hop).
 */
export function backOfficeCatalogue(db: Database): Catalogue {
  return {
    async sales() {
      const rows = await db.query<{
        id: string;
        title: string;
        mode: 'timed' | 'live';
        currency: string;
        lots: unknown;
      }>(
        `SELECT s.id, s.title, s.mode, s.currency,
                (SELECT count(*)::int FROM lots l WHERE l.sale_id = s.id AND l.status <> 'cancelled') AS lots
           FROM sales s WHERE s.status = ANY($1) ORDER BY s.starts_at, s.id`,
        [PUBLISHED_SALE_STATUSES],
      );
      return rows.map((r): SaleSummary => ({
        id: r.id,
        title: r.title,
        mode: r.mode,
        currency: r.currency,
        lotCount: Number(r.lots),
      }));
    },
    async sale(id) {
      const sale = await loadSale(db, id);
      if (sale === undefined || !saleIsPublished(sale.status)) return undefined;
      const lots = (await loadLots(db, sale.id)).filter((l) => l.status !== 'cancelled');
      return catalogueOf(sale, lots);
    },
  };
}

export function catalogueApi(db: Database, logger: Logger): Hono {
  const catalogue = backOfficeCatalogue(db);
  const app = new Hono();
  app.onError(errorHandler(logger));
  app.get('/sales', async (c) => {
    const sales = await catalogue.sales();
    c.header('Cache-Control', 'public, max-age=5');
    return c.json({ sales } satisfies SaleListResponse);
  });
  app.get('/sales/:id', async (c) => {
    const sale = await catalogue.sale(c.req.param('id'));
    if (sale === undefined) throw new AppError('UNKNOWN_SALE', `no published sale ${c.req.param('id')}`);
    c.header('Cache-Control', 'public, max-age=5');
    return c.json({ sale } satisfies SaleResponse);
  });
  return app;
}

function catalogueOf(sale: Sale, lots: Lot[]): SaleCatalogue {
  const money = (v: number | undefined): string => (v === undefined ? '' : formatAmount(v, sale.currency));
  return {
    id: sale.id,
    title: sale.title,
    mode: sale.mode,
    currency: sale.currency,
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
      return lot;
    }),
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
