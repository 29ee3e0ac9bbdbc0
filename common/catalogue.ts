/**
 * The sale catalogue: titles, lot numbers, estimates and images, which the bidding engine does
 * not hold. The orchestrator owns it (PostgreSQL) and serves it at `GET /catalogue/v1/sales[/{id}]`;
 * the gateway reads it through this interface — over HTTP in the distributed topology
 * (`HttpCatalogue`), in memory for the embedded demo and tests (`staticCatalogue`).
 */
import { z } from 'zod';

export interface CatalogueLot {
  /** The engine's auction id of this lot. */
  id: string;
  lotNumber: string;
  title: string;
  description: string;
  /** An image URL the pages may show (a data: URL in the demo). */
  imageUrl?: string;
  /** Decimal strings in the sale's currency, like "8000.00"; "" when the house gave no estimate. */
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

const lotSchema = z.object({
  id: z.string(),
  lotNumber: z.string(),
  title: z.string(),
  description: z.string(),
  imageUrl: z.string().optional(),
  estimateLow: z.string(),
  estimateHigh: z.string(),
});
const saleSchema = z.object({
  id: z.string(),
  title: z.string(),
  mode: z.enum(['timed', 'live']),
  currency: z.string(),
  lots: z.array(lotSchema),
});
const summariesSchema = z.object({
  sales: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      mode: z.enum(['timed', 'live']),
      currency: z.string(),
      lotCount: z.number(),
    }),
  ),
});

/** Reads the orchestrator's catalogue over HTTP, keeping each answer for `ttlMs` (the catalogue changes rarely). */
export class HttpCatalogue implements Catalogue {
  private readonly base: string;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { at: number; value: unknown }>();

  constructor(orchestratorUrl: string, ttlMs = 5_000) {
    this.base = new URL('/catalogue/v1/', orchestratorUrl).toString();
    this.ttlMs = ttlMs;
  }

  async sales(): Promise<SaleSummary[]> {
    const body = await this.get('sales');
    return summariesSchema.parse(body).sales;
  }

  async sale(id: string): Promise<SaleCatalogue | undefined> {
    const body = await this.get(`sales/${encodeURIComponent(id)}`);
    if (body === undefined) return undefined;
    const parsed = saleSchema.parse((body as { sale?: unknown }).sale);
    return {
      ...parsed,
      lots: parsed.lots.map(({ imageUrl, ...l }) => (imageUrl === undefined ? l : { ...l, imageUrl })),
    };
  }

  private async get(path: string): Promise<unknown> {
    const hit = this.cache.get(path);
    if (hit !== undefined && Date.now() - hit.at < this.ttlMs) return hit.value;
    const res = await fetch(new URL(path, this.base), { signal: AbortSignal.timeout(3_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`catalogue: the orchestrator answered ${res.status} for ${path}`);
    const value: unknown = await res.json();
    this.cache.set(path, { at: Date.now(), value });
    return value;
  }
}
