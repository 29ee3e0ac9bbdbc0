/**
 * The sale catalogue: titles, lot numbers, estimates and images, which the bidding engine does
 * not hold. The gateway only reads it through this interface, so the orchestrator can provide
 * the real one later; the embedded demo uses an in-memory one.
 */
export interface CatalogueLot {
  /** The engine's auction id of this lot. */
  id: string;
  lotNumber: string;
  title: string;
  description: string;
  /** An image URL the pages may show (a data: URL in the demo). */
  imageUrl?: string;
  /** Decimal strings in the sale's currency, like "8000.00". */
  estimateLow: string;
  estimateHigh: string;
}

export interface SaleSummary {
  id: string;
  title: string;
  mode: 'timed' | 'live';
  currency: string;
  lotCount: number;
}

export interface SaleCatalogue {
  id: string;
  title: string;
  mode: 'timed' | 'live';
  currency: string;
  /** In sale order. */
  lots: CatalogueLot[];
}

export interface Catalogue {
  sales(): Promise<SaleSummary[]>;
  sale(id: string): Promise<SaleCatalogue | undefined>;
}

/** A catalogue over a fixed list of sales (the demo, tests). */
export function staticCatalogue(sales: readonly SaleCatalogue[]): Catalogue {
  const byId = new Map(sales.map((s) => [s.id, s]));
  return {
    sales: () =>
      Promise.resolve(
        sales.map((s) => ({
          id: s.id,
          title: s.title,
          mode: s.mode,
          currency: s.currency,
          lotCount: s.lots.length,
        })),
      ),
    sale: (id) => Promise.resolve(byId.get(id)),
  };
}

export const emptyCatalogue: Catalogue = staticCatalogue([]);
